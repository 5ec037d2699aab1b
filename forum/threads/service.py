"""The rules of threads and comments: who may post, edit and delete, and what readers see.

Deletion is soft: the row and its text stay, readers see that something was deleted,
moderators still see the words. Every edit stores the previous text as a revision.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select, update

from forum.accounts.models import Member
from forum.guidelines.citations import expand_citations
from forum.kit.markup import render_markdown
from forum.kit.pagination import DEFAULT_PAGE_SIZE, Page, decode_cursor, take_page
from forum.kit.time import utcnow
from forum.moderation import screening
from forum.moderation.models import TargetType
from forum.moderation.screening import ScreeningPolicy, Verdict
from forum.notifications import service as notifications_service
from forum.notifications.mentions import link_mentions
from forum.permissions import (
    Viewer,
    can_comment,
    can_edit_post,
    can_read_thread,
    can_see_history,
    can_see_post,
    can_see_text,
    can_start_thread,
    require,
    require_visible,
)
from forum.threads import queries, reading
from forum.threads.models import Comment, PostRevision, Thread, Visibility
from forum.threads.schemas import CommentCreate, CommentOrder, CommentUpdate, ThreadCreate, ThreadUpdate
from forum.topics import queries as topics_queries
from forum.topics import service as topics_service
from forum.topics.service import TopicEntry


@dataclass(frozen=True)
class ThreadEntry:
    """A thread as one viewer sees it: with its author, its topics, and whether its words are shown.

    In lists, ``unread`` says what is new to a member since they last read it (None for visitors).
    """

    thread: Thread
    author: Member
    text_shown: bool
    topics: list[TopicEntry] = field(default_factory=list)
    unread: reading.Unread | None = None


@dataclass(frozen=True)
class CommentEntry:
    comment: Comment
    author: Member
    text_shown: bool


@dataclass(frozen=True)
class AuthoredComment:
    """A comment listed on its author's profile, with the thread it belongs to."""

    comment: Comment
    thread: Thread


def _render(session: Session, source: str) -> str:
    """A post's HTML: @mentions linked and guideline citations expanded, then Markdown rendered and sanitised."""
    return render_markdown(expand_citations(session, link_mentions(session, source)))


def render_preview(session: Session, *, source: str) -> str:
    """What a post with this Markdown would show, rendered and sanitised exactly as posting does; stores nothing.

    Sharing ``_render`` is the point: a preview that used a renderer of its own could promise
    the member something the posted text would not look like.
    """
    return _render(session, source)


def _text_shown(viewer: Viewer, post: Thread | Comment) -> bool:
    return can_see_text(viewer, post)


def _load_thread(session: Session, viewer: Viewer, thread_id: int) -> tuple[Thread, Member]:
    row = queries.thread_with_author(session, thread_id)
    require_visible(row is not None and can_read_thread(viewer, row[0]))
    assert row is not None
    return row


def _load_comment(session: Session, viewer: Viewer, comment_id: int) -> tuple[Comment, Thread]:
    comment = session.get(Comment, comment_id)
    # A removed comment keeps its place (as a placeholder); a held or hidden one is not there for others.
    require_visible(comment is not None and (can_see_post(viewer, comment) or comment.visibility == Visibility.REMOVED))
    assert comment is not None
    thread, _author = _load_thread(session, viewer, comment.thread_id)
    return comment, thread


# --- reading -----------------------------------------------------------------------


def _with_topics(session: Session, viewer: Viewer, rows: list[tuple[Thread, Member]]) -> list[ThreadEntry]:
    """Entries for listed threads, their topics and the viewer's unread counts fetched in one query each."""
    thread_ids = [thread.id for thread, _author in rows]
    topics = topics_service.topics_by_thread(session, thread_ids)
    unread = reading.unread_by_thread(session, viewer=viewer, thread_ids=thread_ids)
    return [
        ThreadEntry(thread, author, True, topics.get(thread.id, []), unread.get(thread.id)) for thread, author in rows
    ]


def list_threads(
    session: Session,
    *,
    viewer: Viewer,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    tags: list[str] | None = None,
) -> Page[ThreadEntry]:
    """Threads by latest activity; with ``tags``, only those carrying every one of them."""
    topic_ids = topics_service.topic_ids_for_filter(session, tags) if tags else []
    rows = _latest(session, viewer, cursor=cursor, limit=limit + 1, topic_ids=topic_ids)
    return _page(_with_topics(session, viewer, rows), limit)


PINNED_SHOWN = 5


@dataclass(frozen=True)
class FrontPage:
    """The home page's threads: those moderators pinned (on the first page only), then the latest others."""

    pinned: list[ThreadEntry]
    latest: Page[ThreadEntry]


def front_page(
    session: Session, *, viewer: Viewer, cursor: str | None = None, tags: list[str] | None = None
) -> FrontPage:
    """The pinned threads and a page of the others, their topics and unread counts fetched once for both lists."""
    topic_ids = topics_service.topic_ids_for_filter(session, tags) if tags else []
    listed = {"topic_ids": topic_ids, "without_bodies": True}
    pinned = [] if cursor else _latest(session, viewer, limit=PINNED_SHOWN, pinned=True, **listed)
    rows = _latest(session, viewer, cursor=cursor, limit=DEFAULT_PAGE_SIZE + 1, pinned=False, **listed)
    entries = _with_topics(session, viewer, pinned + rows)
    return FrontPage(entries[: len(pinned)], _page(entries[len(pinned) :], DEFAULT_PAGE_SIZE))


def _latest(
    session: Session,
    viewer: Viewer,
    *,
    limit: int,
    topic_ids: list[int],
    cursor: str | None = None,
    pinned: bool | None = None,
    without_bodies: bool = False,
) -> list[tuple[Thread, Member]]:
    """``without_bodies``: for lists that show no post's words; their rows leave them out (reading one raises)."""
    after = decode_cursor(cursor, datetime, int) if cursor else None
    statement = queries.latest_threads(viewer, after=after, limit=limit, pinned=pinned)
    if without_bodies:
        statement = statement.options(defer(Thread.body, raiseload=True), defer(Thread.body_html, raiseload=True))
    if topic_ids:
        statement = topics_queries.tagged_with_all(statement, topic_ids)
    return list(session.exec(statement).all())


def _page(entries: list[ThreadEntry], limit: int) -> Page[ThreadEntry]:
    """A page of threads listed by latest activity, continued from its last one."""
    return take_page(entries, limit, lambda e: (e.thread.last_activity_at, e.thread.id))


def list_topic_threads(
    session: Session, *, viewer: Viewer, topic_id: int, cursor: str | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> Page[ThreadEntry]:
    after = decode_cursor(cursor, datetime, int) if cursor else None
    statement = topics_queries.threads_in_topic(viewer, topic_id=topic_id, after=after, limit=limit + 1)
    return _page(_with_topics(session, viewer, list(session.exec(statement).all())), limit)


def get_thread(session: Session, *, viewer: Viewer, thread_id: int) -> ThreadEntry:
    thread, author = _load_thread(session, viewer, thread_id)
    topics = topics_service.topics_by_thread(session, [thread_id]).get(thread_id, [])
    return ThreadEntry(thread, author, _text_shown(viewer, thread), topics)


def get_comment(session: Session, *, viewer: Viewer, comment_id: int) -> CommentEntry:
    comment, _thread = _load_comment(session, viewer, comment_id)
    author = session.get(Member, comment.author_id)
    assert author is not None
    return CommentEntry(comment, author, _text_shown(viewer, comment))


def list_comments(
    session: Session,
    *,
    viewer: Viewer,
    thread_id: int,
    cursor: str | None = None,
    order: CommentOrder = "oldest",
    limit: int = DEFAULT_PAGE_SIZE,
) -> Page[CommentEntry]:
    _load_thread(session, viewer, thread_id)
    return comments_page(session, viewer=viewer, thread_id=thread_id, cursor=cursor, order=order, limit=limit)


def comments_page(
    session: Session,
    *,
    viewer: Viewer,
    thread_id: int,
    cursor: str | None,
    order: CommentOrder,
    limit: int,
) -> Page[CommentEntry]:
    """Comments of a thread the caller has already checked the viewer may read."""
    after_id = decode_cursor(cursor, int)[0] if cursor else None
    statement = queries.comments_on_thread(
        viewer, thread_id=thread_id, after_id=after_id, newest_first=order == "newest", limit=limit + 1
    )
    entries = [
        CommentEntry(comment, author, _text_shown(viewer, comment)) for comment, author in session.exec(statement).all()
    ]
    return take_page(entries, limit, lambda e: (e.comment.id,))


def sees_own_comments_out_of_view(session: Session, *, viewer: Viewer, thread_id: int) -> bool:
    """Whether the thread shows this member comments of their own that others do not see (held, hidden)."""
    if not viewer.is_member:
        return False
    return session.exec(queries.own_comments_out_of_view(viewer, thread_id=thread_id)).first() is not None


def comments_around(session: Session, *, viewer: Viewer, comment: Comment, each_side: int) -> list[CommentEntry]:
    """A comment with the ones just before and after it in its thread, oldest first (for context)."""
    before = session.exec(
        queries.comments_on_thread(
            viewer, thread_id=comment.thread_id, after_id=comment.id, newest_first=True, limit=each_side
        )
    ).all()
    after = session.exec(
        queries.comments_on_thread(
            viewer, thread_id=comment.thread_id, after_id=comment.id - 1, newest_first=False, limit=each_side + 1
        )
    ).all()
    rows = [*reversed(before), *after]
    return [CommentEntry(c, author, _text_shown(viewer, c)) for c, author in rows]


def threads_by_member(
    session: Session, *, viewer: Viewer, member_id: int, cursor: str | None = None, limit: int = 10
) -> Page[ThreadEntry]:
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    rows = session.exec(
        queries.threads_by_author(viewer, author_id=member_id, before_id=before_id, limit=limit + 1)
    ).all()
    entries = _with_topics(session, viewer, list(rows))
    return take_page(entries, limit, lambda e: (e.thread.id,))


def comments_by_member(
    session: Session, *, viewer: Viewer, member_id: int, cursor: str | None = None, limit: int = 10
) -> Page[AuthoredComment]:
    before_id = decode_cursor(cursor, int)[0] if cursor else None
    rows = session.exec(
        queries.comments_by_author(viewer, author_id=member_id, before_id=before_id, limit=limit + 1)
    ).all()
    return take_page([AuthoredComment(c, t) for c, t in rows], limit, lambda e: (e.comment.id,))


def revisions_of(
    session: Session, *, viewer: Viewer, thread_id: int | None = None, comment_id: int | None = None
) -> list[PostRevision]:
    """The edit history of a post, newest first: for its author and for moderators."""
    if comment_id is not None:
        post: Thread | Comment = _load_comment(session, viewer, comment_id)[0]
        condition = PostRevision.comment_id == comment_id
    else:
        post = _load_thread(session, viewer, thread_id or 0)[0]
        condition = PostRevision.thread_id == thread_id
    require(can_see_history(viewer, post), viewer)
    return list(session.exec(select(PostRevision).where(condition).order_by(col(PostRevision.id).desc())))


# --- writing -----------------------------------------------------------------------


def ensure_can_start_thread(viewer: Viewer) -> None:
    """Checked before a form is even read, so someone who may not post is never shown a form error."""
    require(can_start_thread(viewer), viewer)


def thread_for_commenting(session: Session, *, viewer: Viewer, thread_id: int) -> Thread:
    thread, _author = _load_thread(session, viewer, thread_id)
    require(can_comment(viewer, thread), viewer, "This thread does not take new comments.")
    return thread


def _screen(
    session: Session, viewer: Viewer, text: str, *, confirmed: bool, policy: ScreeningPolicy | None = None
) -> Verdict:
    """The automatic checks on a post's words; ``policy`` only for new posts (a new member's first posts)."""
    assert viewer.member is not None
    return screening.screen(
        session,
        author=viewer.member,
        text=text,
        policy=policy or ScreeningPolicy(),
        confirmed=confirmed,
        is_new=policy is not None,
    )


def _file(session: Session, post: Thread | Comment, verdict: Verdict, *, born_held: bool = False) -> None:
    """Hold the post if the checks say so, and put their findings in the moderation queue.

    ``born_held``: a new comment is stored held from the start, so it never counts or moves its thread.
    """
    held = verdict.hold and (born_held or post.visibility == Visibility.VISIBLE)
    if held and not born_held:
        set_visibility(session, post, Visibility.HELD)
    target_type = TargetType.THREAD if isinstance(post, Thread) else TargetType.COMMENT
    assert post.id is not None
    screening.file_flags(
        session, target_type=target_type, target_id=post.id, author_id=post.author_id, verdict=verdict, held=held
    )


def start_thread(session: Session, *, viewer: Viewer, data: ThreadCreate, policy: ScreeningPolicy) -> Thread:
    ensure_can_start_thread(viewer)
    topics = topics_service.topics_for_tagging(session, data.tags)
    verdict = _screen(session, viewer, f"{data.title}\n{data.body}", confirmed=data.confirm_identifiers, policy=policy)
    now = utcnow()
    thread = Thread(
        author_id=viewer.id,
        title=data.title,
        body=data.body,
        body_html=_render(session, data.body),
        audience=data.audience,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    session.add(thread)
    session.flush()
    topics_service.set_thread_topics(session, thread=thread, topics=topics)
    _file(session, thread, verdict)
    notifications_service.post_published(session, post=thread)
    return thread


def thread_for_editing(session: Session, *, viewer: Viewer, thread_id: int) -> Thread:
    thread, _author = _load_thread(session, viewer, thread_id)
    require(can_edit_post(viewer, thread), viewer)
    return thread


def comment_for_editing(session: Session, *, viewer: Viewer, comment_id: int) -> Comment:
    comment, _thread = _load_comment(session, viewer, comment_id)
    require(can_edit_post(viewer, comment), viewer)
    return comment


def edit_thread(session: Session, *, viewer: Viewer, thread_id: int, data: ThreadUpdate) -> Thread:
    thread = thread_for_editing(session, viewer=viewer, thread_id=thread_id)
    changed_text = (data.title is not None and data.title != thread.title) or (
        data.body is not None and data.body != thread.body
    )
    verdict = Verdict()
    if changed_text:
        new_text = f"{data.title or thread.title}\n{data.body if data.body is not None else thread.body}"
        verdict = _screen(session, viewer, new_text, confirmed=data.confirm_identifiers)
        session.add(
            PostRevision(
                thread_id=thread.id, editor_id=viewer.id, previous_title=thread.title, previous_body=thread.body
            )
        )
        thread.title = data.title if data.title is not None else thread.title
        if data.body is not None:
            thread.body = data.body
            thread.body_html = _render(session, data.body)
        thread.updated_at = utcnow()
    if data.audience is not None:
        thread.audience = data.audience
    if data.tags is not None:
        topics = topics_service.topics_for_tagging(
            session, data.tags, already=topics_service.topic_ids_of(session, thread.id)
        )
        topics_service.set_thread_topics(session, thread=thread, topics=topics)
    session.flush()
    _file(session, thread, verdict)
    notifications_service.post_edited(session, post=thread)
    return thread


def delete_thread(session: Session, *, viewer: Viewer, thread_id: int) -> Thread:
    thread = thread_for_editing(session, viewer=viewer, thread_id=thread_id)
    thread.deleted_at = utcnow()
    thread.deleted_by_id = viewer.id
    session.flush()
    return thread


def add_comment(
    session: Session, *, viewer: Viewer, thread_id: int, data: CommentCreate, policy: ScreeningPolicy
) -> Comment:
    thread = thread_for_commenting(session, viewer=viewer, thread_id=thread_id)
    verdict = _screen(session, viewer, data.body, confirmed=data.confirm_identifiers, policy=policy)
    now = utcnow()
    comment = Comment(
        thread_id=thread.id,
        author_id=viewer.id,
        body=data.body,
        body_html=_render(session, data.body),
        created_at=now,
        updated_at=now,
        visibility=Visibility.HELD if verdict.hold else Visibility.VISIBLE,
    )
    session.add(comment)
    if comment.is_counted:
        _count_activity(session, comment, by=1, at=now)
    session.flush()
    _file(session, comment, verdict, born_held=verdict.hold)
    notifications_service.post_published(session, post=comment)
    return comment


def _count_activity(session: Session, comment: Comment, *, by: int = 0, at: datetime | None = None) -> None:
    """A comment changed what readers see: a comment everyone can see counts on its thread and,
    when new, moves the thread up its lists; any change moves the thread's comments version."""
    _comments_changed(session, thread_id=comment.thread_id, count_by=by, activity_at=at)
    if at is not None:
        topics_service.record_activity(session, thread_id=comment.thread_id, at=at)


def edit_comment(session: Session, *, viewer: Viewer, comment_id: int, data: CommentUpdate) -> Comment:
    comment = comment_for_editing(session, viewer=viewer, comment_id=comment_id)
    if data.body != comment.body:
        verdict = _screen(session, viewer, data.body, confirmed=data.confirm_identifiers)
        session.add(PostRevision(comment_id=comment.id, editor_id=viewer.id, previous_body=comment.body))
        comment.body = data.body
        comment.body_html = _render(session, data.body)
        comment.updated_at = utcnow()
        _count_activity(session, comment)
        session.flush()
        _file(session, comment, verdict)
        notifications_service.post_edited(session, post=comment)
    return comment


def delete_comment(session: Session, *, viewer: Viewer, comment_id: int) -> Comment:
    comment = comment_for_editing(session, viewer=viewer, comment_id=comment_id)
    _count_activity(session, comment, by=-1 if comment.is_counted else 0)
    comment.deleted_at = utcnow()
    comment.deleted_by_id = viewer.id
    session.flush()
    return comment


def set_visibility(session: Session, post: Thread | Comment, visibility: Visibility) -> None:
    """Moderation moves a post between visible, held, hidden and removed; counts and notifications follow."""
    was_counted, was = post.is_counted, post.visibility
    post.visibility = visibility
    if isinstance(post, Comment) and was != visibility:
        _count_activity(session, post, by=post.is_counted - was_counted)
    session.flush()
    # However it came back (approved, restored, an undo), a post others can now read tells who should know, once.
    notifications_service.post_published(session, post=post)


def _comments_changed(
    session: Session, *, thread_id: int, count_by: int = 0, activity_at: datetime | None = None
) -> None:
    """Move the thread's comments version (readers' cached comments are then rebuilt) and, in the
    same statement, its denormalised count and activity: in SQL, so concurrent comments never lose one."""
    values: dict[str, object] = {"comments_version": col(Thread.comments_version) + 1}
    if count_by:
        values["comment_count"] = col(Thread.comment_count) + count_by
    if activity_at is not None:
        values["last_activity_at"] = activity_at
    # An ORM-enabled UPDATE: the loaded Thread object is brought up to date as well.
    session.execute(update(Thread).where(col(Thread.id) == thread_id).values(**values))
