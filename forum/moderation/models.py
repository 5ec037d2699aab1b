"""Tables of the moderation domain: reports, review items and the append-only event log."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from forum.kit.tables import timestamp

DETAILS_MAX = 1000
REASON_TEXT_MAX = 500
STATE_MAX = 300
PHRASE_MAX = 80


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
    # Raised by the forum itself, never chosen by a member.
    NEW_MEMBER = "new_member"
    WATCHED_WORD = "watched_word"


MEMBER_REASONS = tuple(reason for reason in ReportReason if reason not in ("new_member", "watched_word"))


REASON_LABELS = {
    ReportReason.SPAM: "Spam",
    ReportReason.HARASSMENT: "Harassment or a personal attack",
    ReportReason.SEXUAL_OR_ILLICIT: "Sexual or illicit content",
    ReportReason.CONFIDENTIALITY: "Confidentiality breach (details that could identify a client)",
    ReportReason.UNSAFE_ADVICE: "Unsafe or out-of-scope advice",
    ReportReason.OFF_TOPIC: "Off-topic",
    ReportReason.OTHER: "Something else",
    ReportReason.NEW_MEMBER: "A new member's first posts",
    ReportReason.WATCHED_WORD: "Contains a watched word",
}

# How urgent a reason is when the queue is ordered: a client's privacy and safety first.
SEVERITY = {
    ReportReason.CONFIDENTIALITY: 5,
    ReportReason.SEXUAL_OR_ILLICIT: 5,
    ReportReason.HARASSMENT: 4,
    ReportReason.UNSAFE_ADVICE: 3,
    ReportReason.SPAM: 2,
    ReportReason.OFF_TOPIC: 1,
    ReportReason.OTHER: 1,
    ReportReason.NEW_MEMBER: 1,
    ReportReason.WATCHED_WORD: 2,
}


class Action(StrEnum):
    """What a moderator can do. Every action but claim needs a reason; all but claim are logged as undoable."""

    CLAIM = "claim"
    DISMISS = "dismiss"
    HIDE = "hide"
    REMOVE = "remove"
    RESTORE = "restore"
    LOCK = "lock"
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
    RETAG = "retag"
    SET_AUDIENCE = "set_audience"
    WARN = "warn"
    SUSPEND = "suspend"
    BAN = "ban"
    LIFT = "lift"
    APPOINT_MODERATOR = "appoint_moderator"
    REMOVE_MODERATOR = "remove_moderator"


class MemberAction(StrEnum):
    """The actions on a member by id (``POST /moderation/users/{id}/actions``)."""

    WARN = "warn"
    SUSPEND = "suspend"
    BAN = "ban"
    LIFT = "lift"
    APPOINT_MODERATOR = "appoint_moderator"
    REMOVE_MODERATOR = "remove_moderator"


# How each logged action reads in the logs, the reporter's list and the transparency page.
ACTION_LABELS = {
    "report": "Reported",
    "flag": "Flagged automatically",
    "hold": "Held for review",
    "claim": "Claimed",
    "dismiss": "Dismissed the reports",
    "hide": "Hidden",
    "remove": "Removed",
    "restore": "Restored",
    "lock": "Locked",
    "unlock": "Unlocked",
    "pin": "Pinned",
    "unpin": "Unpinned",
    "retag": "Topics changed",
    "set_audience": "Audience changed",
    "warn": "Warned",
    "suspend": "Suspended",
    "ban": "Banned",
    "lift": "Suspension or ban lifted",
    "appoint_moderator": "Made a moderator",
    "remove_moderator": "No longer a moderator",
    "undo": "Undone",
}
# What a reporter is told became of their report, by the action that resolved it.
OUTCOME_LABELS = {
    action: "Reviewed: the moderators found nothing to act on"
    if action == "dismiss"
    else f"Action taken: {label.lower()}"
    for action, label in ACTION_LABELS.items()
}
# Shown on the public transparency page: never reports, claims or a reporter's identity.
PUBLIC_ACTIONS = tuple(a for a in ACTION_LABELS if a not in ("report", "claim", "flag"))


# Offered as suggestions in the reason box, so a common decision takes no typing.
COMMON_REASONS = (
    "Reviewed: within the community guidelines",
    "Could identify a client",
    "Personal attack on a member",
    "Advertising or spam",
    "Outside the scope of practice",
    "Off-topic for this community",
)


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
    """One member's report, or a flag raised by the forum itself (no reporter).

    Only moderators ever see who made it.
    """

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
    reporter_id: int | None = Field(default=None, foreign_key="member.id")
    reason: str = Field(max_length=32)
    details: str = Field(default="", max_length=DETAILS_MAX)
    created_at: datetime = timestamp()
    closed_at: datetime | None = timestamp(nullable=True)
    outcome: str | None = Field(default=None, max_length=32)


class ModerationEvent(SQLModel, table=True):
    """The append-only audit log: who did what to which target, why, and what changed.

    ``subject_id`` is the member the action concerns (the author of the content, or the
    member acted on), so a member's moderation history is one indexed read. An undo is an
    event of its own pointing at the one it reverses; the unique index lets each be undone once.
    """

    __tablename__ = "moderation_event"
    __table_args__ = (
        Index("ix_moderation_event_target", "target_type", "target_id", "id"),
        Index("ix_moderation_event_actor", "actor_id", "id"),
        Index("ix_moderation_event_subject", "subject_id", "id"),
        Index("ix_moderation_event_action", "action", "id"),
        UniqueConstraint("undoes_event_id", name="uq_moderation_event_undoes_event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    action: str = Field(max_length=32)
    target_type: str = Field(max_length=16)
    target_id: int
    review_item_id: int | None = Field(default=None, foreign_key="review_item.id")
    subject_id: int | None = Field(default=None, foreign_key="member.id")
    lever: str = Field(default="", max_length=16)
    undoes_event_id: int | None = Field(default=None, foreign_key="moderation_event.id")
    reason: str = Field(default="", max_length=REASON_TEXT_MAX)
    state_before: str = Field(default="", max_length=STATE_MAX)
    state_after: str = Field(default="", max_length=STATE_MAX)
    created_at: datetime = timestamp()


class MemberNotice(SQLModel, table=True):
    """A moderator's warning to a member, shown on their next visit until they acknowledge it."""

    __tablename__ = "member_notice"
    __table_args__ = (Index("ix_member_notice_member", "member_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    event_id: int = Field(foreign_key="moderation_event.id")
    message: str = Field(max_length=REASON_TEXT_MAX)
    created_at: datetime = timestamp()
    seen_at: datetime | None = timestamp(nullable=True)
    retracted_at: datetime | None = timestamp(nullable=True)


class WatchMode(StrEnum):
    FLAG = "flag"  # the post appears, and waits in the queue for a look
    HOLD = "hold"  # the post waits, unseen by others, until a moderator approves it


class WatchedWord(SQLModel, table=True):
    """A word or phrase admins want a moderator to see whenever it is posted."""

    __tablename__ = "watched_word"

    id: int | None = Field(default=None, primary_key=True)
    phrase: str = Field(max_length=PHRASE_MAX, unique=True)
    mode: str = Field(default=WatchMode.FLAG, max_length=16)
    added_by_id: int = Field(foreign_key="member.id")
    created_at: datetime = timestamp()
