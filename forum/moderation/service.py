"""The rules of moderation: who may report what, how reports gather in the queue, and how
moderators act on content and members. Every step leaves an event in the append-only log.

State changes of a review item are guarded in SQL (``UPDATE … WHERE status IN (…)``) and
checked by row count, so of two moderators acting at once exactly one wins, on SQLite and
PostgreSQL alike; the other is told, and nothing is applied twice. Every check runs before
the first write, so a refused action changes nothing.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select, update

from forum.accounts import service as accounts_service
from forum.accounts.models import Member, Role
from forum.errors import Conflict, Forbidden, InvalidInput
from forum.kit.pagination import DEFAULT_PAGE_SIZE, Page, decode_cursor, take_page
from forum.kit.time import utcnow
from forum.moderation import levers, records
from forum.moderation.levers import Lever, Target
from forum.moderation.models import (
    PUBLIC_ACTIONS,
    SEVERITY,
    Action,
    ItemStatus,
    MemberNotice,
    ModerationEvent,
    Report,
    ReportReason,
    ReviewItem,
    TargetType,
)
from forum.moderation.schemas import ActionRequest, ReportCreate
from forum.notifications import service as notifications_service
from forum.permissions import (
    Viewer,
    can_act_on_member,
    can_appoint_moderators,
    can_moderate,
    can_release_claim,
    can_report,
    require,
    require_visible,
)
from forum.threads import service as threads_service
from forum.threads.models import Comment, PostRevision, Thread, Visibility
from forum.topics import service as topics_service
from forum.topics.models import ThreadTopic

ACTIVE = (ItemStatus.OPEN, ItemStatus.CLAIMED)
ITEM_TAKEN = "Another moderator has already taken or resolved this item; reload the queue to see its state."
HISTORY_LENGTH = 20
ALREADY_UNDONE = "This action has already been undone."

# Each action but claim, dismiss and warn sets one lever to a state worked out from the request.
ACTIONS: dict[Action, tuple[Lever, Callable[[ActionRequest], str]]] = {
    Action.HIDE: (levers.VISIBILITY, lambda _r: Visibility.HIDDEN),
    Action.REMOVE: (levers.VISIBILITY, lambda _r: Visibility.REMOVED),
    Action.RESTORE: (levers.VISIBILITY, lambda _r: Visibility.VISIBLE),
    Action.LOCK: (levers.LOCK, lambda _r: "locked"),
    Action.UNLOCK: (levers.LOCK, lambda _r: "unlocked"),
    Action.PIN: (levers.PIN, lambda _r: "pinned"),
    Action.UNPIN: (levers.PIN, lambda _r: "unpinned"),
    Action.RETAG: (levers.TOPICS, lambda r: ",".join(sorted(_required(r.tags, "tags", "the topics to set")))),
    Action.SET_AUDIENCE: (levers.AUDIENCE, lambda r: _required(r.audience, "audience", "members or public")),
    Action.SUSPEND: (levers.STANDING, lambda r: levers.suspended_state(levers.suspension_end(r.duration_days))),
    Action.BAN: (levers.STANDING, lambda _r: levers.BANNED),
    Action.LIFT: (levers.STANDING, lambda _r: levers.ACTIVE),
    Action.APPOINT_MODERATOR: (levers.ROLE, lambda _r: Role.MODERATOR),
    Action.REMOVE_MODERATOR: (levers.ROLE, lambda _r: Role.MEMBER),
}
# What the log offers to undo: every action that changed something, and the automatic holds.
UNDOABLE = frozenset({*ACTIONS, Action.CLAIM, Action.DISMISS, Action.WARN, "hold"})
MEMBER_ACTIONS = frozenset(
    {Action.WARN, *(a for a, (lever, _) in ACTIONS.items() if lever.applies_to == levers.MEMBERS)}
)


def _required(value: Any, name: str, what: str) -> Any:
    if value is None:
        raise InvalidInput({name: f"is needed for this action: {what}"})
    return value


@dataclass(frozen=True)
class QueueEntry:
    item: ReviewItem
    reasons: list[ReportReason]
    label: str = ""


@dataclass(frozen=True)
class Change:
    """One planned action, checked and not yet applied."""

    action: Action
    target_type: TargetType
    target: Target
    subject_id: int | None
    lever: Lever | None
    before: str
    after: str


@dataclass(frozen=True)
class ItemDetail:
    entry: QueueEntry
    reports: list[Report]
    thread: Thread | None
    comment: Comment | None
    member: Member | None
    neighbours: list[threads_service.CommentEntry]
    revisions: list[PostRevision]
    author_history: list[ModerationEvent]
    events: list[ModerationEvent] = field(default_factory=list)


# --- reporting -----------------------------------------------------------------------


def _load_target(session: Session, viewer: Viewer, target_type: TargetType, target_id: int) -> Target:
    """The reported or moderated thing, as this viewer may see it (absent or hidden is a 404)."""
    if target_type == TargetType.THREAD:
        return threads_service.get_thread(session, viewer=viewer, thread_id=target_id).thread
    if target_type == TargetType.COMMENT:
        return threads_service.get_comment(session, viewer=viewer, comment_id=target_id).comment
    return accounts_service.get_member(session, member_id=target_id)


def _owner_of(target: Target) -> int | None:
    return target.id if isinstance(target, Member) else target.author_id


def check_reportable(session: Session, *, viewer: Viewer, target_type: TargetType, target_id: int) -> None:
    """A member may report what they can see and is not their own."""
    require(can_report(viewer), viewer)
    if _owner_of(_load_target(session, viewer, target_type, target_id)) == viewer.id:
        raise InvalidInput({"target_id": "is your own: edit or delete it instead"})


def report(session: Session, *, viewer: Viewer, data: ReportCreate, auto_hide_at: int) -> Report:
    """File a member's report; reports on one target gather into one review item.

    Content reported by ``auto_hide_at`` different members is held until a moderator looks.
    """
    check_reportable(session, viewer=viewer, target_type=data.target_type, target_id=data.target_id)
    now = utcnow()
    item = records.open_item(session, data.target_type, data.target_id)
    report = Report(
        review_item_id=item.id, reporter_id=viewer.id, reason=data.reason, details=data.details, created_at=now
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:  # the partial unique index: one open report per member per target
        raise Conflict("You have already reported this; moderators will look at it.") from None
    item.report_count += 1
    item.severity = max(item.severity, SEVERITY[ReportReason(data.reason)])
    item.priority = item.report_count * 10 + item.severity
    item.last_reported_at = now
    target = _load_target(session, viewer, data.target_type, data.target_id)
    records.log_event(
        session,
        actor_id=viewer.id,
        action="report",
        target_type=item.target_type,
        target_id=item.target_id,
        subject_id=_owner_of(target),
        item=item,
        reason=data.reason,
    )
    if isinstance(target, Thread | Comment) and item.report_count >= auto_hide_at:
        _hold_reported(session, item, target)
    return report


def _hold_reported(session: Session, item: ReviewItem, post: Thread | Comment) -> None:
    if post.visibility != Visibility.VISIBLE:
        return
    threads_service.set_visibility(session, post, Visibility.HELD)
    records.log_event(
        session,
        actor_id=None,
        action="hold",
        target_type=item.target_type,
        target_id=item.target_id,
        subject_id=post.author_id,
        item=item,
        reason=f"Reported by {item.report_count} members: held until a moderator looks",
        before=Visibility.VISIBLE,
        after=Visibility.HELD,
        lever=levers.VISIBILITY.name,
    )


def my_reports(session: Session, *, viewer: Viewer) -> list[tuple[Report, ReviewItem]]:
    """A member's own reports, newest first, with what became of each."""
    require(viewer.is_member, viewer)
    statement = (
        select(Report, ReviewItem)
        .join(ReviewItem, col(ReviewItem.id) == Report.review_item_id)
        .where(Report.reporter_id == viewer.id)
        .order_by(col(Report.id).desc())
        .limit(100)
    )
    return list(session.exec(statement).all())


# --- the queue -----------------------------------------------------------------------


def queue(
    session: Session,
    *,
    viewer: Viewer,
    status: ItemStatus | None = None,
    reason: ReportReason | None = None,
    topic: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> Page[QueueEntry]:
    """Review items by priority (most reporters, gravest reason), oldest first among equals."""
    require(can_moderate(viewer), viewer)
    statement = select(ReviewItem)
    statement = statement.where(
        ReviewItem.status == status if status else col(ReviewItem.status).in_([s.value for s in ACTIVE])
    )
    if reason is not None:
        statement = statement.where(
            col(ReviewItem.id).in_(select(Report.review_item_id).where(Report.reason == reason))
        )
    if topic is not None:
        statement = statement.where(_about_topic(topics_service.resolve_slug(session, topic)[0].id or 0))
    if cursor:
        priority, item_id = decode_cursor(cursor, int, int)
        statement = statement.where(
            (col(ReviewItem.priority) < priority)
            | ((col(ReviewItem.priority) == priority) & (col(ReviewItem.id) > item_id))
        )
    statement = statement.order_by(col(ReviewItem.priority).desc(), col(ReviewItem.id)).limit(limit + 1)
    items = list(session.exec(statement).all())
    reasons = _reasons_of(session, [item.id for item in items])
    labels = _labels_of(session, items)
    entries = [QueueEntry(item, reasons.get(item.id, []), labels.get(item.id, "")) for item in items]
    return take_page(entries, limit, lambda e: (e.item.priority, e.item.id))


def _about_topic(topic_id: int) -> object:
    """Items about a thread with the topic, or about a comment in one."""
    threads = select(ThreadTopic.thread_id).where(ThreadTopic.topic_id == topic_id)
    comments = select(Comment.id).where(col(Comment.thread_id).in_(threads))
    return or_(
        (col(ReviewItem.target_type) == TargetType.THREAD) & col(ReviewItem.target_id).in_(threads),
        (col(ReviewItem.target_type) == TargetType.COMMENT) & col(ReviewItem.target_id).in_(comments),
    )


def _reasons_of(session: Session, item_ids: list[int]) -> dict[int, list[ReportReason]]:
    """The distinct reasons of the open reports of many items, in one query."""
    found: dict[int, list[ReportReason]] = defaultdict(list)
    if item_ids:
        rows = session.exec(
            select(Report.review_item_id, Report.reason)
            .where(col(Report.review_item_id).in_(item_ids), col(Report.closed_at).is_(None))
            .distinct()
            .order_by(col(Report.reason))
        ).all()
        for item_id, reason in rows:
            found[item_id].append(ReportReason(reason))
    return found


def _labels_of(session: Session, items: list[ReviewItem]) -> dict[int, str]:
    """A line naming each item's target (a thread's title, a member's name), three queries for any page."""
    ids: dict[str, list[int]] = defaultdict(list)
    for item in items:
        ids[item.target_type].append(item.target_id)
    comments = {c.id: c for c in session.exec(select(Comment).where(col(Comment.id).in_(ids[TargetType.COMMENT])))}
    thread_ids = ids[TargetType.THREAD] + [c.thread_id for c in comments.values()]
    titles = dict(session.exec(select(Thread.id, Thread.title).where(col(Thread.id).in_(thread_ids))).all())
    names = dict(
        session.exec(select(Member.id, Member.display_name).where(col(Member.id).in_(ids[TargetType.USER]))).all()
    )
    labels: dict[int, str] = {}
    for item in items:
        if item.target_type == TargetType.THREAD:
            labels[item.id] = f"Thread: {titles.get(item.target_id, '')}"
        elif item.target_type == TargetType.COMMENT and item.target_id in comments:
            labels[item.id] = f"Comment in: {titles.get(comments[item.target_id].thread_id, '')}"
        else:
            labels[item.id] = f"Member: {names.get(item.target_id, '')}"
    return labels


def get_item(session: Session, *, viewer: Viewer, item_id: int) -> QueueEntry:
    require(can_moderate(viewer), viewer)
    item = session.get(ReviewItem, item_id)
    require_visible(item is not None)
    assert item is not None
    return QueueEntry(item, _reasons_of(session, [item_id]).get(item_id, []), _labels_of(session, [item])[item_id])


def item_detail(session: Session, *, viewer: Viewer, item_id: int) -> ItemDetail:
    """An item with everything needed to decide it: content in context, its edits, its author's past."""
    entry = get_item(session, viewer=viewer, item_id=item_id)
    item = entry.item
    target = _load_target(session, viewer, TargetType(item.target_type), item.target_id)
    thread = comment = member = None
    neighbours: list[threads_service.CommentEntry] = []
    revisions: list[PostRevision] = []
    if isinstance(target, Comment):
        comment = target
        thread = threads_service.get_thread(session, viewer=viewer, thread_id=target.thread_id).thread
        neighbours = threads_service.comments_around(session, viewer=viewer, comment=target, each_side=2)
        revisions = threads_service.revisions_of(session, viewer=viewer, comment_id=target.id)
    elif isinstance(target, Thread):
        thread = target
        revisions = threads_service.revisions_of(session, viewer=viewer, thread_id=target.id)
    else:
        member = target
    reports = list(session.exec(select(Report).where(Report.review_item_id == item.id).order_by(col(Report.id))))
    subject_id = _owner_of(target)
    history = list(
        session.exec(
            select(ModerationEvent)
            .where(ModerationEvent.subject_id == subject_id, col(ModerationEvent.action) != "report")
            .order_by(col(ModerationEvent.id).desc())
            .limit(HISTORY_LENGTH)
        )
    )
    events = list(
        session.exec(
            select(ModerationEvent).where(ModerationEvent.review_item_id == item.id).order_by(col(ModerationEvent.id))
        )
    )
    return ItemDetail(entry, reports, thread, comment, member, neighbours, revisions, history, events)


# --- acting --------------------------------------------------------------------------


def act(session: Session, *, viewer: Viewer, item_id: int, request: ActionRequest) -> QueueEntry:
    """Act on a review item: claim it, or resolve it with any action on its target or the target's author."""
    entry = get_item(session, viewer=viewer, item_id=item_id)
    item = entry.item
    _require_impartial(session, viewer, item)
    if request.action == Action.CLAIM:
        before = item.status
        _transition(
            session,
            item,
            from_=(ItemStatus.OPEN,),
            to=ItemStatus.CLAIMED,
            values={"claimed_by_id": viewer.id, "claimed_at": utcnow()},
        )
        records.log_event(
            session,
            actor_id=viewer.id,
            action="claim",
            target_type=item.target_type,
            target_id=item.target_id,
            subject_id=None,
            item=item,
            reason=request.reason or "",
            before=before,
            after=ItemStatus.CLAIMED,
        )
    else:
        target = _load_target(session, viewer, TargetType(item.target_type), item.target_id)
        change = _plan_for_item(session, viewer, item, target, request)
        _resolve(session, viewer, item, outcome=request.action)
        _apply(session, viewer, change, reason=request.reason or "", item=item)
    session.refresh(item)
    return get_item(session, viewer=viewer, item_id=item_id)


def act_on_target(
    session: Session, *, viewer: Viewer, target_type: TargetType, target_id: int, request: ActionRequest
) -> ModerationEvent:
    """Act directly on a thread, comment or member, with no report needed (locking a heated thread, say)."""
    require(can_moderate(viewer), viewer)
    if request.action in (Action.CLAIM, Action.DISMISS):
        raise InvalidInput({"action": "claim and dismiss are for review items"})
    target = _load_target(session, viewer, target_type, target_id)
    return _apply(session, viewer, _plan(session, viewer, target_type, target, request), reason=request.reason or "")


def _plan_for_item(
    session: Session, viewer: Viewer, item: ReviewItem, target: Target, request: ActionRequest
) -> Change:
    """What resolving an item does. Dismissing approves content that was held for review;
    an action on a member, asked from an item about a post, falls on its author."""
    target_type = TargetType(item.target_type)
    if request.action == Action.DISMISS:
        held = isinstance(target, Thread | Comment) and target.visibility == Visibility.HELD
        lever = levers.VISIBILITY if held else None
        before, after = (Visibility.HELD, Visibility.VISIBLE) if held else (item.status, ItemStatus.RESOLVED)
        return Change(Action.DISMISS, target_type, target, _owner_of(target), lever, before, after)
    if request.action in MEMBER_ACTIONS and not isinstance(target, Member):
        target_type, target = TargetType.USER, accounts_service.get_member(session, member_id=target.author_id)
    return _plan(session, viewer, target_type, target, request)


def _plan(session: Session, viewer: Viewer, target_type: TargetType, target: Target, request: ActionRequest) -> Change:
    """Check an action against its target and work out the state it sets; nothing is written yet."""
    if isinstance(target, Member):
        require(can_act_on_member(viewer, target), viewer, "Moderators act on members, and admins on moderators.")
        if request.action in (Action.APPOINT_MODERATOR, Action.REMOVE_MODERATOR):
            require(can_appoint_moderators(viewer), viewer, "Only admins appoint and remove moderators.")
    if request.action == Action.WARN:
        if not isinstance(target, Member):
            raise InvalidInput({"action": "warn is for members"})
        return Change(Action.WARN, target_type, target, target.id, None, "", "warned")
    lever, desired = ACTIONS[request.action]
    if target_type not in lever.applies_to:
        raise InvalidInput({"action": f"{request.action.value} cannot be used on a {target_type.value}"})
    after = desired(request)
    if lever is levers.TOPICS:
        levers.check_topics(session, target, after)
    before = lever.read(session, target)
    if before == after:
        raise Conflict(f"Nothing to do: this is already {after}.")
    return Change(request.action, target_type, target, _owner_of(target), lever, before, after)


def _apply(
    session: Session, viewer: Viewer, change: Change, *, reason: str, item: ReviewItem | None = None
) -> ModerationEvent:
    if change.lever is not None:
        change.lever.write(session, change.target, change.after, reason)
    event = records.log_event(
        session,
        actor_id=viewer.id,
        action=change.action,
        target_type=change.target_type,
        target_id=change.target.id or 0,
        subject_id=change.subject_id,
        item=item,
        reason=reason,
        before=change.before,
        after=change.after,
        lever=change.lever.name if change.lever else "",
    )
    if change.action == Action.WARN:
        _send_warning(session, change.target, event)
    notifications_service.moderation_applied(session, event=event, target=change.target)
    session.flush()
    return event


def _send_warning(session: Session, member: Target, event: ModerationEvent) -> None:
    assert isinstance(member, Member)
    session.add(MemberNotice(member_id=member.id, event_id=event.id, message=event.reason))
    member.warning_pending = True


def _require_impartial(session: Session, viewer: Viewer, item: ReviewItem) -> None:
    """A moderator does not judge their own content, nor what they reported: another must."""
    target = _load_target(session, viewer, TargetType(item.target_type), item.target_id)
    reported = session.exec(
        select(Report.id).where(Report.review_item_id == item.id, Report.reporter_id == viewer.id)
    ).first()
    if _owner_of(target) == viewer.id or reported is not None:
        raise Forbidden("You reported this or it is about you: another moderator must handle it.")


def _resolve(session: Session, viewer: Viewer, item: ReviewItem, *, outcome: str) -> None:
    now = utcnow()
    _transition(
        session,
        item,
        from_=ACTIVE,
        to=ItemStatus.RESOLVED,
        values={"resolved_by_id": viewer.id, "resolved_at": now, "resolution": outcome},
        # A claimed item is resolved by the moderator who claimed it.
        extra=(col(ReviewItem.claimed_by_id).is_(None)) | (col(ReviewItem.claimed_by_id) == viewer.id),
    )
    notifications_service.reports_resolved(session, item=item, outcome=outcome, moderator_id=viewer.id)
    session.execute(
        update(Report)
        .where(col(Report.review_item_id) == item.id, col(Report.closed_at).is_(None))
        .values(closed_at=now, outcome=outcome),
        execution_options={"synchronize_session": False},
    )


def _transition(
    session: Session,
    item: ReviewItem,
    *,
    from_: tuple[ItemStatus, ...],
    to: ItemStatus,
    values: dict[str, object],
    extra: object = None,
) -> None:
    """Move an item between states only if it is still where this moderator saw it."""
    statement = update(ReviewItem).where(
        col(ReviewItem.id) == item.id, col(ReviewItem.status).in_([s.value for s in from_])
    )
    if extra is not None:
        statement = statement.where(extra)  # type: ignore[arg-type]
    result = session.execute(statement.values(status=to, **values), execution_options={"synchronize_session": False})
    if result.rowcount != 1:
        raise Conflict(ITEM_TAKEN)


# --- undo ----------------------------------------------------------------------------


def undo(session: Session, *, viewer: Viewer, event_id: int, reason: str) -> ModerationEvent:
    """Put back what one logged action changed, if nobody has changed it since.

    An undo is logged like any action. The unique index on ``undoes_event_id`` lets each
    event be undone once, even by two moderators at the same moment. Undoing a claim
    releases the item for any moderator.
    """
    require(can_moderate(viewer), viewer)
    event = session.get(ModerationEvent, event_id)
    require_visible(event is not None)
    assert event is not None
    target, lever = _check_undoable(session, viewer, event)
    if event.action == Action.CLAIM:
        _release(session, viewer, event)
    undo_event = _log_undo(session, viewer, event, reason)
    if lever is not None:
        lever.write(session, target, event.state_before, reason)
    if event.action == Action.WARN:
        _retract_warning(session, event)
    _reopen_item_resolved_by(session, event)
    session.flush()
    return undo_event


def _check_undoable(session: Session, viewer: Viewer, event: ModerationEvent) -> tuple[Target, Lever | None]:
    """Everything an undo must satisfy, checked before anything is written."""
    if event.action not in UNDOABLE:
        raise InvalidInput({"event": f"a {event.action} cannot be undone"})
    already = session.exec(select(ModerationEvent.id).where(ModerationEvent.undoes_event_id == event.id)).first()
    if already is not None:
        raise Conflict(ALREADY_UNDONE)
    target = _load_target(session, viewer, TargetType(event.target_type), event.target_id)
    lever = levers.LEVERS.get(event.lever)
    if isinstance(target, Member) and event.action != Action.CLAIM:
        require(can_act_on_member(viewer, target), viewer, "Moderators act on members, and admins on moderators.")
        if lever is levers.ROLE:
            require(can_appoint_moderators(viewer), viewer, "Only admins appoint and remove moderators.")
    if lever is not None and lever.read(session, target) != event.state_after:
        raise Conflict("This has changed since that action; act on it as it is now instead.")
    return target, lever


def _release(session: Session, viewer: Viewer, claim: ModerationEvent) -> None:
    """Give a claimed item back to the queue: the one who claimed it may, and so may an admin."""
    require(
        can_release_claim(viewer, claim.actor_id),
        viewer,
        "Only the moderator who claimed it, or an admin, can release it.",
    )
    item = session.get(ReviewItem, claim.review_item_id)
    assert item is not None
    _transition(
        session,
        item,
        from_=(ItemStatus.CLAIMED,),
        to=ItemStatus.OPEN,
        values={"claimed_by_id": None, "claimed_at": None},
        extra=col(ReviewItem.claimed_by_id) == claim.actor_id,
    )


def _log_undo(session: Session, viewer: Viewer, event: ModerationEvent, reason: str) -> ModerationEvent:
    undo_event = ModerationEvent(
        actor_id=viewer.id,
        action="undo",
        target_type=event.target_type,
        target_id=event.target_id,
        subject_id=event.subject_id,
        review_item_id=event.review_item_id,
        lever=event.lever,
        reason=reason,
        state_before=event.state_after,
        state_after=event.state_before,
        undoes_event_id=event.id,
    )
    try:
        with session.begin_nested():
            session.add(undo_event)
            session.flush()
    except IntegrityError:  # another moderator undid it at the same moment
        raise Conflict(ALREADY_UNDONE) from None
    return undo_event


def _retract_warning(session: Session, event: ModerationEvent) -> None:
    session.execute(
        update(MemberNotice)
        .where(col(MemberNotice.event_id) == event.id, col(MemberNotice.retracted_at).is_(None))
        .values(retracted_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    _refresh_warning_flag(session, event.target_id)


def _reopen_item_resolved_by(session: Session, event: ModerationEvent) -> None:
    """Undoing the action that resolved an item puts the item and its reports back in the queue."""
    item = session.get(ReviewItem, event.review_item_id) if event.review_item_id else None
    if item is None or item.status != ItemStatus.RESOLVED or item.resolution != event.action:
        return
    session.execute(
        update(Report)
        .where(col(Report.review_item_id) == item.id, col(Report.closed_at) == item.resolved_at)
        .values(closed_at=None, outcome=None),
        execution_options={"synchronize_session": False},
    )
    item.status = ItemStatus.OPEN
    item.claimed_by_id = item.claimed_at = item.resolved_by_id = item.resolved_at = item.resolution = None


# --- warnings ------------------------------------------------------------------------


def pending_warnings(session: Session, *, member_id: int) -> list[MemberNotice]:
    return list(
        session.exec(
            select(MemberNotice)
            .where(
                MemberNotice.member_id == member_id,
                col(MemberNotice.seen_at).is_(None),
                col(MemberNotice.retracted_at).is_(None),
            )
            .order_by(col(MemberNotice.id))
        )
    )


def acknowledge_warnings(session: Session, *, viewer: Viewer) -> None:
    """The member has read their warnings: they stop showing on every page."""
    member = accounts_service.require_self(viewer)
    session.execute(
        update(MemberNotice)
        .where(col(MemberNotice.member_id) == member.id, col(MemberNotice.seen_at).is_(None))
        .values(seen_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    _refresh_warning_flag(session, member.id or 0)


def _refresh_warning_flag(session: Session, member_id: int) -> None:
    member = session.get(Member, member_id)
    if member is not None:
        member.warning_pending = bool(pending_warnings(session, member_id=member_id))


# --- the logs ------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    action: str | None = None
    actor_id: int | None = None
    subject_id: int | None = None
    target_type: TargetType | None = None
    target_id: int | None = None


def events(
    session: Session, *, viewer: Viewer, filters: LogFilter = LogFilter(), cursor: str | None = None, limit: int = 50
) -> Page[ModerationEvent]:
    """The audit log, newest first, narrowed by any of the filters."""
    require(can_moderate(viewer), viewer)
    statement = select(ModerationEvent)
    for column, value in (
        (ModerationEvent.action, filters.action),
        (ModerationEvent.actor_id, filters.actor_id),
        (ModerationEvent.subject_id, filters.subject_id),
        (ModerationEvent.target_type, filters.target_type),
        (ModerationEvent.target_id, filters.target_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return _newest_first(session, statement, cursor, limit)


def public_events(session: Session, *, cursor: str | None = None, limit: int = 50) -> Page[ModerationEvent]:
    """The transparency log, open to all: actions and their reasons, never reports or reporters.

    Callers show only the action, the kind of target, the reason and the time.
    """
    statement = select(ModerationEvent).where(col(ModerationEvent.action).in_(PUBLIC_ACTIONS))
    return _newest_first(session, statement, cursor, limit)


def public_reason(event: ModerationEvent) -> str:
    """A moderator's reason is written for the public log; an automatic one may quote the post, so it is not."""
    return event.reason if event.actor_id is not None else "An automatic check held this for a moderator."


def _newest_first(session: Session, statement: object, cursor: str | None, limit: int) -> Page[ModerationEvent]:
    if cursor:
        statement = statement.where(col(ModerationEvent.id) < decode_cursor(cursor, int)[0])  # type: ignore[attr-defined]
    rows = list(session.exec(statement.order_by(col(ModerationEvent.id).desc()).limit(limit + 1)).all())  # type: ignore[attr-defined]
    return take_page(rows, limit, lambda event: (event.id,))
