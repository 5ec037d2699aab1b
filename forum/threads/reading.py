"""What each member has read of each thread, and the threads and comments they keep for later.

Both are private to the member. Read state is a position: the highest comment id the member
was shown in a thread. What is "new" is counted live from that position, through the same
visibility rule as every list (``queries.shown_to``), so a comment hidden, held or removed
after it was posted never counts as new for someone who may not see it, and no counter has
to follow moderation. Bookmarks likewise stay when their target becomes invisible (it may
come back) and are only left out of the list.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, delete, func, or_, true
from sqlmodel import Session, col, select

from forum.errors import NotFound
from forum.kit.pagination import DEFAULT_PAGE_SIZE, Page, decode_cursor, take_page
from forum.kit.time import utcnow
from forum.kit.upsert import upsert
from forum.permissions import Viewer, require, require_visible
from forum.threads import queries
from forum.threads.models import Bookmark, BookmarkTarget, Comment, Thread, ThreadRead


def _listed_thread_ids(viewer: Viewer) -> Any:
    """The ids of threads this viewer may find in a list (``visible_threads``, the one rule)."""
    return queries.visible_threads(viewer).with_only_columns(col(Thread.id))


def _comment_listed(viewer: Viewer) -> Any:
    """A comment this viewer would find in a list: not deleted, and shown to them by moderation."""
    return and_(col(Comment.deleted_at).is_(None), queries.shown_to(Comment, viewer))


# --- unread -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unread:
    """What is new to one member in one thread since they last read it."""

    count: int  # comments by others after the read position that the member may see
    first_comment_id: int | None
    last_read_comment_id: int | None  # None: the member never opened the thread
    read_at: datetime | None
    is_new: bool  # never opened, and started by someone else

    @property
    def resume_at(self) -> int | None:
        """The comment to open the thread at: the first unread one, once the member has read some of it.

        A thread never opened starts from the top: its opening post is unread too.
        """
        return self.first_comment_id if self.last_read_comment_id is not None else None


def unread_by_thread(session: Session, *, viewer: Viewer, thread_ids: list[int]) -> dict[int, Unread]:
    """Unread counts for a page of threads in one grouped query; nothing (and no query) for visitors."""
    if not viewer.is_member or not thread_ids:
        return {}
    rows = session.exec(
        _unread_statement(is_moderator=viewer.is_moderator), params={"member_id": viewer.id, "thread_ids": thread_ids}
    )
    return {
        thread_id: Unread(
            count=count,
            first_comment_id=first_id,
            last_read_comment_id=last_read,
            read_at=read_at,
            is_new=last_read is None and author_id != viewer.id,
        )
        for thread_id, author_id, last_read, read_at, count, first_id in rows.all()
    }


@cache
def _unread_statement(*, is_moderator: bool) -> Any:
    """The grouped unread count, built once with the member and threads as parameters.

    It is read on every thread page and list a member opens, and SQLAlchemy took several times
    longer to build it than SQLite takes to run it.
    """
    member_id = bindparam("member_id", type_=Integer)
    position = func.coalesce(col(ThreadRead.last_read_comment_id), 0)
    unread_comment = and_(
        col(Comment.thread_id) == Thread.id,
        col(Comment.id) > position,
        col(Comment.author_id) != member_id,
        col(Comment.deleted_at).is_(None),
        true() if is_moderator else queries.shown_to_member(Comment, member_id),
    )
    return (
        select(
            Thread.id,
            Thread.author_id,
            ThreadRead.last_read_comment_id,
            ThreadRead.read_at,
            func.count(col(Comment.id)),
            func.min(col(Comment.id)),
        )
        .select_from(Thread)
        .outerjoin(ThreadRead, and_(col(ThreadRead.thread_id) == Thread.id, col(ThreadRead.member_id) == member_id))
        .outerjoin(Comment, unread_comment)
        .where(col(Thread.id).in_(bindparam("thread_ids", expanding=True)))
        .group_by(Thread.id, Thread.author_id, ThreadRead.last_read_comment_id, ThreadRead.read_at)
    )


def unread_in_thread(session: Session, *, viewer: Viewer, thread_id: int) -> Unread | None:
    """The viewer's read state of a thread they may read (the caller checked); None for visitors."""
    return unread_by_thread(session, viewer=viewer, thread_ids=[thread_id]).get(thread_id)


def position_after_showing(unread: Unread, shown_comment_ids: list[int]) -> int | None:
    """Where a page view moves the read position: the highest comment shown, or None when it
    would not move (so an already read page costs no write)."""
    highest = max(shown_comment_ids, default=0)
    if unread.last_read_comment_id is not None and highest <= unread.last_read_comment_id:
        return None
    return highest


def mark_read(session: Session, *, viewer: Viewer, thread_id: int, up_to_comment_id: int) -> None:
    """Move the member's read position forward to ``up_to_comment_id``; it never moves back.

    One statement (insert or update in place), so two tabs marking at once cannot collide.
    """
    assert viewer.id is not None
    insert = upsert(session, ThreadRead).values(
        member_id=viewer.id, thread_id=thread_id, last_read_comment_id=up_to_comment_id, read_at=utcnow()
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["member_id", "thread_id"],
            set_={"last_read_comment_id": insert.excluded.last_read_comment_id, "read_at": insert.excluded.read_at},
            where=col(ThreadRead.last_read_comment_id) < insert.excluded.last_read_comment_id,
        )
    )


def mark_thread_read(
    session: Session, *, viewer: Viewer, thread_id: int, up_to_comment_id: int | None = None
) -> Unread:
    """Mark a thread read up to one of its comments the member is shown, or up to its latest one."""
    require(viewer.is_member, viewer)
    require_visible(session.exec(_listed_thread_ids(viewer).where(col(Thread.id) == thread_id)).first() is not None)
    after_id = None if up_to_comment_id is None else up_to_comment_id - 1
    shown = session.exec(
        queries.comments_on_thread(
            viewer, thread_id=thread_id, after_id=after_id, newest_first=up_to_comment_id is None, limit=1
        )
    ).first()
    if up_to_comment_id is not None and (shown is None or shown[0].id != up_to_comment_id):
        raise NotFound("This thread has no such comment.")
    mark_read(session, viewer=viewer, thread_id=thread_id, up_to_comment_id=shown[0].id if shown else 0)
    return unread_by_thread(session, viewer=viewer, thread_ids=[thread_id])[thread_id]


# --- bookmarks --------------------------------------------------------------------------


@dataclass(frozen=True)
class BookmarkEntry:
    """A bookmark with what it points at: a thread, or a comment and its thread."""

    bookmark: Bookmark
    thread: Thread
    comment: Comment | None


def _listed_bookmarks(viewer: Viewer) -> Any:
    """The viewer's own bookmarks whose targets they may still see; nobody else's, ever."""
    is_comment = col(Bookmark.target_type) == BookmarkTarget.COMMENT
    thread_of_target = case((is_comment, col(Comment.thread_id)), else_=col(Bookmark.target_id))
    return (
        select(Bookmark, Thread, Comment)
        .select_from(Bookmark)
        .outerjoin(Comment, and_(is_comment, col(Comment.id) == Bookmark.target_id))
        .join(Thread, col(Thread.id) == thread_of_target)
        .where(
            col(Bookmark.member_id) == viewer.id,
            col(Thread.id).in_(_listed_thread_ids(viewer)),
            or_(col(Bookmark.target_type) == BookmarkTarget.THREAD, _comment_listed(viewer)),
        )
    )


def _target_is_listed(session: Session, viewer: Viewer, target_type: BookmarkTarget, target_id: int) -> bool:
    if target_type == BookmarkTarget.THREAD:
        statement = _listed_thread_ids(viewer).where(col(Thread.id) == target_id)
    else:
        statement = select(Comment.id).where(
            col(Comment.id) == target_id,
            _comment_listed(viewer),
            col(Comment.thread_id).in_(_listed_thread_ids(viewer)),
        )
    return session.exec(statement).first() is not None


def list_bookmarks(
    session: Session, *, viewer: Viewer, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> Page[BookmarkEntry]:
    """The viewer's bookmarks, newest first."""
    require(viewer.is_member, viewer)
    statement = _listed_bookmarks(viewer)
    if cursor:
        statement = statement.where(col(Bookmark.id) < decode_cursor(cursor, int)[0])
    rows = session.exec(statement.order_by(col(Bookmark.id).desc()).limit(limit + 1)).all()
    entries = [BookmarkEntry(bookmark, thread, comment) for bookmark, thread, comment in rows]
    return take_page(entries, limit, lambda e: (e.bookmark.id,))


def add_bookmark(
    session: Session, *, viewer: Viewer, target_type: BookmarkTarget, target_id: int
) -> tuple[BookmarkEntry, bool]:
    """Bookmark something the viewer may see; bookmarking it again changes nothing.

    Returns the bookmark and whether it is new. Something absent or not visible is a 404.
    """
    require(viewer.is_member, viewer)
    require_visible(_target_is_listed(session, viewer, target_type, target_id))
    insert = upsert(session, Bookmark).values(
        member_id=viewer.id, target_type=target_type, target_id=target_id, created_at=utcnow()
    )
    # One statement: a double click, or two clients at once, can never make two bookmarks or a 500.
    created = session.execute(insert.on_conflict_do_nothing().returning(col(Bookmark.id))).first() is not None
    entry = session.exec(
        _listed_bookmarks(viewer).where(col(Bookmark.target_type) == target_type, col(Bookmark.target_id) == target_id)
    ).one()
    return BookmarkEntry(*entry), created


def remove_bookmark(session: Session, *, viewer: Viewer, target_type: BookmarkTarget, target_id: int) -> None:
    """Remove one of the viewer's bookmarks, even of something they can no longer see (404 if none)."""
    require(viewer.is_member, viewer)
    removed = session.execute(
        delete(Bookmark).where(
            col(Bookmark.member_id) == viewer.id,
            col(Bookmark.target_type) == target_type,
            col(Bookmark.target_id) == target_id,
        )
    )
    if removed.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("You have no bookmark of that.")


def bookmarked_in_thread(
    session: Session, *, viewer: Viewer, thread_id: int, comment_ids: list[int]
) -> set[tuple[str, int]]:
    """Which of a thread page's posts the viewer bookmarked, as ``(target_type, target_id)``, in one query."""
    if not viewer.is_member:
        return set()
    statement = select(Bookmark.target_type, Bookmark.target_id).where(
        col(Bookmark.member_id) == viewer.id,
        or_(
            and_(col(Bookmark.target_type) == BookmarkTarget.THREAD, col(Bookmark.target_id) == thread_id),
            and_(col(Bookmark.target_type) == BookmarkTarget.COMMENT, col(Bookmark.target_id).in_(comment_ids)),
        ),
    )
    return {(target_type, target_id) for target_type, target_id in session.exec(statement).all()}
