"""What each Atom feed holds: always read as a visitor, so a feed never carries a members-only word.

Feed readers fetch without logging in and people share feed addresses, so the feeds ignore
who is asking: whoever requests them, they show what a visitor may read.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from forum.kit.time import utcnow
from forum.permissions import VISITOR
from forum.threads import service as threads_service
from forum.topics import service as topics_service

FEED_LENGTH = 30


@dataclass(frozen=True)
class FeedEntry:
    entry_id: str  # a stable path, made absolute by the page
    title: str
    path: str
    author: str
    published: datetime
    updated: datetime
    content_html: str


@dataclass(frozen=True)
class Feed:
    feed_id: str
    title: str
    path: str  # the HTML page the feed follows
    self_path: str
    entries: list[FeedEntry]

    @property
    def updated(self) -> datetime:
        """The newest change in the feed; an empty feed was last updated now."""
        return max((entry.updated for entry in self.entries), default=utcnow())


def _thread_entry(entry: threads_service.ThreadEntry) -> FeedEntry:
    thread = entry.thread
    return FeedEntry(
        entry_id=f"/threads/{thread.id}",
        title=thread.title,
        path=f"/threads/{thread.id}",
        author=entry.author.display_name,
        published=thread.created_at,
        updated=thread.last_activity_at,
        content_html=thread.body_html,
    )


def latest_threads(session: Session, *, community_name: str) -> Feed:
    page = threads_service.list_threads(session, viewer=VISITOR, limit=FEED_LENGTH)
    entries = [_thread_entry(entry) for entry in page.items]
    return Feed(
        "/feeds/latest.atom", f"{community_name}: latest public discussions", "/", "/feeds/latest.atom", entries
    )


def topic_threads(session: Session, *, slug: str, community_name: str) -> Feed:
    """The public threads of one topic; an old or merged slug follows the topic it leads to."""
    topic, _moved = topics_service.resolve_slug(session, slug)
    assert topic.id is not None
    page = threads_service.list_topic_threads(session, viewer=VISITOR, topic_id=topic.id, limit=FEED_LENGTH)
    path = f"/topics/{topic.slug}"
    entries = [_thread_entry(entry) for entry in page.items]
    return Feed(f"{path}/feed.atom", f"{community_name}: {topic.name}", path, f"{path}/feed.atom", entries)


def thread_comments(session: Session, *, thread_id: int) -> Feed:
    """A public thread and its latest comments; a members-only thread is absent (404)."""
    thread_entry = threads_service.get_thread(session, viewer=VISITOR, thread_id=thread_id)
    comments = threads_service.comments_page(
        session, viewer=VISITOR, thread_id=thread_id, cursor=None, order="newest", limit=FEED_LENGTH
    )
    path = f"/threads/{thread_id}"
    entries = [
        FeedEntry(
            entry_id=f"/comments/{c.comment.id}",
            title=f"{c.author.display_name} on {thread_entry.thread.title}",
            path=f"/comments/{c.comment.id}",
            author=c.author.display_name,
            published=c.comment.created_at,
            updated=c.comment.updated_at,
            content_html=c.comment.body_html,
        )
        for c in comments.items
        if c.text_shown and not c.comment.is_deleted
    ]
    if thread_entry.text_shown:
        entries.append(_thread_entry(thread_entry))
    title = thread_entry.thread.title if thread_entry.text_shown else "Deleted thread"
    return Feed(f"{path}/feed.atom", title, path, f"{path}/feed.atom", entries)
