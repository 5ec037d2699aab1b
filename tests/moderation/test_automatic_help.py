"""The forum's automatic help for moderators, proved through the API and the pages:

- content reported by ``auto_hide_reports`` distinct members is held (hidden from everyone but
  its author and moderators) until a moderator dismisses the reports;
- with ``approve_first_posts`` set, a new member's first posts wait for approval;
- admins keep a list of watched words: a member's post containing one (whole word, any case)
  is flagged, or held, in the queue;
- a post that seems to name a client (a phone number, an email address…) is refused until the
  author confirms it, and is then held, without the identifying details reaching the queue's
  report or the public transparency log;
- a moderator's view of an item shows the reported words in context and as they were before
  any later edit, and the queue can be narrowed to one topic;
- the system-only report reasons cannot be chosen by a member.
"""

import pytest
from fastapi.testclient import TestClient

from tests.factories import post_form

API = "/api/v1"
QUEUE = f"{API}/moderation/queue"
WORDS = f"{API}/moderation/watched-words"
REASON = "Looked at it carefully."
PHONE = "555-867-5309"
PHONE_TEXT = f"Call her on {PHONE} if she cancels again."
EMAIL_TEXT = "Or email her at jane.doe@example.com about the refund."
ORDINARY_TEXT = "She is 22 years old, practising since 2010 in WA and NC"
GENERIC_PHONE_DIGITS = "5309"


# --- helpers -------------------------------------------------------------------------


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def _shown(client: TestClient, headers: dict, thread_id: int) -> dict[int, str]:
    """The comments of a thread this viewer is shown: id -> visibility."""
    items = _ok(client.get(f"{API}/threads/{thread_id}/comments", headers=headers))["items"]
    return {c["id"]: c["visibility"] for c in items}


def _comment_count(client: TestClient, headers: dict, thread_id: int) -> int:
    return _ok(client.get(f"{API}/threads/{thread_id}", headers=headers))["comment_count"]


def _thread_ids(client: TestClient, headers: dict) -> list[int]:
    return [t["id"] for t in _ok(client.get(f"{API}/threads", headers=headers))["items"]]


def _report(client: TestClient, headers: dict, target_type: str, target_id: int, reason: str = "spam", **extra):
    payload = {"target_type": target_type, "target_id": target_id, "reason": reason, **extra}
    return client.post(f"{API}/reports", headers=headers, json=payload)


def _queue(client: TestClient, headers: dict, **params: str) -> list[dict]:
    return _ok(client.get(QUEUE, headers=headers, params=params))["items"]


def _item_about(client: TestClient, headers: dict, target_type: str, target_id: int, **params: str) -> dict | None:
    """The active queue item about one target, or None."""
    found = [
        i for i in _queue(client, headers, **params) if (i["target_type"], i["target_id"]) == (target_type, target_id)
    ]
    assert len(found) <= 1
    return found[0] if found else None


def _act(client: TestClient, headers: dict, item_id: int, action: str):
    return client.post(
        f"{API}/moderation/items/{item_id}/actions", headers=headers, json={"action": action, "reason": REASON}
    )


def _comment(client: TestClient, headers: dict, thread_id: int, body: str, **extra: object):
    return client.post(f"{API}/threads/{thread_id}/comments", headers=headers, json={"body": body, **extra})


def _start_thread(client: TestClient, headers: dict, title: str, body: str, **extra: object):
    payload = {"title": title, "body": body, "tags": ["boundaries"], **extra}
    return client.post(f"{API}/threads", headers=headers, json=payload)


def _events(client: TestClient, headers: dict, **filters: object) -> list[dict]:
    return _ok(client.get(f"{API}/moderation/log", headers=headers, params=filters))["items"]


def _transparency(client: TestClient) -> dict:
    return _ok(client.get(f"{API}/transparency"))


# --- 1. reports from several members hold the content -----------------------------------


def test_the_third_distinct_reporter_holds_a_comment_until_a_moderator_dismisses(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public")
    comment = factory.comment(author, thread, body="A reply some readers object to.")
    reporters = [factory.member() for _ in range(3)]
    reader, moderator = factory.headers(factory.member()), factory.headers(factory.member(role="moderator"))
    visitor: dict = {}

    for reporter in reporters[:2]:
        assert _report(client, factory.headers(reporter), "comment", comment.id).status_code == 201
    # The same member again is not a new reporter.
    assert _report(client, factory.headers(reporters[0]), "comment", comment.id).status_code == 409
    assert _shown(client, reader, thread.id) == {comment.id: "visible"}
    assert _comment_count(client, visitor, thread.id) == 1

    assert _report(client, factory.headers(reporters[2]), "comment", comment.id, "harassment").status_code == 201
    for other in (reader, visitor):
        assert _shown(client, other, thread.id) == {}
        assert _comment_count(client, other, thread.id) == 0
    assert _shown(client, factory.headers(author), thread.id) == {comment.id: "held"}
    assert _shown(client, moderator, thread.id) == {comment.id: "held"}

    holds = _events(client, moderator, action="hold", target_type="comment", target_id=comment.id)
    assert [(e["actor_id"], e["subject_id"], e["state_before"], e["state_after"]) for e in holds] == [
        (None, author.id, "visible", "held")
    ]

    item = _item_about(client, moderator, "comment", comment.id)
    assert item is not None and item["report_count"] == 3
    dismissed = _ok(_act(client, moderator, item["id"], "dismiss"))
    assert (dismissed["status"], dismissed["resolution"]) == ("resolved", "dismiss")
    assert _shown(client, reader, thread.id) == {comment.id: "visible"}
    assert _comment_count(client, visitor, thread.id) == 1
    for reporter in reporters:
        mine = _ok(client.get(f"{API}/reports/mine", headers=factory.headers(reporter)))
        assert [(r["target_id"], r["status"], r["outcome"]) for r in mine] == [(comment.id, "closed", "dismiss")]


def test_with_auto_hide_at_one_a_single_report_holds_the_comment(build_app) -> None:
    client, factory = build_app(auto_hide_reports=1)
    author = factory.member()
    thread = factory.thread(author)
    comment = factory.comment(author, thread)
    reader = factory.headers(factory.member())
    assert _shown(client, reader, thread.id) == {comment.id: "visible"}

    assert _report(client, factory.headers(factory.member()), "comment", comment.id).status_code == 201
    assert _shown(client, reader, thread.id) == {}
    assert _comment_count(client, reader, thread.id) == 0
    assert _shown(client, factory.headers(author), thread.id) == {comment.id: "held"}


def test_a_thread_reported_three_times_leaves_the_lists_of_other_members(client, factory, make_client) -> None:
    author = factory.member()
    title = "Reported thread about a difficult client"
    thread = factory.thread(author, title=title)
    reader = factory.member()
    browser = factory.login(make_client(), reader)
    assert thread.id in _thread_ids(client, factory.headers(reader))
    assert title in browser.get("/").text

    for _ in range(3):
        assert _report(client, factory.headers(factory.member()), "thread", thread.id).status_code == 201

    assert thread.id not in _thread_ids(client, factory.headers(reader))
    home = browser.get("/")
    assert home.status_code == 200 and title not in home.text
    assert client.get(f"{API}/threads/{thread.id}", headers=factory.headers(reader)).status_code == 404
    assert thread.id in _thread_ids(client, factory.headers(author))
    assert thread.id in _thread_ids(client, factory.headers(factory.member(role="moderator")))


# --- 2. a new member's first posts -----------------------------------------------------


def test_a_new_members_first_two_posts_wait_and_the_third_appears(build_app) -> None:
    client, factory = build_app(approve_first_posts=2)
    host_thread = factory.thread(factory.member(), audience="public")
    newcomer = factory.headers(factory.member())
    reader, moderator = factory.headers(factory.member()), factory.headers(factory.member(role="moderator"))

    first = _ok(_start_thread(client, newcomer, "My first question here", "How do you say no kindly?"), 201)
    second = _ok(_comment(client, newcomer, host_thread.id, "Hello, I am new."), 201)
    third = _ok(_comment(client, newcomer, host_thread.id, "And a second comment."), 201)
    assert [p["visibility"] for p in (first, second, third)] == ["held", "held", "visible"]

    assert client.get(f"{API}/threads/{first['id']}", headers=reader).status_code == 404
    assert first["id"] not in _thread_ids(client, reader)
    assert _shown(client, reader, host_thread.id) == {third["id"]: "visible"}
    assert _comment_count(client, {}, host_thread.id) == 1
    assert _shown(client, newcomer, host_thread.id) == {second["id"]: "held", third["id"]: "visible"}

    new_member_items = _queue(client, moderator, reason="new_member")
    assert sorted((i["target_type"], i["target_id"], tuple(i["reasons"])) for i in new_member_items) == [
        ("comment", second["id"], ("new_member",)),
        ("thread", first["id"], ("new_member",)),
    ]


@pytest.mark.parametrize("approval", ["item dismiss", "content restore"])
def test_approving_a_new_members_held_comment_shows_and_counts_it(build_app, approval) -> None:
    client, factory = build_app(approve_first_posts=2)
    thread = factory.thread(factory.member())
    newcomer = factory.headers(factory.member())
    reader, moderator = factory.headers(factory.member()), factory.headers(factory.member(role="moderator"))
    held = _ok(_comment(client, newcomer, thread.id, "Hello from a new member."), 201)
    assert held["visibility"] == "held"
    assert _comment_count(client, reader, thread.id) == 0

    if approval == "item dismiss":
        item = _item_about(client, moderator, "comment", held["id"])
        assert item is not None and item["reasons"] == ["new_member"]
        assert _ok(_act(client, moderator, item["id"], "dismiss"))["resolution"] == "dismiss"
    else:
        restored = client.post(
            f"{API}/moderation/comments/{held['id']}/actions",
            headers=moderator,
            json={"action": "restore", "reason": REASON},
        )
        assert (_ok(restored)["state_before"], restored.json()["state_after"]) == ("held", "visible")

    assert _shown(client, reader, thread.id) == {held["id"]: "visible"}
    assert _comment_count(client, reader, thread.id) == 1


def test_a_moderators_first_posts_are_never_held(build_app) -> None:
    client, factory = build_app(approve_first_posts=2)
    moderator = factory.headers(factory.member(role="moderator"))
    thread = _ok(_start_thread(client, moderator, "A moderator's first thread", "Welcome, everyone."), 201)
    comment = _ok(_comment(client, moderator, thread["id"], "And a first comment."), 201)
    assert (thread["visibility"], comment["visibility"]) == ("visible", "visible")
    assert _queue(client, moderator) == []


def test_by_default_no_new_members_post_is_held(client, factory) -> None:
    newcomer = factory.headers(factory.member())
    thread = _ok(_start_thread(client, newcomer, "A first question", "Is this the right place?"), 201)
    comment = _ok(_comment(client, newcomer, thread["id"], "Adding a detail."), 201)
    assert (thread["visibility"], comment["visibility"]) == ("visible", "visible")
    reader = factory.headers(factory.member())
    assert _shown(client, reader, thread["id"]) == {comment["id"]: "visible"}
    assert _queue(client, factory.headers(factory.member(role="moderator"))) == []


# --- 3. watched words ------------------------------------------------------------------


def test_only_admins_change_the_watched_words(client, factory) -> None:
    admin = factory.headers(factory.member(role="admin"))
    moderator = factory.headers(factory.member(role="moderator"))
    member = factory.headers(factory.member())
    word = {"phrase": "spam", "mode": "flag"}

    assert client.post(WORDS, json=word).status_code == 401
    assert client.post(WORDS, headers=member, json=word).status_code == 403
    assert client.post(WORDS, headers=moderator, json=word).status_code == 403
    added = _ok(client.post(WORDS, headers=admin, json={"phrase": "  Cash Only ", "mode": "hold"}), 201)
    assert (added["phrase"], added["mode"]) == ("cash only", "hold")
    assert client.post(WORDS, headers=admin, json={"phrase": "CASH ONLY"}).status_code == 409
    assert client.post(WORDS, headers=admin, json={"phrase": "x"}).status_code == 422
    assert client.post(WORDS, headers=admin, json={"phrase": "fine", "mode": "shout"}).status_code == 422

    assert [w["phrase"] for w in _ok(client.get(WORDS, headers=moderator))] == ["cash only"]
    assert client.get(WORDS, headers=member).status_code == 403
    assert client.get(WORDS).status_code == 401
    assert client.delete(f"{WORDS}/{added['id']}", headers=moderator).status_code == 403
    assert client.delete(f"{WORDS}/{added['id']}", headers=member).status_code == 403
    assert client.delete(f"{WORDS}/{added['id']}", headers=admin).status_code == 204
    assert client.delete(f"{WORDS}/{added['id']}", headers=admin).status_code == 404
    assert _ok(client.get(WORDS, headers=admin)) == []


def test_the_watched_words_page_lets_an_admin_add_and_remove(client, factory, make_client) -> None:
    admin_browser = factory.login(make_client(), factory.member(role="admin"))
    moderator_browser = factory.login(make_client(), factory.member(role="moderator"))
    member_browser = factory.login(make_client(), factory.member())

    added = post_form(admin_browser, "/moderation/watched-words", {"phrase": "Happy Ending", "mode": "hold"})
    assert (added.status_code, added.headers["location"]) == (303, "/moderation/watched-words")
    (word,) = _ok(client.get(WORDS, headers=factory.headers(factory.member(role="admin"))))
    assert (word["phrase"], word["mode"]) == ("happy ending", "hold")
    assert "happy ending" in admin_browser.get("/moderation/watched-words").text

    duplicate = post_form(admin_browser, "/moderation/watched-words", {"phrase": "happy ending", "mode": "flag"})
    assert duplicate.status_code == 409 and "already on the list" in duplicate.text
    too_short = post_form(admin_browser, "/moderation/watched-words", {"phrase": "x", "mode": "flag"})
    assert too_short.status_code == 422

    moderator_page = moderator_browser.get("/moderation/watched-words")
    assert moderator_page.status_code == 200 and "happy ending" in moderator_page.text
    assert 'action="/moderation/watched-words"' not in moderator_page.text
    refused = post_form(moderator_browser, "/moderation/watched-words", {"phrase": "another", "mode": "flag"})
    assert refused.status_code == 403
    assert member_browser.get("/moderation/watched-words").status_code == 403

    removed = post_form(admin_browser, f"/moderation/watched-words/{word['id']}/delete")
    assert removed.status_code == 303
    assert _ok(client.get(WORDS, headers=factory.headers(factory.member(role="admin")))) == []


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        ("This is SPAM, plain and simple.", True),
        ("Spam", True),
        ("I report spam-like messages.", True),
        ("I keep spamming my own notes.", False),
        ("Our antispam filter caught it.", False),
    ],
)
def test_a_flagged_word_matches_whole_words_in_any_case(client, factory, body, flagged) -> None:
    admin = factory.headers(factory.member(role="admin"))
    _ok(client.post(WORDS, headers=admin, json={"phrase": "spam", "mode": "flag"}), 201)
    thread = factory.thread(factory.member())

    comment = _ok(_comment(client, factory.headers(factory.member()), thread.id, body), 201)
    assert comment["visibility"] == "visible"  # flagged only: it still appears
    assert comment["id"] in _shown(client, factory.headers(factory.member()), thread.id)
    item = _item_about(client, admin, "comment", comment["id"])
    if flagged:
        assert item is not None and item["reasons"] == ["watched_word"]
    else:
        assert item is None


def test_a_held_word_keeps_the_post_from_others_and_moderators_are_not_checked(client, factory) -> None:
    admin = factory.headers(factory.member(role="admin"))
    word = _ok(client.post(WORDS, headers=admin, json={"phrase": "cash only", "mode": "hold"}), 201)
    thread = factory.thread(factory.member())
    member, reader = factory.headers(factory.member()), factory.headers(factory.member())
    moderator = factory.headers(factory.member(role="moderator"))

    held = _ok(_comment(client, member, thread.id, "They take Cash Only, no receipts."), 201)
    assert held["visibility"] == "held"
    assert held["id"] not in _shown(client, reader, thread.id)
    assert _comment_count(client, reader, thread.id) == 0
    item = _item_about(client, moderator, "comment", held["id"], reason="watched_word")
    assert item is not None and item["reasons"] == ["watched_word"]

    held_thread = _ok(_start_thread(client, member, "Cash only practices", "Is that legal?"), 201)
    assert held_thread["visibility"] == "held"
    assert client.get(f"{API}/threads/{held_thread['id']}", headers=reader).status_code == 404

    by_moderator = _ok(_comment(client, moderator, thread.id, "Cash only is a red flag."), 201)
    assert by_moderator["visibility"] == "visible"
    assert _item_about(client, moderator, "comment", by_moderator["id"]) is None

    assert client.delete(f"{WORDS}/{word['id']}", headers=admin).status_code == 204
    after_removal = _ok(_comment(client, member, thread.id, "Cash only, again."), 201)
    assert after_removal["visibility"] == "visible"
    assert _item_about(client, moderator, "comment", after_removal["id"]) is None


# --- 4. the confidentiality check ------------------------------------------------------


def _assert_asks_for_confirmation(response) -> None:
    """A 422 naming both the body and the confirm_identifiers field (the API's errors are one message)."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "body may identify a client" in detail
    assert "confirm identifiers must be ticked" in detail


def _assert_confidentiality_item_without_details(client, moderator: dict, target_type: str, target_id: int) -> None:
    item = _item_about(client, moderator, target_type, target_id, reason="confidentiality")
    assert item is not None
    detail = _ok(client.get(f"{API}/moderation/items/{item['id']}", headers=moderator))
    flags = [r for r in detail["reports"] if r["reason"] == "confidentiality"]
    assert [r["reporter_id"] for r in flags] == [None]
    for report in detail["reports"]:
        assert PHONE not in report["details"] and GENERIC_PHONE_DIGITS not in report["details"]
        assert "jane.doe" not in report["details"]


def _assert_automatic_hold_logged(client, moderator: dict, target_type: str, target_id: int) -> None:
    """The moderators' log records the hold as automatic, visible -> held (so it can be undone)."""
    events = _events(client, moderator, target_type=target_type, target_id=target_id)
    holds = [(e["actor_id"], e["state_before"], e["state_after"]) for e in events if e["action"] == "hold"]
    assert holds == [(None, "visible", "held")], [(e["action"], e["state_before"], e["state_after"]) for e in events]


def _assert_public_automatic_hold(client, target_type: str) -> None:
    page = _transparency(client)
    holds = [e for e in page["items"] if (e["action"], e["target_type"], e["automatic"]) == ("hold", target_type, True)]
    assert len(holds) == 1, page
    assert holds[0]["reason"] and GENERIC_PHONE_DIGITS not in holds[0]["reason"]
    assert PHONE not in str(page) and "jane.doe" not in str(page)


def test_a_comment_with_a_phone_number_is_refused_then_held_when_confirmed(client, factory) -> None:
    thread = factory.thread(factory.member())
    author = factory.headers(factory.member())
    reader, moderator = factory.headers(factory.member()), factory.headers(factory.member(role="moderator"))

    _assert_asks_for_confirmation(_comment(client, author, thread.id, PHONE_TEXT))
    assert _shown(client, moderator, thread.id) == {}
    assert _comment_count(client, moderator, thread.id) == 0

    confirmed = _ok(_comment(client, author, thread.id, PHONE_TEXT, confirm_identifiers=True), 201)
    assert confirmed["visibility"] == "held"
    assert _shown(client, reader, thread.id) == {}
    assert _shown(client, author, thread.id) == {confirmed["id"]: "held"}
    _assert_confidentiality_item_without_details(client, moderator, "comment", confirmed["id"])
    _assert_automatic_hold_logged(client, moderator, "comment", confirmed["id"])
    _assert_public_automatic_hold(client, "comment")


def test_ordinary_numbers_of_practice_post_normally(client, factory) -> None:
    thread = factory.thread(factory.member())
    posted = _ok(_comment(client, factory.headers(factory.member()), thread.id, ORDINARY_TEXT), 201)
    assert posted["visibility"] == "visible"
    assert _shown(client, factory.headers(factory.member()), thread.id) == {posted["id"]: "visible"}
    assert _queue(client, factory.headers(factory.member(role="moderator"))) == []


def test_editing_an_email_address_into_a_comment_asks_then_holds(client, factory) -> None:
    thread = factory.thread(factory.member())
    member = factory.member()
    author = factory.headers(member)
    reader, moderator = factory.headers(factory.member()), factory.headers(factory.member(role="moderator"))
    comment = factory.comment(member, thread, body="She cancelled again.")

    refused = client.patch(f"{API}/comments/{comment.id}", headers=author, json={"body": EMAIL_TEXT})
    _assert_asks_for_confirmation(refused)
    listed = _ok(client.get(f"{API}/threads/{thread.id}/comments", headers=reader))["items"]
    assert [(c["body"], c["visibility"]) for c in listed] == [("She cancelled again.", "visible")]
    assert _ok(client.get(f"{API}/comments/{comment.id}/revisions", headers=author)) == []

    edited = client.patch(
        f"{API}/comments/{comment.id}", headers=author, json={"body": EMAIL_TEXT, "confirm_identifiers": True}
    )
    assert _ok(edited)["visibility"] == "held"
    assert _shown(client, reader, thread.id) == {}
    assert _comment_count(client, reader, thread.id) == 0
    _assert_confidentiality_item_without_details(client, moderator, "comment", comment.id)
    _assert_automatic_hold_logged(client, moderator, "comment", comment.id)
    _assert_public_automatic_hold(client, "comment")


def test_the_comment_form_offers_the_confirmation_box_and_holds_the_comment(client, factory, make_client) -> None:
    thread = factory.thread(factory.member())
    member = factory.member()
    browser = factory.login(make_client(), member)
    path = f"/threads/{thread.id}/comments"

    refused = post_form(browser, path, {"body": PHONE_TEXT})
    assert refused.status_code == 422
    assert 'type="checkbox" id="confirm_identifiers" name="confirm_identifiers"' in refused.text
    assert _shown(client, factory.headers(member), thread.id) == {}

    sent = post_form(browser, path, {"body": PHONE_TEXT, "confirm_identifiers": "on"})
    assert sent.status_code == 303
    (comment_id,) = _shown(client, factory.headers(member), thread.id)
    assert _shown(client, factory.headers(member), thread.id) == {comment_id: "held"}
    assert _shown(client, factory.headers(factory.member()), thread.id) == {}


def test_a_new_thread_with_a_phone_number_is_refused_then_held_when_confirmed(client, factory) -> None:
    member = factory.member()
    author = factory.headers(member)
    reader, moderator = factory.headers(factory.member()), factory.headers(factory.member(role="moderator"))
    title = "A client who keeps cancelling"

    _assert_asks_for_confirmation(_start_thread(client, author, title, PHONE_TEXT))
    assert _thread_ids(client, author) == []

    confirmed = _ok(_start_thread(client, author, title, PHONE_TEXT, confirm_identifiers=True), 201)
    assert (confirmed["visibility"], confirmed["tags"]) == ("held", ["boundaries"])
    assert client.get(f"{API}/threads/{confirmed['id']}", headers=reader).status_code == 404
    assert confirmed["id"] not in _thread_ids(client, reader)
    assert _thread_ids(client, author) == [confirmed["id"]]
    _assert_confidentiality_item_without_details(client, moderator, "thread", confirmed["id"])
    _assert_automatic_hold_logged(client, moderator, "thread", confirmed["id"])
    _assert_public_automatic_hold(client, "thread")


def test_the_new_thread_form_offers_the_confirmation_box_and_holds_the_thread(client, factory, make_client) -> None:
    member = factory.member()
    browser = factory.login(make_client(), member)
    form = {"title": "A client who keeps cancelling", "body": PHONE_TEXT, "tags": ["boundaries"], "audience": "members"}

    refused = post_form(browser, "/threads", form)
    assert refused.status_code == 422
    assert 'name="confirm_identifiers"' in refused.text
    assert _thread_ids(client, factory.headers(member)) == []

    sent = post_form(browser, "/threads", {**form, "confirm_identifiers": "on"})
    assert sent.status_code == 303
    (thread_id,) = _thread_ids(client, factory.headers(member))
    assert sent.headers["location"] == f"/threads/{thread_id}"
    assert _ok(client.get(f"{API}/threads/{thread_id}", headers=factory.headers(member)))["visibility"] == "held"
    assert client.get(f"{API}/threads/{thread_id}", headers=factory.headers(factory.member())).status_code == 404


# --- 5. what a moderator sees of an item ------------------------------------------------


def test_an_items_detail_keeps_the_reported_words_after_the_author_edits(client, factory) -> None:
    member = factory.member()
    author = factory.headers(member)
    moderator = factory.headers(factory.member(role="moderator"))
    thread = factory.thread(factory.member())
    earlier = factory.comment(member, thread, body="An earlier rude reply.")
    hidden = client.post(
        f"{API}/moderation/comments/{earlier.id}/actions", headers=moderator, json={"action": "hide", "reason": REASON}
    )
    hide_event = _ok(hidden)
    original = "The words that were reported."
    comment = factory.comment(member, thread, body=original)
    reporter = factory.member()
    report = _report(client, factory.headers(reporter), "comment", comment.id, "harassment", details="Rude to me.")
    assert report.status_code == 201

    item = _item_about(client, moderator, "comment", comment.id)
    assert item is not None
    path = f"{API}/moderation/items/{item['id']}"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=author).status_code == 403
    assert client.get(path, headers=factory.headers(reporter)).status_code == 403
    detail = _ok(client.get(path, headers=moderator))
    assert (detail["author_id"], detail["body"], detail["visibility"]) == (member.id, original, "visible")
    assert [(r["reporter_id"], r["reason"], r["details"]) for r in detail["reports"]] == [
        (reporter.id, "harassment", "Rude to me.")
    ]
    assert [(e["id"], e["action"], e["target_id"]) for e in detail["author_history"]] == [
        (hide_event["id"], "hide", earlier.id)
    ]
    assert detail["revisions"] == []

    assert _ok(client.patch(f"{API}/comments/{comment.id}", headers=author, json={"body": "Nothing to see."}))
    after_edit = _ok(client.get(path, headers=moderator))
    assert after_edit["body"] == "Nothing to see."
    assert [r["previous_body"] for r in after_edit["revisions"]] == [original]


def test_the_item_page_shows_the_comment_in_context_and_its_edit_history(client, factory, make_client) -> None:
    member = factory.member()
    thread = factory.thread(factory.member())
    comments = [factory.comment(member, thread, body=f"Context comment {letter}.") for letter in "ABCDEFG"]
    reported = comments[3]
    assert _report(client, factory.headers(factory.member()), "comment", reported.id).status_code == 201
    moderator = factory.member(role="moderator")
    item = _item_about(client, factory.headers(moderator), "comment", reported.id)
    assert item is not None
    edit = {"body": "Context comment D, softened."}
    assert _ok(client.patch(f"{API}/comments/{reported.id}", headers=factory.headers(member), json=edit))

    browser = factory.login(make_client(), moderator)
    page = browser.get(f"/moderation/items/{item['id']}")
    assert page.status_code == 200
    shown = {c.id for c in comments if f'id="context-{c.id}"' in page.text}
    assert shown == {c.id for c in comments[1:6]}
    assert "Context comment A." not in page.text and "Context comment G." not in page.text
    assert "Context comment D, softened." in page.text
    assert "Edit history" in page.text and "Context comment D.</pre>" in page.text

    member_browser = factory.login(make_client(), factory.member())
    assert member_browser.get(f"/moderation/items/{item['id']}").status_code == 403


def test_the_queue_can_be_narrowed_to_one_topic(client, factory, make_client) -> None:
    author = factory.member()
    on_boundaries = factory.thread(author, tags=("boundaries",))
    on_trading = factory.thread(author, tags=("trading-services",))
    comment_on_boundaries = factory.comment(author, on_boundaries)
    comment_on_trading = factory.comment(author, on_trading)
    for target_type, target in (
        ("thread", on_boundaries),
        ("thread", on_trading),
        ("comment", comment_on_boundaries),
        ("comment", comment_on_trading),
    ):
        assert _report(client, factory.headers(factory.member()), target_type, target.id).status_code == 201
    moderator = factory.member(role="moderator")
    headers = factory.headers(moderator)
    ids = {(i["target_type"], i["target_id"]): i["id"] for i in _queue(client, headers)}
    assert len(ids) == 4

    boundaries = {(i["target_type"], i["target_id"]) for i in _queue(client, headers, topic="boundaries")}
    assert boundaries == {("thread", on_boundaries.id), ("comment", comment_on_boundaries.id)}
    trading = {(i["target_type"], i["target_id"]) for i in _queue(client, headers, topic="trading-services")}
    assert trading == {("thread", on_trading.id), ("comment", comment_on_trading.id)}
    assert client.get(QUEUE, headers=headers, params={"topic": "no-such-topic"}).status_code == 404

    browser = factory.login(make_client(), moderator)
    page = browser.get("/moderation", params={"topic": "boundaries"})
    assert page.status_code == 200
    linked = {key for key, item_id in ids.items() if f'href="/moderation/items/{item_id}"' in page.text}
    assert linked == boundaries
    assert browser.get("/moderation", params={"topic": "no-such-topic"}).status_code == 404


# --- 6. reasons only the forum itself may give -------------------------------------------


@pytest.mark.parametrize("reason", ["new_member", "watched_word"])
def test_a_member_cannot_report_with_a_system_reason(client, factory, reason) -> None:
    thread = factory.thread(factory.member())
    response = _report(client, factory.headers(factory.member()), "thread", thread.id, reason)
    assert response.status_code == 422
    assert _queue(client, factory.headers(factory.member(role="moderator"))) == []
