"""Every payload as report details, as a moderator's reason, and as a watched word.

Report details and reasons are multi-line text, so they take many payloads at once; each goes
through the API and the form in turn. What a member wrote reaches moderators' pages, and what
moderators wrote reaches the member's warnings, notifications and the public transparency log:
all of it must read back exactly and leave those pages inert.
"""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.factories import Factory
from tests.security.conftest import Person
from tests.security.hostile import (
    ACTION_REASON,
    BODY,
    EVERY_PAYLOAD,
    ODD_HALF,
    REPORT_DETAILS,
    WATCHED_PHRASE,
    Problems,
    batches,
    check_page,
    names_field,
    page_problems,
    parse,
    refused,
    refused_form_problems,
)

DOORS = ("api", "form")


# --- report details -------------------------------------------------------------------------


def test_report_details_are_stored_exactly_and_shown_inert_to_moderators(
    person: Callable[..., Person], web: TestClient, factory: Factory
) -> None:
    reporters = {door: person() for door in DOORS}
    moderator = person(role="moderator")
    author = factory.member()
    thread = factory.thread(author, title="A thread to report comments on")
    problems = Problems()
    sent: dict[int, str] = {}
    for number, details in enumerate(
        batches([payload.text for payload in EVERY_PAYLOAD], REPORT_DETAILS, separator="\n")
    ):
        door = DOORS[number % 2]
        target = factory.comment(author, thread, body=f"Comment {number}, to be reported.")
        response = _report(reporters[door], web, door, target.id, details)
        if response.status_code != (201 if door == "api" else 303):
            problems.add(f"report {number} via {door}", f"answered {response.status_code}: {response.text[:300]}")
            continue
        sent[target.id] = REPORT_DETAILS.stored(details)  # type: ignore[assignment]
    for reporter in reporters.values():
        for report in web.get("/api/v1/reports/mine", headers=reporter.headers).json():
            if report["details"] != sent.get(report["target_id"]):
                problems.add(f"report on comment {report['target_id']}", "details not read back exactly as sent")
        check_page(problems, reporter.browser, "/reports")
    queue = _queue(web, moderator)
    for item in queue:
        html = check_page(problems, moderator.browser, f"/moderation/items/{item['id']}") or ""
        shown = [e.text for e in parse(html).elements if "report-details" in e.attrs.get("class", "").split()]
        if shown != [sent[item["target_id"]]]:
            problems.add(f"item {item['id']}", f"the moderator's page shows the details as {shown!r}")
    check_page(problems, moderator.browser, "/moderation")
    assert len(queue) == len(sent)
    problems.assert_none()


def _queue(web: TestClient, moderator: Person) -> list[dict]:
    """Every open review item, page by page."""
    items: list[dict] = []
    cursor = None
    while True:
        page = web.get("/api/v1/moderation/queue", params={"cursor": cursor}, headers=moderator.headers).json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


def _report(reporter: Person, web: TestClient, door: str, comment_id: int, details: str):
    report = {"target_type": "comment", "target_id": comment_id, "reason": "other", "details": details}
    if door == "api":
        return web.post("/api/v1/reports", json=report, headers=reporter.headers)
    return reporter.submit("/reports", {**report, "target_id": str(comment_id)})


def test_report_details_the_rules_refuse_are_refused_clearly(
    person: Callable[..., Person], web: TestClient, factory: Factory
) -> None:
    reporter = person()
    author = factory.member()
    comment = factory.comment(author, factory.thread(author))
    problems = Problems()
    for index, payload in enumerate(refused(EVERY_PAYLOAD, REPORT_DETAILS)):
        door = DOORS[index % 2]
        response = _report(reporter, web, door, comment.id, payload.text)
        if door == "form":
            problems.extend(payload.origin, refused_form_problems(response, {"details": payload.text}, ["details"]))
        elif response.status_code != 422 or not names_field(response.json()["detail"], "details"):
            problems.add(payload.origin, f"refused details via api answered {response.status_code}")
    assert web.get("/api/v1/reports/mine", headers=reporter.headers).json() == []
    problems.assert_none()


# --- moderators' reasons --------------------------------------------------------------------


def test_reasons_are_stored_exactly_and_shown_inert_to_the_member_and_the_public(
    person: Callable[..., Person], web: TestClient
) -> None:
    moderator = person(role="moderator")
    member = person()
    problems = Problems()
    warned: list[str] = []
    for number, reason in enumerate(
        batches([payload.text for payload in EVERY_PAYLOAD], ACTION_REASON, separator="\n")
    ):
        door = DOORS[number % 2]
        response = _warn(moderator, web, door, member.member.id, reason)
        if response.status_code != (200 if door == "api" else 303):
            problems.add(f"warning {number} via {door}", f"answered {response.status_code}: {response.text[:300]}")
            continue
        warned.append(ACTION_REASON.stored(reason))  # type: ignore[arg-type]
    notices = web.get("/api/v1/me/warnings", headers=member.headers).json()
    if sorted(notice["message"] for notice in notices) != sorted(warned):
        problems.add("warnings", "the member's warnings do not read back exactly as sent")
    home = parse(check_page(problems, member.browser, "/") or "")
    shown = [e.text for e in home.elements if e.tag == "p" and "warning-notice" in e.within]
    if sorted(text.rsplit(" (", 1)[0] for text in shown) != sorted(warned):
        problems.add("warnings", "the member's pages do not show each warning as text")
    check_page(problems, member.browser, "/notifications")
    public = _transparency_reasons(web)
    if not set(warned) <= public:
        problems.add("transparency", "the public log does not read back every reason exactly")
    check_page(problems, web, "/transparency")
    check_page(problems, moderator.browser, "/moderation/log")
    check_page(problems, moderator.browser, f"/members/{member.member.id}")
    problems.assert_none()


def _warn(moderator: Person, web: TestClient, door: str, member_id: int, reason: str):
    if door == "api":
        return web.post(
            f"/api/v1/moderation/users/{member_id}/actions",
            json={"action": "warn", "reason": reason},
            headers=moderator.headers,
        )
    return moderator.submit(f"/moderation/users/{member_id}/actions", {"action": "warn", "reason": reason, "next": "/"})


def _transparency_reasons(web: TestClient) -> set[str]:
    reasons: set[str] = set()
    cursor = None
    while True:
        page = web.get("/api/v1/transparency", params={"cursor": cursor}).json()
        reasons |= {entry["reason"] for entry in page["items"]}
        if not (cursor := page["next_cursor"]):
            return reasons


def test_reasons_the_rules_refuse_are_refused_clearly(person: Callable[..., Person], web: TestClient) -> None:
    moderator = person(role="moderator")
    member = person()
    problems = Problems()
    for index, payload in enumerate(refused(EVERY_PAYLOAD, ACTION_REASON)):
        door = DOORS[index % 2]
        response = _warn(moderator, web, door, member.member.id, payload.text)
        if response.status_code != 422:
            problems.add(payload.origin, f"a refused reason via {door} answered {response.status_code}")
        elif door == "form":
            problems.extend(payload.origin, page_problems(response.text))
    assert web.get("/api/v1/me/warnings", headers=member.headers).json() == []
    problems.assert_none()


# --- watched words --------------------------------------------------------------------------


def test_watched_words_are_stored_as_documented_and_flag_posts_inertly(
    person: Callable[..., Person], web: TestClient
) -> None:
    """Phrases are kept trimmed and in lower case (forum/moderation/watched_words.py); a post that
    contains them is flagged, and the flags, which quote the phrase, reach the moderator's page."""
    admin = person(role="admin")
    poster = person()
    problems = Problems()
    expected: set[str] = set()
    for index, payload in enumerate(ODD_HALF):
        door = DOORS[index % 2]
        stored = WATCHED_PHRASE.stored(payload.text)
        phrase = stored.lower() if stored is not None else None
        response = _watch(admin, web, door, payload.text)
        wanted = 422 if phrase is None else 409 if phrase in expected else (201 if door == "api" else 303)
        if response.status_code != wanted:
            problems.add(
                payload.origin, f"as a watched word via {door} answered {response.status_code}, expected {wanted}"
            )
        elif door == "form" and wanted != 303:
            problems.extend(payload.origin, page_problems(response.text))
        if phrase is not None:
            expected.add(phrase)
    listed = {word["phrase"] for word in web.get("/api/v1/moderation/watched-words", headers=admin.headers).json()}
    if listed != expected:
        problems.add("watched words", f"read back differently: {sorted(listed ^ expected)[:5]!r}")
    check_page(problems, admin.browser, "/moderation/watched-words")
    flagged = set(_post_every_phrase(problems, poster, web, sorted(expected)))
    queue = _queue(web, admin)
    flags: set[str] = set()
    for item in [item for item in queue if item["target_type"] == "thread" and item["target_id"] in flagged]:
        detail = web.get(f"/api/v1/moderation/items/{item['id']}", headers=admin.headers).json()
        flags |= {report["details"] for report in detail["reports"] if report["reason"] == "watched_word"}
        check_page(problems, admin.browser, f"/moderation/items/{item['id']}")
    missing = {f'Automatic: contains "{phrase}"' for phrase in expected} - flags
    if missing:
        problems.add("watched words", f"{len(missing)} phrases posted but not flagged, e.g. {sorted(missing)[:3]!r}")
    problems.assert_none()


def _watch(admin: Person, web: TestClient, door: str, phrase: str):
    if door == "api":
        return web.post(
            "/api/v1/moderation/watched-words", json={"phrase": phrase, "mode": "flag"}, headers=admin.headers
        )
    return admin.submit("/moderation/watched-words", {"phrase": phrase, "mode": "flag"})


def _post_every_phrase(problems: Problems, poster: Person, web: TestClient, phrases: list[str]) -> list[int]:
    """Threads that hold every watched phrase between them; returns their ids."""
    thread_ids = []
    for number, body in enumerate(batches(phrases, BODY)):
        thread = {
            "title": f"Every watched word, part {number}",
            "body": body,
            "tags": ["boundaries"],
            "confirm_identifiers": True,
        }
        response = web.post("/api/v1/threads", json=thread, headers=poster.headers)
        if response.status_code != 201:
            problems.add(f"thread of watched words {number}", f"answered {response.status_code}: {response.text[:300]}")
            continue
        thread_ids.append(response.json()["id"])
    return thread_ids
