"""Query builders for threads and comments, each filtered by what the viewer may see.

Every list of threads starts from ``visible_threads``, so the members-only rule is
applied once for pages, the API, counts and profiles alike.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, true
from sqlmodel import Session, col, select

from forum.accounts.models import Member
from forum.permissions import Viewer
from forum.threads.models import Audience, Comment, Thread, Visibility


def shown_to(model: type[Thread] | type[Comment], viewer: Viewer) -> Any:
    """``permissions.can_see_post`` in SQL: what moderation lets this viewer see of a table."""
    if viewer.is_moderator:
        return true()
    visible = col(model.visibility) == Visibility.VISIBLE
    if not viewer.is_member:
        return visible
    own_pending = and_(
        col(model.author_id) == viewer.id, col(model.visibility).in_([Visibility.HELD, Visibility.HIDDEN])
    )
    return or_(visible, own_pending)


def visible_threads(viewer: Viewer) -> Any:
    """Threads this viewer may find in a list: not deleted, public ones only for visitors,
    and only what moderation lets them see."""
    statement = select(Thread, Member).join(Member, col(Member.id) == Thread.author_id)
    statement = statement.where(col(Thread.deleted_at).is_(None), shown_to(Thread, viewer))
    if not viewer.is_member:
        statement = statement.where(Thread.audience == Audience.PUBLIC)
    return statement


def thread_with_author(session: Session, thread_id: int) -> tuple[Thread, Member] | None:
    return session.exec(
        select(Thread, Member).join(Member, col(Member.id) == Thread.author_id).where(Thread.id == thread_id)
    ).first()


def latest_threads(
    viewer: Viewer, *, after: tuple[datetime, int] | None, limit: int, pinned: bool | None = None
) -> Any:
    """Threads by latest activity, newest first, continuing after a keyset position.

    ``pinned`` keeps only pinned threads (True) or leaves them out (False, for lists that show them above).
    """
    statement = visible_threads(viewer)
    if pinned is not None:
        statement = statement.where(Thread.pinned == pinned)
    if after is not None:
        activity, thread_id = after
        statement = statement.where(
            (col(Thread.last_activity_at) < activity)
            | ((col(Thread.last_activity_at) == activity) & (col(Thread.id) < thread_id))
        )
    return statement.order_by(col(Thread.last_activity_at).desc(), col(Thread.id).desc()).limit(limit)


def threads_by_author(viewer: Viewer, *, author_id: int, before_id: int | None, limit: int) -> Any:
    statement = visible_threads(viewer).where(Thread.author_id == author_id)
    if before_id is not None:
        statement = statement.where(col(Thread.id) < before_id)
    return statement.order_by(col(Thread.id).desc()).limit(limit)


def comments_on_thread(viewer: Viewer, *, thread_id: int, after_id: int | None, newest_first: bool, limit: int) -> Any:
    """A thread's comments; a removed one stays as a placeholder so replies keep their sense."""
    statement = (
        select(Comment, Member)
        .join(Member, col(Member.id) == Comment.author_id)
        .where(
            Comment.thread_id == thread_id,
            or_(shown_to(Comment, viewer), col(Comment.visibility) == Visibility.REMOVED),
        )
    )
    if after_id is not None:
        statement = statement.where(col(Comment.id) < after_id if newest_first else col(Comment.id) > after_id)
    order = col(Comment.id).desc() if newest_first else col(Comment.id).asc()
    return statement.order_by(order).limit(limit)


def comments_by_author(viewer: Viewer, *, author_id: int, before_id: int | None, limit: int) -> Any:
    """A member's comments that this viewer may see, with the thread each belongs to."""
    statement = (
        select(Comment, Thread)
        .join(Thread, col(Thread.id) == Comment.thread_id)
        .where(
            Comment.author_id == author_id,
            col(Comment.deleted_at).is_(None),
            col(Thread.deleted_at).is_(None),
            shown_to(Comment, viewer),
            shown_to(Thread, viewer),
        )
    )
    if not viewer.is_member:
        statement = statement.where(Thread.audience == Audience.PUBLIC)
    if before_id is not None:
        statement = statement.where(col(Comment.id) < before_id)
    return statement.order_by(col(Comment.id).desc()).limit(limit)
