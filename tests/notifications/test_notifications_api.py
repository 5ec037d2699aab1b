"""Notifications through the JSON API: who is told of what, grouping, following, muting and preferences.

What this file proves:

* a comment tells the thread's author and earlier commenters, never the commenter, and never a
  member who did not take part or follow;
* replies by anyone gather in one unread line per thread whose count and time grow; once read,
  the next reply starts a new line; the unread count counts lines, not replies;
* marking one, several or all lines read, never another member's;
* following and unfollowing a thread or a topic, muting (even one's own thread) and unmuting;
* each category of the preferences switches off exactly its own kind of notification;
* nobody is told about a thread they cannot see, and a line about a thread they can no longer
  see stops naming it; a held comment tells nobody until a moderator releases it, then once;
* visitors get 401 from every endpoint, and bad input a clear 4xx that changes nothing.
"""

from collections.abc import Callable

import pytest

from forum.accounts.models import Member
from forum.notifications.models import Category
from forum.notifications.schemas import Preferences
from tests.factories import Factory
from tests.notifications.conftest import API, comment, lines, moderate, ok, set_preferences, start_thread, unread

PHONE_TEXT = "Call her on 555-867-5309 if she cancels again."


@pytest.fixture
def people(factory: Factory) -> dict[str, Member]:
    names = ("Amara Okafor", "Hector Villanueva", "June Nakamura", "Lena Marsh")
    return {name.split()[0].lower(): factory.member(display_name=name) for name in names} | {
        "moderator": factory.member(display_name="Ruth Abernathy", role="moderator")
    }


@pytest.fixture
def headers(factory: Factory, people: dict[str, Member]) -> dict[str, dict[str, str]]:
    return {who: factory.headers(member) for who, member in people.items()}


# --- replies and grouping ----------------------------------------------------------------


def test_a_comment_tells_the_author_and_earlier_commenters_but_never_the_commenter(client, factory, people, headers):
    thread = factory.thread(people["amara"], title="Gifts from a long-term client", audience="public")
    first = comment(client, headers["hector"], thread.id)
    comment(client, headers["june"], thread.id)

    [to_author] = lines(client, headers["amara"])
    assert to_author["kind"] == "reply"
    assert to_author["count"] == 2
    assert to_author["text"] == "2 new replies in “Gifts from a long-term client”"
    assert to_author["link"] == f"/comments/{first['id']}"  # where the new replies start
    assert to_author["thread_id"] == thread.id and to_author["read"] is False

    [to_hector] = lines(client, headers["hector"])
    assert to_hector["text"] == "June Nakamura replied in “Gifts from a long-term client”"
    assert to_hector["actor"] == {"id": people["june"].id, "display_name": "June Nakamura"}

    assert lines(client, headers["june"]) == []  # the one who wrote
    assert lines(client, headers["lena"]) == []  # took no part, follows nothing


def test_commenting_on_ones_own_thread_tells_nobody(client, factory, people, headers):
    thread = factory.thread(people["amara"])
    comment(client, headers["amara"], thread.id)
    comment(client, headers["amara"], thread.id)
    assert lines(client, headers["amara"]) == []
    assert unread(client, headers["amara"]) == 0


def test_twenty_replies_are_one_unread_line_and_after_reading_a_new_reply_starts_a_new_line(
    client, factory, people, headers
):
    thread = factory.thread(people["amara"], title="Dual relationships in a small town")
    repliers = [factory.member() for _ in range(4)]
    for index in range(20):
        comment(client, factory.headers(repliers[index % 4]), thread.id)

    [line] = lines(client, headers["amara"])
    assert line["count"] == 20
    assert line["text"] == "20 new replies in “Dual relationships in a small town”"
    assert line["updated_at"] > line["created_at"]
    assert unread(client, headers["amara"]) == 1

    assert ok(client.post(f"{API}/notifications/read", headers=headers["amara"], json={"ids": [line["id"]]})) == {
        "unread_count": 0
    }
    comment(client, headers["hector"], thread.id)
    newest, older = lines(client, headers["amara"])
    assert (newest["count"], newest["read"], newest["text"]) == (
        1,
        False,
        "Hector Villanueva replied in “Dual relationships in a small town”",
    )
    assert (older["id"], older["count"], older["read"]) == (line["id"], 20, True)
    assert unread(client, headers["amara"]) == 1


def test_marking_read_counts_lines_and_never_touches_another_members(client, factory, people, headers):
    for title in ("First thread of three", "Second thread of three", "Third thread of three"):
        comment(client, headers["hector"], factory.thread(people["amara"], title=title).id)
    comment(client, headers["amara"], factory.thread(people["june"]).id)
    ids = [line["id"] for line in lines(client, headers["amara"])]
    [junes] = lines(client, headers["june"])
    assert unread(client, headers["amara"]) == 3

    mark = f"{API}/notifications/read"
    assert ok(client.post(mark, headers=headers["amara"], json={"ids": [ids[0], junes["id"]]})) == {"unread_count": 2}
    assert unread(client, headers["june"]) == 1
    assert [line["read"] for line in lines(client, headers["june"])] == [False]
    assert ok(client.post(mark, headers=headers["amara"], json={"ids": [ids[0]]})) == {"unread_count": 2}
    assert ok(client.post(mark, headers=headers["amara"], json={"all": True})) == {"unread_count": 0}
    assert [line["read"] for line in lines(client, headers["amara"])] == [True, True, True]


def test_the_list_is_newest_first_in_pages(client, factory, people, headers):
    threads = [factory.thread(people["amara"], title=f"Paged thread number {n}") for n in range(5)]
    for thread in threads:
        comment(client, headers["hector"], thread.id)
    first = ok(client.get(f"{API}/notifications", headers=headers["amara"], params={"limit": 2}))
    second = ok(
        client.get(
            f"{API}/notifications", headers=headers["amara"], params={"limit": 2, "cursor": first["next_cursor"]}
        )
    )
    third = ok(
        client.get(
            f"{API}/notifications", headers=headers["amara"], params={"limit": 2, "cursor": second["next_cursor"]}
        )
    )
    seen = [line["thread_id"] for page in (first, second, third) for line in page["items"]]
    assert seen == [thread.id for thread in reversed(threads)]
    assert third["next_cursor"] is None


# --- following and muting ----------------------------------------------------------------


def test_following_a_thread_tells_of_every_comment_until_unfollowed(client, factory, people, headers):
    thread = factory.thread(people["amara"], title="Trading massage for accounting")
    follow = f"{API}/threads/{thread.id}/follow"
    assert ok(client.post(follow, headers=headers["lena"])) == {"thread_id": thread.id, "state": "following"}
    comment(client, headers["hector"], thread.id)
    [line] = lines(client, headers["lena"])
    assert line["text"] == "Hector Villanueva replied in “Trading massage for accounting”"

    assert ok(client.delete(follow, headers=headers["lena"])) == {"thread_id": thread.id, "state": None}
    client.post(f"{API}/notifications/read", headers=headers["lena"], json={"all": True})
    comment(client, headers["june"], thread.id)
    assert [line["count"] for line in lines(client, headers["lena"])] == [1]  # nothing new


def test_muting_silences_replies_even_on_ones_own_thread_until_unmuted(client, factory, people, headers):
    thread = factory.thread(people["amara"])
    mute = f"{API}/threads/{thread.id}/mute"
    assert ok(client.post(mute, headers=headers["amara"]))["state"] == "muted"
    comment(client, headers["hector"], thread.id)
    assert lines(client, headers["amara"]) == []

    assert ok(client.delete(mute, headers=headers["amara"]))["state"] is None
    comment(client, headers["june"], thread.id)
    assert [line["count"] for line in lines(client, headers["amara"])] == [1]


def test_follow_and_mute_replace_each_other_and_stopping_the_other_changes_nothing(client, factory, people, headers):
    thread = factory.thread(people["amara"])
    base = f"{API}/threads/{thread.id}"
    assert ok(client.post(f"{base}/follow", headers=headers["lena"]))["state"] == "following"
    assert ok(client.post(f"{base}/mute", headers=headers["lena"]))["state"] == "muted"
    assert ok(client.delete(f"{base}/follow", headers=headers["lena"]))["state"] == "muted"
    assert ok(client.post(f"{base}/follow", headers=headers["lena"]))["state"] == "following"
    assert ok(client.delete(f"{base}/mute", headers=headers["lena"]))["state"] == "following"
    comment(client, headers["hector"], thread.id)
    assert len(lines(client, headers["lena"])) == 1


def test_following_a_topic_tells_of_each_new_thread_in_it(client, factory, people, headers):
    assert ok(client.post(f"{API}/topics/boundaries/follow", headers=headers["lena"])) == {
        "topic": "boundaries",
        "following": True,
    }
    start_thread(client, headers["hector"], "A client who keeps texting me", tags=["boundaries", "confidentiality"])
    start_thread(client, headers["june"], "Pricing a sliding scale", tags=["trading-services"])
    start_thread(client, headers["lena"], "My own thread in boundaries")
    [line] = lines(client, headers["lena"])
    assert line["kind"] == "new_thread"
    assert line["text"].startswith("Hector Villanueva started “A client who keeps texting me” in ")
    assert "Boundaries" in line["text"]

    assert ok(client.delete(f"{API}/topics/boundaries/follow", headers=headers["lena"]))["following"] is False
    start_thread(client, headers["june"], "Another boundaries question")
    assert len(lines(client, headers["lena"])) == 1


def test_members_only_threads_reach_members_who_follow(client, factory, people, headers):
    client.post(f"{API}/topics/boundaries/follow", headers=headers["lena"])
    start_thread(client, headers["hector"], "Members only: touch and consent", audience="members")
    assert [line["kind"] for line in lines(client, headers["lena"])] == ["new_thread"]


# --- what a member may not see -----------------------------------------------------------


def test_nobody_is_told_about_a_thread_they_cannot_see(client, factory, people, headers):
    thread = factory.thread(people["amara"], title="A thread moderators will hide")
    comment(client, headers["hector"], thread.id)
    client.post(f"{API}/notifications/read", headers=headers["amara"], json={"all": True})
    moderate(client, headers["moderator"], f"threads/{thread.id}", "hide")

    comment(client, headers["moderator"], thread.id, "A note from the moderators.")
    assert [line["text"] for line in lines(client, headers["amara"]) if not line["read"]] == [
        "Ruth Abernathy replied in “A thread moderators will hide”"  # the author still sees their thread
    ]
    assert lines(client, headers["hector"]) == []  # took part, but may no longer read it


def test_a_line_about_a_thread_the_member_can_no_longer_see_stops_naming_it(client, factory, people, headers):
    thread = factory.thread(people["amara"], title="Words that will be removed")
    comment(client, headers["hector"], thread.id)
    moderate(client, headers["moderator"], f"threads/{thread.id}", "remove")
    [line] = lines(client, headers["amara"])
    assert line["text"] == "Hector Villanueva replied in a thread you can no longer see"
    assert (line["thread_id"], line["comment_id"], line["link"]) == (None, None, None)


def test_a_held_comment_tells_nobody_until_released_and_then_once(client, factory, people, headers):
    thread = factory.thread(people["amara"])
    held = comment(client, headers["hector"], thread.id, PHONE_TEXT, confirm_identifiers=True)
    assert held["visibility"] == "held"
    assert lines(client, headers["amara"]) == []

    [item] = [
        i
        for i in ok(client.get(f"{API}/moderation/queue", headers=headers["moderator"]))["items"]
        if i["target_id"] == held["id"]
    ]
    moderate(client, headers["moderator"], f"items/{item['id']}", "dismiss")
    [line] = lines(client, headers["amara"])
    assert line["count"] == 1 and line["link"] == f"/comments/{held['id']}"

    moderate(client, headers["moderator"], f"comments/{held['id']}", "hide")
    moderate(client, headers["moderator"], f"comments/{held['id']}", "restore")
    assert [line["count"] for line in lines(client, headers["amara"])] == [1]
    assert unread(client, headers["amara"]) == 1


# --- preferences -------------------------------------------------------------------------

Scenario = Callable[..., None]


def _reply(client, factory, people, headers) -> None:
    comment(client, headers["hector"], factory.thread(people["amara"]).id)


def _followed_comment(client, factory, people, headers) -> None:
    thread = factory.thread(people["june"])
    client.post(f"{API}/threads/{thread.id}/follow", headers=headers["amara"])
    comment(client, headers["hector"], thread.id)


def _mention(client, factory, people, headers) -> None:
    comment(
        client, headers["hector"], factory.thread(people["june"]).id, f"What do you think, @{people['amara'].handle}?"
    )


def _report_outcome(client, factory, people, headers) -> None:
    target = comment(client, headers["hector"], factory.thread(people["june"]).id)
    report = {"target_type": "comment", "target_id": target["id"], "reason": "off_topic"}
    ok(client.post(f"{API}/reports", headers=headers["amara"], json=report), 201)
    [item] = ok(client.get(f"{API}/moderation/queue", headers=headers["moderator"]))["items"]
    moderate(client, headers["moderator"], f"items/{item['id']}", "dismiss")


def _warning(client, factory, people, headers) -> None:
    moderate(client, headers["moderator"], f"users/{people['amara'].id}", "warn")


SCENARIOS = {
    "replies": (_reply, "reply"),
    "following": (_followed_comment, "reply"),
    "mentions": (_mention, "mention"),
    "reports": (_report_outcome, "report_outcome"),
    "moderation": (_warning, "warning"),
}


@pytest.mark.parametrize("category", list(SCENARIOS))
def test_each_category_is_on_by_default_on_the_site(client, factory, people, headers, category):
    scenario, kind = SCENARIOS[category]
    scenario(client, factory, people, headers)
    assert [line["kind"] for line in lines(client, headers["amara"])] == [kind]


@pytest.mark.parametrize("category", list(SCENARIOS))
def test_switching_a_category_off_stops_exactly_that_kind(client, factory, people, headers, category):
    chosen = set_preferences(client, headers["amara"], **{category: "off"})
    assert chosen["categories"][category] == "off"
    assert {c: d for c, d in chosen["categories"].items() if c != category} == {
        c: "site" for c in SCENARIOS if c != category
    }
    scenario, _kind = SCENARIOS[category]
    scenario(client, factory, people, headers)
    assert lines(client, headers["amara"]) == []
    assert unread(client, headers["amara"]) == 0


def test_every_category_can_be_chosen_through_the_api() -> None:
    assert set(Preferences.model_fields) == {category.value for category in Category} == set(SCENARIOS)


def test_preferences_show_every_category_and_whether_email_is_offered(client, headers):
    assert ok(client.get(f"{API}/notifications/preferences", headers=headers["amara"])) == {
        "email_available": False,
        "categories": {category: "site" for category in SCENARIOS},
    }


def test_email_cannot_be_chosen_when_the_forum_sends_none(client, headers):
    response = client.put(f"{API}/notifications/preferences", headers=headers["amara"], json={"mentions": "email"})
    assert response.status_code == 422
    assert "does not send email" in response.json()["detail"]
    assert (
        ok(client.get(f"{API}/notifications/preferences", headers=headers["amara"]))["categories"]["mentions"] == "site"
    )


# --- who may ask, and bad input ----------------------------------------------------------

ENDPOINTS = [
    ("get", "/notifications", None),
    ("get", "/notifications/unread-count", None),
    ("post", "/notifications/read", {"all": True}),
    ("get", "/notifications/preferences", None),
    ("put", "/notifications/preferences", {"replies": "off"}),
    ("post", "/threads/{thread}/follow", None),
    ("delete", "/threads/{thread}/follow", None),
    ("post", "/threads/{thread}/mute", None),
    ("delete", "/threads/{thread}/mute", None),
    ("post", "/topics/boundaries/follow", None),
    ("delete", "/topics/boundaries/follow", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_visitors_get_401_from_every_endpoint(client, factory, people, method, path, body):
    thread = factory.thread(people["amara"], audience="public")
    response = client.request(method, API + path.format(thread=thread.id), json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": []},
        {"ids": [1], "all": True},
        {"all": False},
        {"ids": ["one"]},
        {"ids": [0]},
        {"ids": [2**31]},
        {"ids": list(range(1, 102))},
        {"all": True, "everything": True},
        ["all"],
    ],
    ids=["empty", "no-ids", "both", "all-false", "not-a-number", "zero", "too-large", "too-many", "extra", "a-list"],
)
def test_marking_with_bad_input_is_422_and_marks_nothing(client, factory, people, headers, body):
    comment(client, headers["hector"], factory.thread(people["amara"]).id)
    response = client.post(f"{API}/notifications/read", headers=headers["amara"], json=body)
    assert response.status_code == 422
    assert unread(client, headers["amara"]) == 1


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/notifications?cursor=not-a-cursor", None, 400),
        ("get", "/notifications?limit=0", None, 422),
        ("get", "/notifications?limit=101", None, 422),
        ("put", "/notifications/preferences", {"replies": "loudly"}, 422),
        ("put", "/notifications/preferences", {"everything": "off"}, 422),
        ("put", "/notifications/preferences", ["off"], 422),
        ("post", "/threads/0/follow", None, 422),
        ("post", "/threads/2147483648/mute", None, 422),
        ("post", "/threads/2000000000/follow", None, 404),
        ("post", "/topics/Not A Slug/follow", None, 422),
        ("post", "/topics/no-such-topic/follow", None, 404),
    ],
)
def test_bad_input_is_a_clear_4xx(client, headers, method, path, body, status):
    response = client.request(method, API + path, headers=headers["amara"], json=body)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


def test_a_members_only_thread_cannot_be_followed_by_a_member_who_cannot_see_it(client, factory, people, headers):
    thread = factory.thread(people["amara"])
    moderate(client, headers["moderator"], f"threads/{thread.id}", "remove")
    assert client.post(f"{API}/threads/{thread.id}/follow", headers=headers["lena"]).status_code == 404
    assert client.post(f"{API}/threads/{thread.id}/mute", headers=headers["lena"]).status_code == 404
