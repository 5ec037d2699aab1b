"""The home page and a thread page run a fixed number of SQL queries, however much they show."""

import pytest


def _queries_for(client, count_queries, path: str) -> int:
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_home_page_queries_do_not_grow_with_threads(client, factory, count_queries, logged_in) -> None:
    authors = [factory.member() for _ in range(3)]
    for author in authors:
        factory.thread(author, audience="public", comments=1)
    if logged_in:
        factory.login(client, authors[0])
    few = _queries_for(client, count_queries, "/")

    for index in range(20):
        factory.thread(factory.member(), audience="public" if index % 2 else "members", comments=2)
    many = _queries_for(client, count_queries, "/")

    assert many == few
    # pinned threads, the others, their topics, the topic bar (counts on its rows); for a member also
    # their session, what is new in each listed thread (one grouped query), their own held threads' counts.
    assert few <= (7 if logged_in else 4)


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_thread_page_queries_do_not_grow_with_comments(client, factory, count_queries, logged_in) -> None:
    author = factory.member()
    small = factory.thread(author, audience="public", comments=2)
    large = factory.thread(author, audience="public")
    for _ in range(30):
        factory.comment(factory.member(), large)
    if logged_in:
        factory.login(client, author)

    assert _queries_for(client, count_queries, f"/threads/{large.id}") == _queries_for(
        client, count_queries, f"/threads/{small.id}"
    )


def test_api_lists_run_a_fixed_number_of_queries(client, factory, count_queries) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public", comments=3)
    few_threads = _queries_for(client, count_queries, "/api/v1/threads")
    few_comments = _queries_for(client, count_queries, f"/api/v1/threads/{thread.id}/comments")
    for _ in range(10):
        factory.thread(factory.member(), audience="public")
        factory.comment(factory.member(), thread)
    assert _queries_for(client, count_queries, "/api/v1/threads") == few_threads
    assert _queries_for(client, count_queries, f"/api/v1/threads/{thread.id}/comments") == few_comments


def test_topic_page_queries_do_not_grow_with_threads(client, factory, count_queries) -> None:
    author = factory.member()
    factory.thread(author, audience="public", tags=("boundaries", "confidentiality"))
    few = _queries_for(client, count_queries, "/topics/boundaries")
    for _ in range(15):
        factory.thread(author, audience="public", tags=("boundaries", "trading-services"), comments=1)
    assert _queries_for(client, count_queries, "/topics/boundaries") == few


def test_api_thread_runs_a_fixed_number_of_queries(client, factory, count_queries) -> None:
    author = factory.member()
    headers = factory.headers(factory.member())
    small = factory.thread(author, tags=("boundaries",))
    large = factory.thread(author, tags=("boundaries", "confidentiality", "trading-services"), comments=30)

    def queries_for(thread_id: int) -> int:
        with count_queries() as counter:
            assert client.get(f"/api/v1/threads/{thread_id}", headers=headers).status_code == 200
        return counter.count

    assert queries_for(large.id) == queries_for(small.id)
    # the token's session and member, the thread and its author, its topics
    assert queries_for(small.id) <= 3


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_a_thread_page_shown_from_the_shared_rendering_runs_no_more_queries(
    client, factory, count_queries, logged_in
) -> None:
    """The second view of a page comes from the rendered comments: the comments query is not run again."""
    author = factory.member()
    thread = factory.thread(author, audience="public", comments=30)
    if logged_in:
        factory.login(client, factory.member())
    _queries_for(client, count_queries, f"/threads/{thread.id}?order=oldest")  # a member has now read them all
    path = f"/threads/{thread.id}?order=newest"
    first = _queries_for(client, count_queries, path)
    again = _queries_for(client, count_queries, path)
    assert again == first - 1
    # session, thread, its topics; for a member: read state, own held comments, bookmarks, subscription
    assert again <= (7 if logged_in else 3)


@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
def test_topic_page_counts_do_not_grow_with_threads(client, factory, count_queries, logged_in) -> None:
    author = factory.member()
    if logged_in:
        factory.login(client, author)
    factory.thread(author, audience="public", tags=("boundaries",))
    few = _queries_for(client, count_queries, "/topics/boundaries")
    for index in range(15):
        factory.thread(author, audience="members" if index % 2 else "public", tags=("boundaries",), comments=1)
    assert _queries_for(client, count_queries, "/topics/boundaries") == few
