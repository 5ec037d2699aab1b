"""Atom feeds: valid Atom as a feed reader parses it, and only public, visible content, whoever asks.

Each feed is parsed with feedparser (the library most feed readers are built on); a feed it
calls malformed fails the test. The members-only and moderated posts carry marker words that
must appear in no feed, even when a moderator's browser asks for it.
"""

import feedparser
import pytest

MEMBERS_ONLY_MARKER = "zanzibarquokka"
HIDDEN_MARKER = "ottertamarind"


def parse(response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, f"not well-formed Atom: {feed.get('bozo_exception')}"
    assert feed.version == "atom10"
    return feed


@pytest.fixture
def scene(client, factory):
    """Public and members-only threads on one topic, a hidden public thread, and public comments."""
    author, moderator = factory.member(), factory.member(role="admin")
    public = factory.thread(
        author,
        title="Draping when a client declines",
        body="Ask **first** & <always> listen.",
        audience="public",
        tags=("boundaries",),
    )
    factory.comment(factory.member(), public, body="A reply anyone may read.")
    hidden_comment = factory.comment(factory.member(), public, body=f"A comment about {HIDDEN_MARKER}.")
    private = factory.thread(
        author,
        title=f"Members talk {MEMBERS_ONLY_MARKER}",
        body=MEMBERS_ONLY_MARKER,
        audience="members",
        tags=("boundaries",),
    )
    hidden = factory.thread(author, title=f"Public but hidden {HIDDEN_MARKER}", audience="public", tags=("boundaries",))
    headers = factory.headers(moderator)
    for path in (f"threads/{hidden.id}", f"comments/{hidden_comment.id}"):
        response = client.post(
            f"/api/v1/moderation/{path}/actions", headers=headers, json={"action": "hide", "reason": "Held for a look"}
        )
        assert response.status_code == 200
    return public, private, moderator


def test_the_latest_feed_lists_public_threads_only_as_valid_atom(client, scene) -> None:
    public, _private, _moderator = scene
    feed = parse(client.get("/feeds/latest.atom"))
    titles = [entry.title for entry in feed.entries]
    assert public.title in titles
    assert feed.feed.title.endswith("latest public discussions")
    entry = next(e for e in feed.entries if e.title == public.title)
    assert entry.link == f"http://testserver/threads/{public.id}"
    assert "<strong>first</strong>" in entry.content[0].value and "&lt;always&gt;" in entry.content[0].value
    assert MEMBERS_ONLY_MARKER not in client.get("/feeds/latest.atom").text
    assert HIDDEN_MARKER not in client.get("/feeds/latest.atom").text


def test_a_topic_feed_and_a_thread_feed_hold_only_public_visible_posts(client, scene) -> None:
    public, _private, _moderator = scene
    topic = parse(client.get("/topics/boundaries/feed.atom"))
    assert [e.title for e in topic.entries] == [public.title]
    thread = parse(client.get(f"/threads/{public.id}/feed.atom"))
    bodies = " ".join(entry.content[0].value for entry in thread.entries)
    assert "A reply anyone may read." in bodies and HIDDEN_MARKER not in bodies
    assert thread.feed.title == public.title


def test_feeds_ignore_who_asks_so_a_moderator_gets_the_public_feed_too(client, factory, make_client, scene) -> None:
    _public, private, moderator = scene
    browser = factory.login(make_client(), moderator)
    for path in ("/feeds/latest.atom", "/topics/boundaries/feed.atom"):
        text = browser.get(path).text
        assert MEMBERS_ONLY_MARKER not in text and HIDDEN_MARKER not in text
    assert browser.get(f"/threads/{private.id}/feed.atom").status_code == 404


@pytest.mark.parametrize("path", ["/threads/999999/feed.atom", "/topics/no-such-topic/feed.atom"])
def test_a_feed_that_does_not_exist_is_a_plain_404(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "location" not in response.headers


def test_a_members_only_thread_has_no_feed(client, scene) -> None:
    _public, private, _moderator = scene
    response = client.get(f"/threads/{private.id}/feed.atom")
    assert response.status_code == 404 and MEMBERS_ONLY_MARKER not in response.text


def test_an_empty_feed_is_still_valid_atom(client) -> None:
    feed = parse(client.get("/topics/boundaries/feed.atom"))
    assert feed.entries == []
