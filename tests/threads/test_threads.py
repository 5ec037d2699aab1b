"""Threads and comments: posting, editing with revisions, soft deletion, ordering, paging, views."""

from tests.factories import post_form


def _thread_payload(**fields: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "title": "Can I trade bodywork for bookkeeping?",
        "body": "A client offered to do my books.",
        "audience": "members",
        "tags": ["trading-services"],
    }
    payload.update(fields)
    return payload


def test_member_starts_a_thread_through_the_api(client, factory) -> None:
    member = factory.member(display_name="Sam Porter")
    response = client.post(
        "/api/v1/threads", json=_thread_payload(body="**Bold** question"), headers=factory.headers(member)
    )
    assert response.status_code == 201
    thread = response.json()
    assert set(thread) >= {
        "id",
        "title",
        "body",
        "body_html",
        "audience",
        "author",
        "created_at",
        "updated_at",
        "comment_count",
        "view_count",
        "locked",
        "pinned",
    }
    assert thread["author"] == {"id": member.id, "display_name": "Sam Porter"}
    assert thread["body_html"] == "<p><strong>Bold</strong> question</p>\n"
    assert thread["audience"] == "members"
    assert (thread["comment_count"], thread["view_count"], thread["locked"], thread["pinned"]) == (0, 0, False, False)


def test_audience_defaults_to_members(client, factory) -> None:
    payload = _thread_payload()
    del payload["audience"]
    response = client.post("/api/v1/threads", json=payload, headers=factory.headers(factory.member()))
    assert response.json()["audience"] == "members"


def test_member_starts_a_thread_through_the_form(client, factory) -> None:
    factory.login(client, factory.member())
    response = post_form(client, "/threads", _thread_payload(audience="public"))
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Can I trade bodywork for bookkeeping?" in page.text
    assert "Public" in page.text


def test_editing_keeps_the_previous_text_as_a_revision(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, title="Original title here", body="Original body")
    headers = factory.headers(author)
    response = client.patch(f"/api/v1/threads/{thread.id}", json={"title": "Better title here"}, headers=headers)
    assert response.status_code == 200
    assert response.json()["title"] == "Better title here"
    assert response.json()["body"] == "Original body"
    assert response.json()["updated_at"] > response.json()["created_at"]
    client.patch(f"/api/v1/threads/{thread.id}", json={"body": "Second body"}, headers=headers)

    revisions = client.get(f"/api/v1/threads/{thread.id}/revisions", headers=headers).json()
    assert [(r["previous_title"], r["previous_body"]) for r in revisions] == [
        ("Better title here", "Original body"),
        ("Original title here", "Original body"),
    ]
    assert {r["editor_id"] for r in revisions} == {author.id}


def test_comment_edit_is_recorded_with_the_editor(client, factory) -> None:
    author, moderator = factory.member(), factory.member(role="moderator")
    thread = factory.thread(factory.member())
    comment = factory.comment(author, thread, body="First words")
    response = client.patch(
        f"/api/v1/comments/{comment.id}", json={"body": "Moderated words"}, headers=factory.headers(moderator)
    )
    assert response.status_code == 200
    revisions = client.get(f"/api/v1/comments/{comment.id}/revisions", headers=factory.headers(author)).json()
    assert [(r["previous_body"], r["editor_id"]) for r in revisions] == [("First words", moderator.id)]


def test_revisions_are_not_for_other_members(client, factory) -> None:
    thread = factory.thread(factory.member())
    response = client.get(f"/api/v1/threads/{thread.id}/revisions", headers=factory.headers(factory.member()))
    assert response.status_code == 403


def test_deleting_a_comment_leaves_a_tombstone_and_keeps_the_text_for_moderators(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public")
    comment = factory.comment(author, thread, body="Words I regret")
    assert client.delete(f"/api/v1/comments/{comment.id}", headers=factory.headers(author)).status_code == 204

    as_member = client.get(f"/api/v1/threads/{thread.id}/comments", headers=factory.headers(factory.member()))
    (shown,) = as_member.json()["items"]
    assert (shown["deleted"], shown["body"], shown["body_html"]) == (True, "", "")
    page = client.get(f"/threads/{thread.id}")
    assert "This comment was deleted" in page.text
    assert "Words I regret" not in page.text

    as_moderator = client.get(
        f"/api/v1/threads/{thread.id}/comments", headers=factory.headers(factory.member(role="moderator"))
    )
    assert as_moderator.json()["items"][0]["body"] == "Words I regret"
    assert client.get(f"/api/v1/threads/{thread.id}").json()["comment_count"] == 0


def test_deleted_thread_leaves_the_list_but_its_page_says_it_was_deleted(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, title="Soon to be deleted", audience="public", comments=1)
    assert client.delete(f"/api/v1/threads/{thread.id}", headers=factory.headers(author)).status_code == 204
    assert "Soon to be deleted" not in client.get("/").text
    assert all(t["id"] != thread.id for t in client.get("/api/v1/threads").json()["items"])
    page = client.get(f"/threads/{thread.id}")
    assert page.status_code == 200
    assert "This thread was deleted" in page.text
    assert "Soon to be deleted" not in page.text
    assert "Comment 1 on this thread." in page.text  # other members' words are not lost
    reply = client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "late"}, headers=factory.headers(factory.member())
    )
    assert reply.status_code == 403


def test_comments_come_oldest_first_or_newest_first_in_pages(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public")
    ids = [factory.comment(author, thread, body=f"reply {n}").id for n in range(7)]

    def walk(order: str) -> list[int]:
        seen, cursor = [], None
        while True:
            params = {"limit": 3, "order": order} | ({"cursor": cursor} if cursor else {})
            page = client.get(f"/api/v1/threads/{thread.id}/comments", params=params).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return seen

    assert walk("oldest") == ids
    assert walk("newest") == ids[::-1]


def test_thread_page_toggles_comment_order(client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public")
    factory.comment(author, thread, body="the earliest reply")
    factory.comment(author, thread, body="the latest reply")
    oldest = client.get(f"/threads/{thread.id}").text
    newest = client.get(f"/threads/{thread.id}?order=newest").text
    assert oldest.index("the earliest reply") < oldest.index("the latest reply")
    assert newest.index("the latest reply") < newest.index("the earliest reply")


def test_home_lists_threads_by_latest_activity_across_pages(client, factory) -> None:
    author = factory.member()
    threads = [factory.thread(author, audience="public") for _ in range(30)]
    factory.comment(author, threads[0])  # the oldest thread becomes the most recently active
    first = client.get("/api/v1/threads", params={"limit": 20}).json()
    second = client.get("/api/v1/threads", params={"limit": 20, "cursor": first["next_cursor"]}).json()
    listed = [t["id"] for t in first["items"] + second["items"]]
    assert listed[0] == threads[0].id
    assert sorted(listed) == sorted(t.id for t in threads)
    assert second["next_cursor"] is None
    page_two = client.get(f"/?cursor={first['next_cursor']}")
    assert page_two.status_code == 200
    assert f'/threads/{threads[1].id}"' in page_two.text


def test_new_comment_form_lands_on_the_comment(client, factory) -> None:
    member = factory.member()
    thread = factory.thread(member, audience="public")
    factory.login(client, member)
    response = post_form(client, f"/threads/{thread.id}/comments", {"body": "Here is my answer"})
    assert response.status_code == 303
    assert "#comment-" in response.headers["location"]
    assert "Here is my answer" in client.get(response.headers["location"]).text


def test_views_count_once_per_viewer_per_window(app, client, make_client, factory, database) -> None:
    thread = factory.thread(factory.member(), audience="public")
    reader = factory.member()
    factory.login(client, reader)
    for _ in range(3):
        client.get(f"/threads/{thread.id}")
    visitor = make_client()
    visitor.get(f"/threads/{thread.id}", headers={"user-agent": "phone"})
    visitor.get(f"/threads/{thread.id}", headers={"user-agent": "phone"})
    with database.session(write=True) as session:
        counted = app.state.view_counter.flush(session)
    assert counted == 2
    client.get(f"/threads/{thread.id}")  # the same member again, later in the same window
    with database.session(write=True) as session:
        assert app.state.view_counter.flush(session) == 0
    assert client.get(f"/api/v1/threads/{thread.id}").json()["view_count"] == 2
