"""A thread page's comments are rendered once per comments version and shared by plain readers.

Sharing must never show one reader another's page: each member gets their own CSRF token, edit
and delete on their own comments (and no report link), their own bookmarks and their own place
among the unread; every change to a comment shows at once; moderators and the author of a held
comment get the page rendered for them alone.
"""

import re
import time

from forum.kit import csrf
from forum.threads import fragments
from forum.threads import service as threads_service
from forum.threads.models import Comment, Visibility
from tests.conftest import TEST_SECRET
from tests.factories import post_form

CSRF_VALUES = re.compile(r'name="csrf_token" value="([^"]*)"')


def _page(client, thread_id: int) -> str:
    response = client.get(f"/threads/{thread_id}?order=oldest")
    assert response.status_code == 200
    return response.text


def _comment(page: str, comment_id: int) -> str:
    """The list item of one comment on a page."""
    start = page.index(f'id="comment-{comment_id}"')
    return page[start : page.index("</li>", start)]


def test_each_member_gets_their_own_parts_of_a_shared_rendering(make_client, factory) -> None:
    author, reader = factory.member(), factory.member()
    thread = factory.thread(author, audience="public")
    by_author = factory.comment(author, thread, body="Written by the author.")
    by_reader = factory.comment(reader, thread, body="Written by the reader.")
    author_browser, reader_browser = make_client(), make_client()
    factory.login(author_browser, author)
    factory.login(reader_browser, reader)

    for _ in range(2):  # the second view of each comes from the shared rendering
        author_page, reader_page = _page(author_browser, thread.id), _page(reader_browser, thread.id)
        assert "Report" not in _comment(author_page, by_author.id) and "/edit" in _comment(author_page, by_author.id)
        assert "Report" in _comment(author_page, by_reader.id) and "/edit" not in _comment(author_page, by_reader.id)
        assert "Report" in _comment(reader_page, by_author.id) and "/edit" not in _comment(reader_page, by_author.id)
        assert "/edit" in _comment(reader_page, by_reader.id)
        for browser, page in ((author_browser, author_page), (reader_browser, reader_page)):
            expected = csrf.token_for(browser.cookies.get(csrf.COOKIE_NAME), TEST_SECRET)
            assert set(CSRF_VALUES.findall(page)) == {expected}
        assert "\x00" not in author_page + reader_page

    post_form(reader_browser, "/bookmarks", {"target_type": "comment", "target_id": str(by_author.id)})
    assert 'name="remove"' in _comment(_page(reader_browser, thread.id), by_author.id)
    assert 'name="remove"' not in _comment(_page(author_browser, thread.id), by_author.id)


def test_a_visitor_gets_no_member_parts(client, make_client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public")
    comment = factory.comment(author, thread)
    member_browser = factory.login(make_client(), factory.member())
    _page(member_browser, thread.id)
    for _ in range(2):
        page = _comment(_page(client, thread.id), comment.id)
        assert "Report" not in page and "csrf_token" not in page and "Bookmark" not in page


def test_every_change_to_a_comment_shows_at_once(client, make_client, factory) -> None:
    author = factory.member()
    thread = factory.thread(author, audience="public")
    comment = factory.comment(author, thread, body="The first words.")
    member_browser = factory.login(make_client(), factory.member())
    for browser in (client, member_browser):
        assert "The first words." in _page(browser, thread.id)

    author_browser = factory.login(make_client(), author)
    post_form(author_browser, f"/comments/{comment.id}/edit", {"body": "Better words."})
    added = factory.comment(factory.member(), thread, body="A second voice.")
    for browser in (client, member_browser):
        page = _page(browser, thread.id)
        assert "Better words." in page and "The first words." not in page and f'id="comment-{added.id}"' in page

    post_form(author_browser, f"/comments/{comment.id}/delete")
    for browser in (client, member_browser):
        assert "This comment was deleted" in _comment(_page(browser, thread.id), comment.id)


def test_a_held_comment_shows_only_to_its_author_and_moderators(make_client, factory) -> None:
    author, other = factory.member(), factory.member()
    moderator = factory.member(role="moderator")
    thread = factory.thread(author, audience="public")
    held = factory.comment(author, thread, body="Waiting for a moderator.")
    factory.comment(other, thread, body="Seen by all.")
    with factory.database.session(write=True) as session:
        threads_service.set_visibility(session, session.get(Comment, held.id), Visibility.HELD)
    browsers = {who: factory.login(make_client(), member) for who, member in (("author", author), ("other", other))}
    browsers["moderator"] = factory.login(make_client(), moderator)
    for _ in range(2):
        assert "Waiting for a moderator." not in _page(browsers["other"], thread.id)
        assert "Waiting for a moderator." in _page(browsers["author"], thread.id)
        moderator_page = _page(browsers["moderator"], thread.id)
        assert "Waiting for a moderator." in moderator_page and "Moderate this comment" in moderator_page
        assert "Moderate this comment" not in _page(browsers["other"], thread.id)


def _block(characters: int) -> fragments.CommentsBlock:
    entry = threads_service.CommentEntry(comment=None, author=None, text_shown=True)  # type: ignore[arg-type]
    return fragments.CommentsBlock([fragments.RenderedComment(entry, "x" * characters)], None, time.monotonic())


def test_the_cache_keeps_to_its_size_and_forgets_the_least_recently_read() -> None:
    cache = fragments.FragmentCache(max_characters=250)
    for key in ("a", "b"):
        cache.put((key,), _block(100))
    assert cache.get(("a",)) is not None  # "b" is now the least recently read
    cache.put(("c",), _block(100))
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None and cache.get(("c",)) is not None
    cache.put(("huge",), _block(1_000))
    assert cache.get(("huge",)) is None


def test_an_expired_rendering_is_not_served() -> None:
    cache = fragments.FragmentCache(ttl=-1)  # anything made is already past it
    cache.put(("a",), _block(10))
    assert cache.get(("a",)) is None
