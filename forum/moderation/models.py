"""Tables of the moderation domain: reports, review items and the append-only event log."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from forum.kit.tables import timestamp

DETAILS_MAX = 1000
REASON_TEXT_MAX = 500


class TargetType(StrEnum):
    THREAD = "thread"
    COMMENT = "comment"
    USER = "user"


class ReportReason(StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"
    SEXUAL_OR_ILLICIT = "sexual_or_illicit"
    CONFIDENTIALITY = "confidentiality"
    UNSAFE_ADVICE = "unsafe_advice"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


REASON_LABELS = {
    ReportReason.SPAM: "Spam",
    ReportReason.HARASSMENT: "Harassment or a personal attack",
    ReportReason.SEXUAL_OR_ILLICIT: "Sexual or illicit content",
    ReportReason.CONFIDENTIALITY: "Confidentiality breach (details that could identify a client)",
    ReportReason.UNSAFE_ADVICE: "Unsafe or out-of-scope advice",
    ReportReason.OFF_TOPIC: "Off-topic",
    ReportReason.OTHER: "Something else",
}
# What a reporter is told became of their report.
OUTCOME_LABELS = {"dismissed": "Reviewed: the moderators found nothing to act on"}

# How urgent a reason is when the queue is ordered: a client's privacy and safety first.
SEVERITY = {
    ReportReason.CONFIDENTIALITY: 5,
    ReportReason.SEXUAL_OR_ILLICIT: 5,
    ReportReason.HARASSMENT: 4,
    ReportReason.UNSAFE_ADVICE: 3,
    ReportReason.SPAM: 2,
    ReportReason.OFF_TOPIC: 1,
    ReportReason.OTHER: 1,
}


class ItemStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class ReviewItem(SQLModel, table=True):
    """Everything reported about one target: one row per target, reopened by a new report.

    ``priority`` orders the queue (distinct reporters first, then the gravest reason);
    it is stored so the queue reads in order from an index.
    """

    __tablename__ = "review_item"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id", name="uq_review_item_target"),
        Index("ix_review_item_queue", "status", "priority", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    target_type: str = Field(max_length=16)
    target_id: int
    status: str = Field(default=ItemStatus.OPEN, max_length=16)
    report_count: int = 0
    severity: int = 0
    priority: int = 0
    claimed_by_id: int | None = Field(default=None, foreign_key="member.id")
    claimed_at: datetime | None = timestamp(nullable=True)
    resolved_by_id: int | None = Field(default=None, foreign_key="member.id")
    resolved_at: datetime | None = timestamp(nullable=True)
    resolution: str | None = Field(default=None, max_length=32)
    created_at: datetime = timestamp()
    last_reported_at: datetime = timestamp()


class Report(SQLModel, table=True):
    """One member's report. Only moderators ever see who made it."""

    __table_args__ = (
        Index("ix_report_item", "review_item_id", "id"),
        Index("ix_report_reporter", "reporter_id", "created_at"),
        # One open report per member per target, enforced by the database itself.
        Index(
            "uq_report_open_per_reporter",
            "review_item_id",
            "reporter_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_item_id: int = Field(foreign_key="review_item.id")
    reporter_id: int = Field(foreign_key="member.id")
    reason: str = Field(max_length=32)
    details: str = Field(default="", max_length=DETAILS_MAX)
    created_at: datetime = timestamp()
    closed_at: datetime | None = timestamp(nullable=True)
    outcome: str | None = Field(default=None, max_length=32)


class ModerationEvent(SQLModel, table=True):
    """The append-only audit log: who did what to which target, why, and what changed."""

    __tablename__ = "moderation_event"
    __table_args__ = (
        Index("ix_moderation_event_target", "target_type", "target_id", "id"),
        Index("ix_moderation_event_actor", "actor_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    action: str = Field(max_length=32)
    target_type: str = Field(max_length=16)
    target_id: int
    review_item_id: int | None = Field(default=None, foreign_key="review_item.id")
    reason: str = Field(default="", max_length=REASON_TEXT_MAX)
    state_before: str = Field(default="", max_length=64)
    state_after: str = Field(default="", max_length=64)
    created_at: datetime = timestamp()
