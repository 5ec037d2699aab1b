"""Every payload as a thread body, a comment, an edit and a thread title, through the API and the forms.

What must hold for each: the answer is a success or a clear 4xx, never a 5xx; what was accepted
reads back exactly as ``TextRule`` says it is stored; and every page showing it holds nothing
the templates or the post sanitiser could not have written. Bodies are sent many payloads to a
post (a realistic test of the renderer, and a short run); titles one payload each.
"""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from forum.db import Database
from forum.kit.markup import render_markdown
from forum.threads.models import Comment, Thread
from tests.security.conftest import Person
from tests.security.hostile import (
    BODY,
    EVEN_HALF,
    EVERY_PAYLOAD,
    TITLE,
    XSS,
    ParsedPage,
    Payload,
    Problems,
    TextRule,
    accepted,
    batches,
    check_page,
    field_values,
    names_field,
    page_problems,
    parse,
    post_html_problems,
    refused,
    refused_form_problems,
    texts_of,
)

DOORS = ["api", "form"]
TOPIC = "boundaries"
# Comments are cut shorter than the limit, so each payload meets other neighbours than in a thread body.
COMMENT_BATCH = TextRule(1, 2_000, multiline=True)
# Every title is checked on the home page's lists; one in this many also on its thread's own page.
THREAD_PAGE_STRIDE = 4
# The edit routes get a few batches each: they share the rules of posting, not its code.
EDITS = 4


def rows(database: Database, model: type) -> int:
    with database.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def start_thread(poster: Person, web: TestClient, door: str, *, title: str, body: str):
    """Start a thread through one door; the author confirms, as the forms let them, that no client is named."""
    if door == "api":
        thread = {"title": title, "body": body, "tags": [TOPIC], "confirm_identifiers": True}
        return web.post("/api/v1/threads", json=thread, headers=poster.headers)
    form = {"title": title, "body": body, "tags": TOPIC, "audience": "members", "confirm_identifiers": "on"}
    return poster.submit("/threads", form)


def plain_thread(poster: Person, web: TestClient, title: str) -> dict:
    """A thread with nothing hostile in it, to comment on or to edit."""
    thread = {"title": title, "body": "Nothing to see here.", "tags": [TOPIC]}
    response = web.post("/api/v1/threads", json=thread, headers=poster.headers)
    assert response.status_code == 201, response.text
    return response.json()


def add_comment(poster: Person, web: TestClient, door: str, thread_id: int, body: str):
    if door == "api":
        comment = {"body": body, "confirm_identifiers": True}
        return web.post(f"/api/v1/threads/{thread_id}/comments", json=comment, headers=poster.headers)
    return poster.submit(f"/threads/{thread_id}/comments", {"body": body, "confirm_identifiers": "on"})


def new_thread_id(response, door: str) -> int | None:
    """The new thread's id, from the API's JSON or the form's redirect; None if it was refused."""
    if door == "api":
        return response.json()["id"] if response.status_code == 201 else None
    location = response.headers.get("location", "") if response.status_code == 303 else ""
    number = location.removeprefix("/threads/")
    return int(number) if number.isdigit() else None


def check_refusal(problems: Problems, where: str, response, door: str, field: str, typed: str) -> None:
    """A clear 4xx: the API names the field; the form comes back with the message and what was typed."""
    if not 400 <= response.status_code < 500:
        problems.add(where, f"answered {response.status_code}, expected a 4xx refusal")
        return
    if door == "api":
        if not names_field(response.json()["detail"], field):
            problems.add(where, f"refusal does not name {field}: {response.json()['detail']!r}")
        return
    problems.extend(where, refused_form_problems(response, {field: typed}, [field]))


def check_shown_page(
    problems: Problems, where: str, browser: TestClient, path: str, *fragments: str
) -> ParsedPage | None:
    """The page is inert and carries each ``body_html`` fragment exactly as the API gave it."""
    html = check_page(problems, browser, path, where)
    if html is None:
        return None
    if not all(fragment in html for fragment in fragments):
        problems.add(where, f"GET {path} does not show the posts' HTML as the API gave it")
    return parse(html)


# --- the renderer, payload by payload ---------------------------------------------------


def test_every_payload_renders_to_html_a_post_may_hold() -> None:
    problems = Problems()
    for payload in EVERY_PAYLOAD:
        problems.extend(payload.origin, post_html_problems(render_markdown(payload.text)))
    problems.assert_none()


# --- bodies ------------------------------------------------------------------------------


@pytest.fixture
def poster(person: Callable[..., Person]) -> Person:
    return person()


@pytest.mark.parametrize("door", DOORS)
def test_thread_bodies_are_stored_exactly_and_shown_inert(poster: Person, web: TestClient, door: str) -> None:
    problems = Problems()
    texts = [payload.text for payload in EVERY_PAYLOAD]
    for number, body in enumerate(batches(texts, BODY)):
        where = f"thread body batch {number} via {door}"
        response = start_thread(poster, web, door, title=f"Hostile bodies, part {number}", body=body)
        thread_id = new_thread_id(response, door)
        if thread_id is None:
            problems.add(where, f"refused: {response.status_code} {response.text[:300]}")
            continue
        thread = web.get(f"/api/v1/threads/{thread_id}", headers=poster.headers).json()
        if thread["body"] != BODY.stored(body):
            problems.add(where, "the body read back is not the body sent")
        problems.extend(f"{where} body_html", post_html_problems(thread["body_html"]))
        check_shown_page(problems, where, poster.browser, f"/threads/{thread_id}", thread["body_html"])
    problems.assert_none()


@pytest.mark.parametrize("door", DOORS)
def test_bodies_the_rules_refuse_are_refused_clearly_and_not_stored(
    poster: Person, web: TestClient, database: Database, door: str
) -> None:
    thread = plain_thread(poster, web, "A thread to comment on")
    threads, comments = rows(database, Thread), rows(database, Comment)
    problems = Problems()
    for payload in refused(EVERY_PAYLOAD, BODY):
        response = start_thread(poster, web, door, title="A refused body", body=payload.text)
        check_refusal(problems, f"{payload.origin} as a thread body via {door}", response, door, "body", payload.text)
        response = add_comment(poster, web, door, thread["id"], payload.text)
        check_refusal(problems, f"{payload.origin} as a comment via {door}", response, door, "body", payload.text)
    assert (rows(database, Thread), rows(database, Comment)) == (threads, comments)
    problems.assert_none()


@pytest.mark.parametrize("door", DOORS)
def test_comments_are_stored_exactly_and_shown_inert(poster: Person, web: TestClient, door: str) -> None:
    thread = plain_thread(poster, web, "Comments from the lists")
    problems = Problems()
    sent: dict[int, str] = {}
    for number, body in enumerate(batches(reversed([payload.text for payload in EVERY_PAYLOAD]), COMMENT_BATCH)):
        response = add_comment(poster, web, door, thread["id"], body)
        if response.status_code not in (201, 303):
            problems.add(f"comment batch {number} via {door}", f"refused: {response.status_code} {response.text[:300]}")
            continue
        comment_id = response.json()["id"] if door == "api" else _newest_comment_id(web, poster, thread["id"])
        sent[comment_id] = body
    listed = _all_comments(web, poster, thread["id"])
    fragments = []
    for comment_id, body in sent.items():
        comment = listed.get(comment_id)
        if comment is None or comment["body"] != BODY.stored(body):
            problems.add(f"comment {comment_id} via {door}", "not read back exactly as sent")
            continue
        problems.extend(f"comment {comment_id} body_html", post_html_problems(comment["body_html"]))
        fragments.append(comment["body_html"])
    check_shown_page(
        problems, f"comments via {door}", poster.browser, f"/threads/{thread['id']}?order=oldest", *fragments
    )
    problems.assert_none()


def _all_comments(web: TestClient, poster: Person, thread_id: int) -> dict[int, dict]:
    comments: dict[int, dict] = {}
    cursor = ""
    while True:
        page = web.get(
            f"/api/v1/threads/{thread_id}/comments",
            params={"limit": 100, "cursor": cursor or None},
            headers=poster.headers,
        ).json()
        comments |= {comment["id"]: comment for comment in page["items"]}
        if not (cursor := page["next_cursor"]):
            return comments


def _newest_comment_id(web: TestClient, poster: Person, thread_id: int) -> int:
    page = web.get(
        f"/api/v1/threads/{thread_id}/comments", params={"order": "newest", "limit": 1}, headers=poster.headers
    )
    return page.json()["items"][0]["id"]


def edit_post(poster: Person, web: TestClient, door: str, thread_id: int, comment_id: int, title: str, body: str):
    """Give a thread a new title and body, and a comment that body, through one door; both answers."""
    if door == "api":
        changes = {"title": title, "body": body, "confirm_identifiers": True}
        return [
            web.patch(f"/api/v1/threads/{thread_id}", json=changes, headers=poster.headers),
            web.patch(
                f"/api/v1/comments/{comment_id}",
                json={"body": body, "confirm_identifiers": True},
                headers=poster.headers,
            ),
        ]
    changes = {"title": title, "body": body, "tags": TOPIC, "audience": "members", "confirm_identifiers": "on"}
    return [
        poster.submit(f"/threads/{thread_id}/edit", changes),
        poster.submit(f"/comments/{comment_id}/edit", {"body": body, "confirm_identifiers": "on"}),
    ]


@pytest.mark.parametrize("door", DOORS)
def test_edits_are_stored_exactly_and_shown_inert(poster: Person, web: TestClient, door: str) -> None:
    """A few batches through each edit door: editing has its own routes, held to the same rules."""
    problems = Problems()
    titles = [payload.text for payload in accepted(XSS, TITLE)]
    for number, body in enumerate(list(batches([payload.text for payload in XSS], COMMENT_BATCH))[:EDITS]):
        where = f"edit {number} via {door}"
        thread = plain_thread(poster, web, "Before the edit")
        comment = web.post(
            f"/api/v1/threads/{thread['id']}/comments", json={"body": "Original."}, headers=poster.headers
        )
        title = titles[number * len(titles) // EDITS]
        answers = edit_post(poster, web, door, thread["id"], comment.json()["id"], title, body)
        if [answer.status_code for answer in answers] != ([200, 200] if door == "api" else [303, 303]):
            problems.add(where, f"answered {[(answer.status_code, answer.text[:200]) for answer in answers]}")
            continue
        thread_now = web.get(f"/api/v1/threads/{thread['id']}", headers=poster.headers).json()
        comment_now = _all_comments(web, poster, thread["id"])[comment.json()["id"]]
        stored = (TITLE.stored(title), BODY.stored(body), BODY.stored(body))
        if (thread_now["title"], thread_now["body"], comment_now["body"]) != stored:
            problems.add(where, "the edit did not read back exactly as sent")
        problems.extend(where, post_html_problems(thread_now["body_html"]))
        fragments = (thread_now["body_html"], comment_now["body_html"])
        page = check_shown_page(problems, where, poster.browser, f"/threads/{thread['id']}", *fragments)
        if page is not None and texts_of(page, "h1") != [stored[0]]:
            problems.add(where, f"the edited title is not shown as text: {texts_of(page, 'h1')!r}")
    problems.assert_none()


def test_preview_shows_the_body_inert_and_keeps_it_as_typed(poster: Person) -> None:
    """Previewing (a form-only door) stores nothing and shows the post as it would be, the text still in its box."""
    problems = Problems()
    for number, body in enumerate(batches([payload.text for payload in XSS], BODY)):
        form = {"title": "Previewing", "body": body, "tags": TOPIC, "audience": "members", "intent": "preview"}
        response = poster.submit("/threads", form)
        where = f"preview of batch {number}"
        if response.status_code != 200:
            problems.add(where, f"answered {response.status_code}")
            continue
        problems.extend(where, page_problems(response.text))
        if field_values(parse(response.text)).get("body") != body:
            problems.add(where, "the body box does not hold the text as typed")
    problems.assert_none()


# --- titles, one payload each ------------------------------------------------------------


def _title_doors(payloads: list[Payload]) -> Iterator[tuple[Payload, str]]:
    """Each payload through one door, alternating, so both doors see every kind of payload."""
    for index, payload in enumerate(payloads):
        yield payload, DOORS[index % 2]


def test_titles_are_stored_exactly_or_refused_clearly(poster: Person, web: TestClient, database: Database) -> None:
    problems = Problems()
    expected: dict[int, str] = {}
    for payload, door in _title_doors(EVEN_HALF):
        response = start_thread(poster, web, door, title=payload.text, body="A body that is plain.")
        stored = TITLE.stored(payload.text)
        if stored is None:
            check_refusal(problems, f"{payload.origin} as a title via {door}", response, door, "title", payload.text)
            continue
        thread_id = new_thread_id(response, door)
        if thread_id is None:
            problems.add(payload.origin, f"title via {door} answered {response.status_code}: {response.text[:300]}")
            continue
        expected[thread_id] = stored
    listed = _all_titles(web, poster)
    for thread_id, title in expected.items():
        if listed.get(thread_id) != title:
            problems.add(f"thread {thread_id}", f"title read back as {listed.get(thread_id)!r}, sent {title!r}")
    _check_titles_on_home_pages(problems, poster.browser, expected)
    for thread_id, title in list(expected.items())[::THREAD_PAGE_STRIDE]:
        _check_title_on_thread_page(problems, poster.browser, thread_id, title)
    assert rows(database, Thread) == len(expected)
    problems.assert_none()


def _check_title_on_thread_page(problems: Problems, browser: TestClient, thread_id: int, title: str) -> None:
    """The thread's own page shows its title as the heading's text and at the start of the page title."""
    response = browser.get(f"/threads/{thread_id}")
    problems.extend(f"GET /threads/{thread_id}", page_problems(response.text))
    page = parse(response.text)
    if texts_of(page, "h1") != [title] or not texts_of(page, "title")[0].startswith(title):
        problems.add(
            f"thread {thread_id}", f"shows its title as {texts_of(page, 'h1')!r} / {texts_of(page, 'title')!r}"
        )


def _all_titles(web: TestClient, poster: Person) -> dict[int, str]:
    titles: dict[int, str] = {}
    cursor = None
    while True:
        page = web.get("/api/v1/threads", params={"limit": 100, "cursor": cursor}, headers=poster.headers).json()
        titles |= {thread["id"]: thread["title"] for thread in page["items"]}
        if not (cursor := page["next_cursor"]):
            return titles


def _check_titles_on_home_pages(problems: Problems, browser: TestClient, expected: dict[int, str]) -> None:
    """Every title shows on the home page's pages as the text of its link, and nothing else does."""
    shown: dict[int, str] = {}
    path: str | None = "/"
    while path:
        response = browser.get(path)
        problems.extend(f"GET {path}", page_problems(response.text))
        page = parse(response.text)
        for element in page.elements:
            href = element.attrs.get("href", "")
            if element.tag == "a" and href.startswith("/threads/") and href.removeprefix("/threads/").isdigit():
                shown[int(href.removeprefix("/threads/"))] = element.text
        path = next((e.attrs["href"] for e in page.elements if e.tag == "a" and e.attrs.get("rel") == "next"), None)
    for thread_id, title in expected.items():
        if shown.get(thread_id) != title:
            problems.add(
                f"thread {thread_id}", f"home page shows the title as {shown.get(thread_id)!r}, sent {title!r}"
            )
