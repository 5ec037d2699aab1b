"""Query builders for threads and comments, each filtered by what the viewer may see.

Every list of threads starts from ``visible_threads``, so the members-only rule is
applied once for pages, the API, counts and profiles alike.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, literal_column, or_, true, tuple_
from sqlmodel import Session, col, select

from forum.accounts.models import Member
from forum.permissions import Viewer
from forum.threads.models import OUT_OF_VIEW_SQL, Audience, Comment, Thread, Visibility


def shown_to(model: type[Thread] | type[Comment], viewer: Viewer) -> Any:
    """``permissions.can_see_post`` in SQL: what moderation lets this viewer see of a table."""
    if viewer.is_moderator:
        return true()
    if not viewer.is_member:
        return col(model.visibility) == Visibility.VISIBLE
    return shown_to_member(model, viewer.id)


def shown_to_member(model: type[Thread] | type[Comment], member_id: Any) -> Any:
    """``shown_to`` for a member who is not a moderator; ``member_id`` may be a bound parameter."""
    own_pending = and_(
        col(model.author_id) == member_id, col(model.visibility).in_([Visibility.HELD, Visibility.HIDDEN])
    )
    return or_(col(model.visibility) == Visibility.VISIBLE, own_pending)


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
        # true()/false() render as literals, so SQLite matches the partial indexes over pinned threads.
        statement = statement.where(col(Thread.pinned) == (true() if pinned else false()))
    if after is not None:
        activity, thread_id = after
        # A row value, so SQLite seeks the activity index to the position (see topics_queries.threads_in_topic).
        statement = statement.where(tuple_(col(Thread.last_activity_at), col(Thread.id)) < tuple_(activity, thread_id))
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


def own_comments_out_of_view(viewer: Viewer, *, thread_id: int) -> Any:
    """One of the viewer's comments in a thread that only they and moderators see (held or hidden), if any.

    The predicate is written out literally so SQLite matches it to the partial index over those few rows.
    """
    return select(Comment.id).where(
        Comment.thread_id == thread_id,
        Comment.author_id == viewer.id,
        literal_column(f"comment.{OUT_OF_VIEW_SQL}"),
        col(Comment.visibility).in_([Visibility.HELD, Visibility.HIDDEN]),
    ).limit(1)


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
