"""Unread tracking: what is new to each member in each thread, and how reading moves it.

What this file proves:

* the thread lists (home page, topic pages, ``GET /api/v1/threads``) mark, for a member, a thread
  never opened as new and a thread read before with the number of comments by others since, linking
  to the first of them; visitors get no marks (``unread_count`` is null);
* a thread page marks read the comments it shows (up to the highest shown), page after page;
* a member opening a thread by its plain address is sent to the page of the first comment they
  have not read; the address they land on, the order links and a thread never opened are shown as is;
* hidden, held, removed and deleted comments never count as new for someone who may not see them,
  while a moderator (who sees them) is told;
* ``POST /api/v1/threads/{id}/read`` marks up to a comment or the latest, never moves back, and
  refuses what is absent, not visible or malformed;
* the lists and the thread page run a fixed number of queries whatever they show.
"""

import re

import pytest

from forum.threads.pages import COMMENTS_PER_PAGE
from tests.factories import post_form

API = "/api/v1"
REASON = "Checked against the community guidelines."
NOWHERE = 2_000_000


def _listed(client, factory, member) -> dict[int, dict]:
    """The first page of ``GET /threads`` as ``member`` (None: a visitor), by thread id."""
    response = client.get(f"{API}/threads?limit=100", headers=factory.headers(member))
    assert response.status_code == 200
    return {item["id"]: item for item in response.json()["items"]}


def _row(page: str, thread_id: int) -> str:
    """The row of one thread in a list page."""
    for segment in page.split('<li class="thread-row">')[1:]:
        row = segment.split("</ol>")[0]
        if f'<a href="/threads/{thread_id}">' in row:
            return row
    raise AssertionError(f"thread {thread_id} is not listed")


def _mark(row: str) -> str | None:
    """The unread mark of a thread row, as shown: "New", "3 new", or None."""
    found = re.search(r'class="badge badge-unread"[^>]*>([^<]+)<', row)
    return found.group(1) if found else None


def _comment_ids(factory, thread, commenter, count: int) -> list[int]:
    return [factory.comment(commenter, thread, body=f"Reply {index} on draping.").id for index in range(count)]


def moderate(client, factory, moderator, kind: str, target_id: int, action: str) -> None:
    """A moderator's action on a thread or a comment (``kind``: "threads" or "comments"), through the API."""
    response = client.post(
        f"{API}/moderation/{kind}/{target_id}/actions",
        json={"action": action, "reason": REASON},
        headers=factory.headers(moderator),
    )
    assert response.status_code == 200, response.text


# --- the lists --------------------------------------------------------------------------


def test_the_api_counts_comments_by_others_since_the_member_last_read(client, factory) -> None:
    author, reader = factory.member(), factory.member()
    thread = factory.thread(author, audience="public")
    first, second = _comment_ids(factory, thread, author, 2)
    headers = factory.headers(reader)

    never_opened = _listed(client, factory, reader)[thread.id]
    assert (never_opened["unread_count"], never_opened["first_unread_comment_id"]) == (2, first)

    marked = client.post(f"{API}/threads/{thread.id}/read", headers=headers)
    assert marked.status_code == 200
    assert marked.json() | {"read_at": None} == {
        "thread_id": thread.id,
        "last_read_comment_id": second,
        "read_at": None,
        "unread_count": 0,
        "first_unread_comment_id": None,
    }
    assert marked.json()["read_at"] is not None
    assert _listed(client, factory, reader)[thread.id]["unread_count"] == 0

    third = factory.comment(author, thread).id
    factory.comment(reader, thread)  # the reader's own comment is never new to them
    after = _listed(client, factory, reader)[thread.id]
    assert (after["unread_count"], after["first_unread_comment_id"]) == (1, third)
    assert _listed(client, factory, author)[thread.id]["unread_count"] == 1  # only the reader's comment


def test_visitors_get_no_unread_marks(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public", comments=2, commenter=factory.member())
    listed = _listed(client, factory, None)[thread.id]
    assert (listed["unread_count"], listed["first_unread_comment_id"]) == (None, None)
    assert _mark(_row(client.get("/").text, thread.id)) is None
    assert _mark(_row(client.get("/topics/boundaries").text, thread.id)) is None
    refused = client.post(f"{API}/threads/{thread.id}/read")
    assert refused.status_code == 401


@pytest.mark.parametrize("path", ["/", "/topics/boundaries"], ids=["home", "topic"])
def test_list_pages_mark_new_threads_and_new_comments(client, factory, path) -> None:
    author, reader = factory.member(), factory.member()
    thread = factory.thread(author, comments=2)
    own_thread = factory.thread(reader)
    factory.login(client, reader)

    assert _mark(_row(client.get(path).text, thread.id)) == "New"
    assert _mark(_row(client.get(path).text, own_thread.id)) is None  # started by the reader: not new to them

    assert client.get(f"/threads/{thread.id}").status_code == 200
    assert _mark(_row(client.get(path).text, thread.id)) is None

    newer = _comment_ids(factory, thread, author, 3)
    row = _row(client.get(path).text, thread.id)
    assert _mark(row) == "3 new"
    assert f'href="/comments/{newer[0]}"' in row


# --- reading a thread -------------------------------------------------------------------


def test_the_thread_page_marks_read_what_it_shows_page_after_page(client, factory) -> None:
    author, reader = factory.member(), factory.member()
    thread = factory.thread(author, comments=COMMENTS_PER_PAGE + 10, commenter=factory.member())
    comments = client.get(f"{API}/threads/{thread.id}/comments?limit=100", headers=factory.headers(reader)).json()
    ids = [c["id"] for c in comments["items"]]
    factory.login(client, reader)

    first_page = client.get(f"/threads/{thread.id}")
    assert first_page.status_code == 200  # never opened: from the top, the opening post is new too
    assert "Jump to the first unread comment" not in first_page.text
    listed = _listed(client, factory, reader)[thread.id]
    assert (listed["unread_count"], listed["first_unread_comment_id"]) == (10, ids[COMMENTS_PER_PAGE])

    jump = client.get(f"/threads/{thread.id}")
    assert jump.status_code == 303
    assert jump.headers["location"].endswith(f"#comment-{ids[COMMENTS_PER_PAGE]}")
    landed = client.get(jump.headers["location"])
    assert landed.status_code == 200
    assert f'id="comment-{ids[COMMENTS_PER_PAGE - 1]}"' not in landed.text
    assert re.search(
        rf'id="comment-{ids[COMMENTS_PER_PAGE]}">\s*<p class="unread-divider" id="first-unread">', landed.text
    )
    assert 'href="#first-unread">Jump to the first unread comment</a>' in landed.text
    assert _listed(client, factory, reader)[thread.id]["unread_count"] == 0

    assert client.get(f"/threads/{thread.id}").status_code == 200  # nothing new: the thread as is
    assert client.get(jump.headers["location"]).status_code == 200  # reloading the landing page stays there


def test_only_the_plain_address_jumps_to_the_first_unread_comment(client, factory, make_client) -> None:
    author, reader = factory.member(), factory.member()
    thread = factory.thread(author, audience="public", comments=2)
    factory.login(client, reader)
    assert client.get(f"/threads/{thread.id}").status_code == 200
    newer = factory.comment(author, thread).id

    jump = client.get(f"/threads/{thread.id}")
    assert jump.status_code == 303
    assert f"#comment-{newer}" in jump.headers["location"] and "cursor=" in jump.headers["location"]

    chosen_order = client.get(f"/threads/{thread.id}?order=oldest")
    assert chosen_order.status_code == 200
    assert '<a href="#first-unread">Jump to the first unread comment</a> <span class="muted">(1 new)' in (
        chosen_order.text
    )
    assert _listed(client, factory, reader)[thread.id]["unread_count"] == 0  # shown, so read

    assert client.get(f"/threads/{thread.id}").status_code == 200
    visitor = make_client().get(f"/threads/{thread.id}")
    assert visitor.status_code == 200 and "first-unread" not in visitor.text


def test_newest_first_marks_read_up_to_the_newest_comment_shown(client, factory) -> None:
    author, reader = factory.member(), factory.member()
    thread = factory.thread(author, comments=3)
    factory.login(client, reader)
    assert client.get(f"/threads/{thread.id}?order=newest").status_code == 200
    assert _listed(client, factory, reader)[thread.id]["unread_count"] == 0


# --- what may not be seen is never new ------------------------------------------------


def test_hidden_removed_and_deleted_comments_are_not_new_to_members_who_cannot_see_them(client, factory) -> None:
    author, reader, commenter = factory.member(), factory.member(), factory.member()
    moderator = factory.member(role="moderator")
    thread = factory.thread(author, comments=1)
    for someone in (reader, moderator):
        assert client.post(f"{API}/threads/{thread.id}/read", headers=factory.headers(someone)).status_code == 200

    hidden, removed, kept = _comment_ids(factory, thread, commenter, 3)
    factory.comment(commenter, thread, deleted=True)
    moderate(client, factory, moderator, "comments", hidden, "hide")
    moderate(client, factory, moderator, "comments", removed, "remove")

    as_reader = _listed(client, factory, reader)[thread.id]
    assert (as_reader["unread_count"], as_reader["first_unread_comment_id"]) == (1, kept)
    as_moderator = _listed(client, factory, moderator)[thread.id]
    assert (as_moderator["unread_count"], as_moderator["first_unread_comment_id"]) == (3, hidden)
    factory.login(client, reader)
    assert f"#comment-{kept}" in client.get(f"/threads/{thread.id}").headers["location"]

    moderate(client, factory, moderator, "comments", hidden, "restore")
    assert _listed(client, factory, reader)[thread.id]["unread_count"] == 2


def test_a_held_comment_is_new_only_to_moderators(client, factory) -> None:
    author, reader, commenter = factory.member(), factory.member(), factory.member()
    moderator = factory.member(role="moderator")
    watched = client.post(
        f"{API}/moderation/watched-words",
        json={"phrase": "cash only", "mode": "hold"},
        headers=factory.headers(factory.member(role="admin")),
    )
    assert watched.status_code == 201
    thread = factory.thread(author)
    for someone in (reader, moderator):
        client.post(f"{API}/threads/{thread.id}/read", headers=factory.headers(someone))
    held = client.post(
        f"{API}/threads/{thread.id}/comments",
        json={"body": "They take cash only, no receipts."},
        headers=factory.headers(commenter),
    )
    assert held.status_code == 201 and held.json()["visibility"] == "held"
    assert _listed(client, factory, reader)[thread.id]["unread_count"] == 0
    assert _listed(client, factory, moderator)[thread.id]["unread_count"] == 1


# --- marking read through the API -----------------------------------------------------


def test_marking_read_up_to_a_comment_never_moves_back(client, factory) -> None:
    author, reader = factory.member(), factory.member()
    thread = factory.thread(author, audience="public")
    first, second, third = _comment_ids(factory, thread, author, 3)
    headers = factory.headers(reader)

    up_to_second = client.post(f"{API}/threads/{thread.id}/read", json={"up_to_comment_id": second}, headers=headers)
    assert up_to_second.status_code == 200
    assert (up_to_second.json()["unread_count"], up_to_second.json()["first_unread_comment_id"]) == (1, third)

    back = client.post(f"{API}/threads/{thread.id}/read", json={"up_to_comment_id": first}, headers=headers)
    assert back.status_code == 200
    assert (back.json()["last_read_comment_id"], back.json()["unread_count"]) == (second, 1)

    empty_body = client.post(f"{API}/threads/{thread.id}/read", json={}, headers=headers)
    assert (empty_body.json()["last_read_comment_id"], empty_body.json()["unread_count"]) == (third, 0)


def test_marking_read_refuses_what_is_absent_invisible_or_malformed(client, factory) -> None:
    author, reader, other = factory.member(), factory.member(), factory.member()
    moderator = factory.member(role="moderator")
    thread = factory.thread(author)
    elsewhere = factory.comment(author, factory.thread(author))
    hidden = factory.comment(other, thread)
    moderate(client, factory, moderator, "comments", hidden.id, "hide")
    hidden_thread = factory.thread(other)
    moderate(client, factory, moderator, "threads", hidden_thread.id, "hide")
    headers = factory.headers(reader)
    url = f"{API}/threads/{thread.id}/read"

    for body in ({"up_to_comment_id": elsewhere.id}, {"up_to_comment_id": hidden.id}, {"up_to_comment_id": NOWHERE}):
        assert client.post(url, json=body, headers=headers).status_code == 404, body
    assert client.post(f"{API}/threads/{NOWHERE}/read", headers=headers).status_code == 404
    assert client.post(f"{API}/threads/{hidden_thread.id}/read", headers=headers).status_code == 404
    for body in ({"up_to_comment_id": "1"}, {"up_to_comment_id": 0}, {"up_to_comment_id": 2**31}, {"upto": 1}):
        assert client.post(url, json=body, headers=headers).status_code == 422, body
    malformed = client.post(url, content=b"{not json", headers={**headers, "content-type": "application/json"})
    assert malformed.status_code == 422
    assert client.post(f"{API}/threads/0/read", headers=headers).status_code == 422
    assert _listed(client, factory, reader)[thread.id]["unread_count"] == 0  # its only comment is hidden
    assert _listed(client, factory, reader)[thread.id]["first_unread_comment_id"] is None


def test_posting_a_comment_through_the_page_leaves_nothing_new(client, factory) -> None:
    author, reader = factory.member(), factory.member()
    thread = factory.thread(author, comments=2)
    factory.login(client, reader)
    posted = post_form(client, f"/threads/{thread.id}/comments", {"body": "Thank you, that helps."})
    assert posted.status_code == 303
    assert client.get(posted.headers["location"]).status_code == 200
    assert _listed(client, factory, reader)[thread.id]["unread_count"] == 0


# --- a fixed number of queries ----------------------------------------------------------


def _queries_for(client, count_queries, path: str, headers: dict[str, str] | None = None) -> int:
    with count_queries() as counter:
        response = client.get(path, headers=headers or {})
    assert response.status_code == 200, path
    return counter.count


def test_unread_marks_cost_the_same_queries_however_many_threads_are_listed(client, factory, count_queries) -> None:
    reader = factory.member()
    for _ in range(2):
        factory.thread(factory.member(), comments=1)
    factory.login(client, reader)
    headers = factory.headers(reader)
    paths = ("/", "/topics/boundaries")
    few = [_queries_for(client, count_queries, path) for path in paths]
    few_api = _queries_for(client, count_queries, f"{API}/threads", headers)

    for index in range(12):
        thread = factory.thread(factory.member(), comments=2)
        if index % 3 == 0:
            client.post(f"{API}/threads/{thread.id}/read", headers=headers)
            factory.comment(factory.member(), thread)

    assert [_queries_for(client, count_queries, path) for path in paths] == few
    assert _queries_for(client, count_queries, f"{API}/threads", headers) == few_api
    assert "badge-unread" in client.get("/").text


def test_the_thread_page_costs_the_same_queries_with_more_unread_comments(client, factory, count_queries) -> None:
    reader = factory.member()
    small = factory.thread(factory.member(), comments=1)
    large = factory.thread(factory.member(), comments=30, commenter=factory.member())
    factory.login(client, reader)
    # Both never opened: each view reads the state, shows the page and moves the mark once.
    assert _queries_for(client, count_queries, f"/threads/{large.id}") == _queries_for(
        client, count_queries, f"/threads/{small.id}"
    )
