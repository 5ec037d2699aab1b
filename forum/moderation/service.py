"""The rules of moderation: who may report what, how reports gather in the queue, and how
moderators act on them. Every step leaves an event in the append-only log.

State changes of a review item are guarded in SQL (``UPDATE … WHERE status IN (…)``) and
checked by row count, so of two moderators acting at once exactly one wins, on SQLite and
PostgreSQL alike; the other is told, and nothing is applied twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from forum.accounts import service as accounts_service
from forum.errors import Conflict, Forbidden, InvalidInput, RateLimited
from forum.kit.pagination import DEFAULT_PAGE_SIZE, Page, decode_cursor, take_page
from forum.kit.time import utcnow
from forum.moderation.models import (
    SEVERITY,
    ItemStatus,
    ModerationEvent,
    Report,
    ReportReason,
    ReviewItem,
    TargetType,
)
from forum.moderation.schemas import ActionRequest, ItemAction, ReportCreate
from forum.permissions import Viewer, can_moderate, can_report, require, require_visible
from forum.threads import service as threads_service

RATE_WINDOW = timedelta(hours=1)
ACTIVE = (ItemStatus.OPEN, ItemStatus.CLAIMED)
ITEM_TAKEN = "Another moderator has already taken or resolved this item; reload the queue to see its state."


@dataclass(frozen=True)
class QueueEntry:
    item: ReviewItem
    reasons: list[ReportReason]


# --- reporting -----------------------------------------------------------------------


def _author_of_target(session: Session, viewer: Viewer, target_type: TargetType, target_id: int) -> int:
    """The member the reported thing belongs to; absent or not visible to the reporter is a 404."""
    if target_type == TargetType.THREAD:
        return threads_service.get_thread(session, viewer=viewer, thread_id=target_id).thread.author_id
    if target_type == TargetType.COMMENT:
        return threads_service.get_comment(session, viewer=viewer, comment_id=target_id).comment.author_id
    return accounts_service.get_member(session, member_id=target_id).id or 0


def check_reportable(session: Session, *, viewer: Viewer, target_type: TargetType, target_id: int) -> None:
    """A member may report what they can see and is not their own."""
    require(can_report(viewer), viewer)
    if _author_of_target(session, viewer, target_type, target_id) == viewer.id:
        raise InvalidInput({"target_id": "is your own: edit or delete it instead"})


def report(session: Session, *, viewer: Viewer, data: ReportCreate, limit_per_hour: int) -> Report:
    """File a member's report; reports on one target gather into one review item."""
    check_reportable(session, viewer=viewer, target_type=data.target_type, target_id=data.target_id)
    _hold_to_rate(session, viewer, limit_per_hour)
    now = utcnow()
    item = _item_for(session, data.target_type, data.target_id)
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
    _log(session, actor_id=viewer.id, action="report", item=item, reason=data.reason)
    session.flush()
    return report


def _hold_to_rate(session: Session, viewer: Viewer, limit_per_hour: int) -> None:
    """Count this member's recent reports in the database, so the limit holds across workers."""
    since = utcnow() - RATE_WINDOW
    recent = session.exec(
        select(func.count()).select_from(Report).where(Report.reporter_id == viewer.id, Report.created_at > since)
    ).one()
    if recent >= limit_per_hour:
        raise RateLimited(int(RATE_WINDOW.total_seconds()), "You have sent many reports this hour; try again later.")


def _item_for(session: Session, target_type: str, target_id: int) -> ReviewItem:
    """The target's review item: found, reopened if it was resolved, or made."""
    item = session.exec(
        select(ReviewItem).where(ReviewItem.target_type == target_type, ReviewItem.target_id == target_id)
    ).first()
    if item is None:
        item = ReviewItem(target_type=target_type, target_id=target_id)
        session.add(item)
        session.flush()
    elif item.status == ItemStatus.RESOLVED:
        item.status = ItemStatus.OPEN
        item.report_count = item.severity = item.priority = 0
        item.claimed_by_id = item.claimed_at = item.resolved_by_id = item.resolved_at = item.resolution = None
        item.created_at = utcnow()
    return item


def my_reports(session: Session, *, viewer: Viewer) -> list[tuple[Report, ReviewItem]]:
    """A member's own reports, newest first, with what became of each."""
    require(can_report(viewer), viewer)
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
    if cursor:
        priority, item_id = decode_cursor(cursor, int, int)
        statement = statement.where(
            (col(ReviewItem.priority) < priority)
            | ((col(ReviewItem.priority) == priority) & (col(ReviewItem.id) > item_id))
        )
    statement = statement.order_by(col(ReviewItem.priority).desc(), col(ReviewItem.id)).limit(limit + 1)
    items = list(session.exec(statement).all())
    reasons = _reasons_of(session, [item.id for item in items])
    entries = [QueueEntry(item, reasons.get(item.id, [])) for item in items]
    return take_page(entries, limit, lambda e: (e.item.priority, e.item.id))


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


def get_item(session: Session, *, viewer: Viewer, item_id: int) -> QueueEntry:
    require(can_moderate(viewer), viewer)
    item = session.get(ReviewItem, item_id)
    require_visible(item is not None)
    assert item is not None
    return QueueEntry(item, _reasons_of(session, [item_id]).get(item_id, []))


def reports_on(session: Session, *, viewer: Viewer, item_id: int) -> list[Report]:
    """Who reported what: for moderators only."""
    require(can_moderate(viewer), viewer)
    return list(session.exec(select(Report).where(Report.review_item_id == item_id).order_by(col(Report.id))))


# --- acting on an item ---------------------------------------------------------------


def act(session: Session, *, viewer: Viewer, item_id: int, request: ActionRequest) -> QueueEntry:
    entry = get_item(session, viewer=viewer, item_id=item_id)
    _require_impartial(session, viewer, entry.item)
    if request.action == ItemAction.CLAIM:
        _transition(
            session,
            viewer,
            entry.item,
            from_=(ItemStatus.OPEN,),
            to=ItemStatus.CLAIMED,
            values={"claimed_by_id": viewer.id, "claimed_at": utcnow()},
            reason=request.reason,
            action="claim",
        )
    else:
        _resolve(session, viewer, entry.item, outcome="dismissed", reason=request.reason)
    session.refresh(entry.item)
    return get_item(session, viewer=viewer, item_id=item_id)


def _require_impartial(session: Session, viewer: Viewer, item: ReviewItem) -> None:
    """A moderator does not judge their own content, nor what they reported: another must."""
    about_self = (item.target_type == TargetType.USER and item.target_id == viewer.id) or (
        item.target_type != TargetType.USER
        and _author_of_target(session, viewer, TargetType(item.target_type), item.target_id) == viewer.id
    )
    reported = session.exec(
        select(Report.id).where(Report.review_item_id == item.id, Report.reporter_id == viewer.id)
    ).first()
    if about_self or reported is not None:
        raise Forbidden("You reported this or it is about you: another moderator must handle it.")


def _resolve(session: Session, viewer: Viewer, item: ReviewItem, *, outcome: str, reason: str) -> None:
    now = utcnow()
    _transition(
        session,
        viewer,
        item,
        from_=ACTIVE,
        to=ItemStatus.RESOLVED,
        values={"resolved_by_id": viewer.id, "resolved_at": now, "resolution": outcome},
        reason=reason,
        action=outcome,
        # A claimed item is resolved by the moderator who claimed it.
        extra=(col(ReviewItem.claimed_by_id).is_(None)) | (col(ReviewItem.claimed_by_id) == viewer.id),
    )
    session.execute(
        update(Report)
        .where(col(Report.review_item_id) == item.id, col(Report.closed_at).is_(None))
        .values(closed_at=now, outcome=outcome),
        execution_options={"synchronize_session": False},
    )


def _transition(
    session: Session,
    viewer: Viewer,
    item: ReviewItem,
    *,
    from_: tuple[ItemStatus, ...],
    to: ItemStatus,
    values: dict[str, object],
    reason: str,
    action: str,
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
    _log(session, actor_id=viewer.id, action=action, item=item, reason=reason, before=item.status, after=to)


def _log(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    item: ReviewItem,
    reason: str,
    before: str = "",
    after: str = "",
) -> None:
    session.add(
        ModerationEvent(
            actor_id=actor_id,
            action=action,
            target_type=item.target_type,
            target_id=item.target_id,
            review_item_id=item.id,
            reason=reason,
            state_before=before,
            state_after=after,
        )
    )


# --- the log -------------------------------------------------------------------------


def events(session: Session, *, viewer: Viewer, cursor: str | None = None, limit: int = 50) -> Page[ModerationEvent]:
    """The audit log, newest first."""
    require(can_moderate(viewer), viewer)
    statement = select(ModerationEvent)
    if cursor:
        statement = statement.where(col(ModerationEvent.id) < decode_cursor(cursor, int)[0])
    rows = list(session.exec(statement.order_by(col(ModerationEvent.id).desc()).limit(limit + 1)).all())
    return take_page(rows, limit, lambda event: (event.id,))
