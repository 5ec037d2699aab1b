"""Bookmarks: a member keeps threads and comments for later, privately.

What this file proves:

* ``POST /api/v1/bookmarks`` bookmarks a thread or a comment (201), and again changes nothing (200,
  the same bookmark); ``GET`` lists them newest first, page by page; ``DELETE`` removes one (204,
  then 404);
* the thread page offers a bookmark form on the thread and on each comment, and the member's own
  page lists the bookmarks with a form to remove each; all through CSRF-protected forms;
* bookmarks are private: another member, a visitor and the API of someone else never see them;
* a target the member may not see cannot be bookmarked (404); a bookmark of something that becomes
  invisible is left out of the list but kept, and shows again when the target is restored;
* malformed input is a 4xx, never a 500;
* the list and the member's page run a fixed number of queries however many bookmarks there are.
"""

import re

import pytest

from tests.factories import form_token, post_form
from tests.threads.test_reading import moderate

API = "/api/v1"
BOOKMARKS = f"{API}/bookmarks"
NOWHERE = 2_000_000
REMOVE_FIELD = '<input type="hidden" name="remove" value="1">'  # in a form that takes a bookmark away


def _bookmark(client, headers, target_type: str, target_id: int):
    return client.post(BOOKMARKS, json={"target_type": target_type, "target_id": target_id}, headers=headers)


def _unbookmark(client, headers, target_type: str, target_id: int):
    body = {"target_type": target_type, "target_id": target_id}
    return client.request("DELETE", BOOKMARKS, json=body, headers=headers)


def _listed(client, headers) -> list[tuple[str, int]]:
    response = client.get(f"{BOOKMARKS}?limit=100", headers=headers)
    assert response.status_code == 200
    return [(item["target_type"], item["target_id"]) for item in response.json()["items"]]


def test_a_member_bookmarks_lists_and_removes_threads_and_comments(client, factory) -> None:
    author, member = factory.member(), factory.member()
    thread = factory.thread(author, title="Gifts from long-standing clients")
    comment = factory.comment(author, thread, body="I accept cards, never money.")
    headers = factory.headers(member)

    added_thread = _bookmark(client, headers, "thread", thread.id)
    assert added_thread.status_code == 201
    assert added_thread.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "target_type": "thread",
        "target_id": thread.id,
        "thread_id": thread.id,
        "thread_title": "Gifts from long-standing clients",
        "comment_body": None,
        "created_at": "",
    }
    added_comment = _bookmark(client, headers, "comment", comment.id)
    assert added_comment.status_code == 201
    assert (added_comment.json()["thread_id"], added_comment.json()["comment_body"]) == (
        thread.id,
        "I accept cards, never money.",
    )

    again = _bookmark(client, headers, "thread", thread.id)
    assert (again.status_code, again.json()) == (200, added_thread.json())
    assert _listed(client, headers) == [("comment", comment.id), ("thread", thread.id)]

    assert _unbookmark(client, headers, "thread", thread.id).status_code == 204
    assert _unbookmark(client, headers, "thread", thread.id).status_code == 404
    assert _listed(client, headers) == [("comment", comment.id)]


def test_the_list_pages_through_bookmarks_newest_first(client, factory) -> None:
    author, member = factory.member(), factory.member()
    headers = factory.headers(member)
    threads = [factory.thread(author) for _ in range(3)]
    for thread in threads:
        assert _bookmark(client, headers, "thread", thread.id).status_code == 201

    first = client.get(f"{BOOKMARKS}?limit=2", headers=headers).json()
    assert [item["target_id"] for item in first["items"]] == [threads[2].id, threads[1].id]
    second = client.get(f"{BOOKMARKS}?limit=2&cursor={first['next_cursor']}", headers=headers).json()
    assert ([item["target_id"] for item in second["items"]], second["next_cursor"]) == ([threads[0].id], None)

    assert client.get(f"{BOOKMARKS}?cursor=not-a-cursor", headers=headers).status_code == 400
    assert client.get(f"{BOOKMARKS}?limit=0", headers=headers).status_code == 422


def test_bookmarks_through_the_thread_page_and_the_members_own_page(client, factory) -> None:
    author, member = factory.member(), factory.member()
    thread = factory.thread(author, title="Hugging clients goodbye")
    comment = factory.comment(author, thread, body="A handshake keeps it clear.")
    factory.login(client, member)
    page = client.get(f"/threads/{thread.id}?order=oldest").text
    assert page.count('action="/bookmarks"') == 2 and REMOVE_FIELD not in page

    back = f"/threads/{thread.id}?order=oldest#comment-{comment.id}"
    added = post_form(client, "/bookmarks", {"target_type": "comment", "target_id": str(comment.id), "next": back})
    assert (added.status_code, added.headers["location"]) == (303, back)
    post_form(client, "/bookmarks", {"target_type": "thread", "target_id": str(thread.id)})
    page = client.get(f"/threads/{thread.id}?order=oldest").text
    assert page.count(REMOVE_FIELD) == 2

    own_page = client.get(f"/members/{member.id}").text
    assert "Your bookmarks" in own_page
    assert f'<a href="/comments/{comment.id}">Hugging clients goodbye</a>' in own_page
    assert "A handshake keeps it clear." in own_page
    assert f'<a href="/threads/{thread.id}" class="author">Hugging clients goodbye</a>' in own_page

    removed = post_form(
        client,
        "/bookmarks",
        {"target_type": "thread", "target_id": str(thread.id), "remove": "1", "next": f"/members/{member.id}"},
    )
    assert (removed.status_code, removed.headers["location"]) == (303, f"/members/{member.id}")
    own_page = client.get(f"/members/{member.id}").text
    assert f'<a href="/threads/{thread.id}" class="author">' not in own_page
    assert _listed(client, factory.headers(member)) == [("comment", comment.id)]


def test_bookmarks_are_never_shown_to_anyone_else(client, factory, make_client) -> None:
    owner, other, author = factory.member(), factory.member(), factory.member()
    moderator = factory.member(role="moderator")
    thread = factory.thread(author, title="A private reading list marker", audience="public")
    _bookmark(client, factory.headers(owner), "thread", thread.id)

    assert _listed(client, factory.headers(other)) == []
    assert _listed(client, factory.headers(moderator)) == []
    assert client.get(BOOKMARKS).status_code == 401
    for viewer in (other, moderator, None):
        browser = make_client()
        if viewer is not None:
            factory.login(browser, viewer)
        profile = browser.get(f"/members/{owner.id}")
        assert profile.status_code == 200
        assert "Your bookmarks" not in profile.text
        assert "A private reading list marker" not in profile.text
        # Another's bookmark cursor is not even read.
        assert browser.get(f"/members/{owner.id}?bookmarks_cursor=not-a-cursor").status_code == 200
    other_browser = factory.login(make_client(), other)
    page = other_browser.get(f"/threads/{thread.id}?order=oldest").text
    assert REMOVE_FIELD not in page  # the owner's bookmark does not show as theirs


def test_what_the_member_may_not_see_cannot_be_bookmarked(client, factory) -> None:
    author, member, other = factory.member(), factory.member(), factory.member()
    moderator = factory.member(role="moderator")
    headers = factory.headers(member)
    thread = factory.thread(author)
    hidden_comment = factory.comment(other, thread)
    moderate(client, factory, moderator, "comments", hidden_comment.id, "hide")
    hidden_thread = factory.thread(other)
    moderate(client, factory, moderator, "threads", hidden_thread.id, "hide")
    deleted_comment = factory.comment(other, thread, deleted=True)
    deleted_thread = factory.thread(other, deleted=True)

    for target_type, target_id in (
        ("comment", hidden_comment.id),
        ("thread", hidden_thread.id),
        ("comment", deleted_comment.id),
        ("thread", deleted_thread.id),
        ("thread", NOWHERE),
        ("comment", NOWHERE),
        ("comment", thread.id + 10_000),
    ):
        assert _bookmark(client, headers, target_type, target_id).status_code == 404, (target_type, target_id)
    assert _listed(client, headers) == []
    # Its author and moderators still see the hidden comment, so they may keep it.
    assert _bookmark(client, factory.headers(other), "comment", hidden_comment.id).status_code == 201
    assert _bookmark(client, factory.headers(moderator), "comment", hidden_comment.id).status_code == 201


def test_a_bookmark_of_what_becomes_invisible_is_left_out_but_kept(client, factory) -> None:
    author, member, commenter = factory.member(), factory.member(), factory.member()
    moderator = factory.member(role="moderator")
    headers = factory.headers(member)
    thread = factory.thread(author, title="Tipping etiquette in spas")
    comment = factory.comment(commenter, thread, body="Marker text of a kept comment.")
    other_thread = factory.thread(author)
    _bookmark(client, headers, "comment", comment.id)
    _bookmark(client, headers, "thread", thread.id)
    _bookmark(client, headers, "thread", other_thread.id)
    factory.login(client, member)

    moderate(client, factory, moderator, "comments", comment.id, "hide")
    client.delete(f"{API}/threads/{other_thread.id}", headers=factory.headers(author))
    assert _listed(client, headers) == [("thread", thread.id)]
    assert "Marker text of a kept comment." not in client.get(f"/members/{member.id}").text

    moderate(client, factory, moderator, "threads", thread.id, "hide")
    assert _listed(client, headers) == []  # a comment of a hidden thread is gone with it

    moderate(client, factory, moderator, "threads", thread.id, "restore")
    moderate(client, factory, moderator, "comments", comment.id, "restore")
    assert _listed(client, headers) == [("thread", thread.id), ("comment", comment.id)]
    assert "Marker text of a kept comment." in client.get(f"/members/{member.id}").text
    # While hidden it could still be removed from the list by its owner.
    moderate(client, factory, moderator, "comments", comment.id, "hide")
    assert _unbookmark(client, headers, "comment", comment.id).status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"target_type": "user", "target_id": 1},
        {"target_type": "thread", "target_id": "1"},
        {"target_type": "thread", "target_id": 0},
        {"target_type": "thread", "target_id": 2**31},
        {"target_type": "thread"},
        {"target_id": 1},
        {"target_type": "thread", "target_id": 1, "note": "extra"},
        {"target_type": "thread", "target_id": True},
    ],
)
def test_malformed_bookmarks_are_refused_with_422(client, factory, body) -> None:
    headers = factory.headers(factory.member())
    assert client.post(BOOKMARKS, json=body, headers=headers).status_code == 422
    assert client.request("DELETE", BOOKMARKS, json=body, headers=headers).status_code == 422


def test_bookmarking_needs_a_member_and_a_valid_form(client, factory) -> None:
    thread = factory.thread(factory.member(), audience="public")
    body = {"target_type": "thread", "target_id": thread.id}
    assert client.post(BOOKMARKS, json=body).status_code == 401
    assert client.request("DELETE", BOOKMARKS, json=body).status_code == 401

    visitor_form = post_form(client, "/bookmarks", {"target_type": "thread", "target_id": str(thread.id)})
    assert (visitor_form.status_code, visitor_form.headers["location"].startswith("/login")) == (303, True)

    member = factory.member()
    factory.login(client, member)
    no_token = client.post("/bookmarks", data={"target_type": "thread", "target_id": str(thread.id)})
    assert no_token.status_code == 403
    token = form_token(client)
    for fields in (
        {"target_type": "user", "target_id": str(thread.id)},
        {"target_type": "thread", "target_id": "abc"},
        {"target_type": "thread"},
    ):
        assert client.post("/bookmarks", data={"csrf_token": token, **fields}).status_code == 422, fields
    not_there = post_form(client, "/bookmarks", {"target_type": "thread", "target_id": str(thread.id), "remove": "1"})
    assert not_there.status_code == 404
    outside = post_form(
        client, "/bookmarks", {"target_type": "thread", "target_id": str(thread.id), "next": "https://example.com/"}
    )
    assert (outside.status_code, outside.headers["location"]) == (303, "/")
    assert _listed(client, factory.headers(member)) == [("thread", thread.id)]


def test_listing_bookmarks_costs_the_same_queries_however_many_there_are(client, factory, count_queries) -> None:
    author, member = factory.member(), factory.member()
    headers = factory.headers(member)
    factory.login(client, member)

    def queries_for(path: str, request_headers: dict[str, str] | None = None) -> int:
        with count_queries() as counter:
            assert client.get(path, headers=request_headers or {}).status_code == 200
        return counter.count

    thread = factory.thread(author)
    _bookmark(client, headers, "thread", thread.id)
    _bookmark(client, headers, "comment", factory.comment(author, thread).id)
    few = (queries_for(BOOKMARKS, headers), queries_for(f"/members/{member.id}"))
    for _ in range(6):
        more = factory.thread(author)
        _bookmark(client, headers, "thread", more.id)
        _bookmark(client, headers, "comment", factory.comment(author, more).id)
    assert (queries_for(BOOKMARKS, headers), queries_for(f"/members/{member.id}")) == few
    assert len(client.get(BOOKMARKS, headers=headers).json()["items"]) == 14

    own_page = client.get(f"/members/{member.id}").text
    older = re.search(r'<a href="(/members/\d+\?bookmarks_cursor=[\w-]+)">Older bookmarks</a>', own_page)
    assert own_page.count('<li class="bookmark">') == 10 and older is not None
    assert client.get(older.group(1)).text.count('<li class="bookmark">') == 4
