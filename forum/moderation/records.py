"""The two writes every part of moderation shares: a target's review item, and a log entry."""

from sqlmodel import Session, select

from forum.kit.time import utcnow
from forum.moderation.models import REASON_TEXT_MAX, ItemStatus, ModerationEvent, ReviewItem


def open_item(session: Session, target_type: str, target_id: int) -> ReviewItem:
    """The target's review item: found, reopened if it was resolved, or made.

    One row per target, so every report and flag about it gathers in one place.
    """
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


def log_event(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int,
    subject_id: int | None,
    item: ReviewItem | None = None,
    reason: str = "",
    before: str = "",
    after: str = "",
    lever: str = "",
    undoes_event_id: int | None = None,
) -> ModerationEvent:
    """Append to the audit log. Nothing ever updates or deletes an event."""
    event = ModerationEvent(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject_id,
        review_item_id=item.id if item else None,
        reason=reason[:REASON_TEXT_MAX],
        state_before=before,
        state_after=after,
        lever=lever,
        undoes_event_id=undoes_event_id,
    )
    session.add(event)
    session.flush()
    return event
