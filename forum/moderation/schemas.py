"""Shapes of the moderation API, and the rules for reports and actions."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from forum.kit.ids import MAX_ID
from forum.kit.text import bounded_text
from forum.moderation.models import (
    DETAILS_MAX,
    MEMBER_REASONS,
    PHRASE_MAX,
    REASON_TEXT_MAX,
    Action,
    ItemStatus,
    MemberAction,
    ReportReason,
    TargetType,
    WatchMode,
)
from forum.threads.models import Audience, Visibility
from forum.topics.schemas import TopicChoice

ReportDetails = bounded_text(min_length=0, max_length=DETAILS_MAX, multiline=True)
ActionReason = bounded_text(min_length=3, max_length=REASON_TEXT_MAX, multiline=True)
Phrase = bounded_text(min_length=2, max_length=PHRASE_MAX)
MemberReason = StrEnum("MemberReason", {reason.name: reason.value for reason in MEMBER_REASONS})  # type: ignore[misc]
# A suspension is for a day at least and ten years at most; longer is a ban.
DurationDays = Annotated[int, Field(ge=1, le=3650, strict=True)]


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: TargetType
    target_id: Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
    reason: MemberReason  # type: ignore[valid-type]
    details: ReportDetails = ""


class ActionRequest(BaseModel):
    """An action on a review item, a post or a member. Only some fields matter to each action."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    reason: ActionReason | None = Field(default=None, validate_default=True)
    duration_days: DurationDays | None = None
    tags: TopicChoice | None = None
    audience: Audience | None = None

    @field_validator("reason")
    @classmethod
    def _reason_unless_claiming(cls, reason: str | None, info: ValidationInfo) -> str | None:
        """Every decision is explained; only claiming an item to look at it needs no reason."""
        if reason is None and info.data.get("action") != Action.CLAIM:
            raise ValueError("is required for this action")
        return reason


class MemberActionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: MemberAction
    reason: ActionReason
    duration_days: DurationDays | None = None


class UndoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ActionReason


class WatchedWordCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phrase: Phrase
    mode: WatchMode = WatchMode.FLAG


class ReportPublic(BaseModel):
    """A report as its reporter sees it: what happened to it, never who else reported."""

    id: int
    target_type: TargetType
    target_id: int
    reason: ReportReason
    details: str
    created_at: datetime
    status: str
    outcome: str | None


class ReviewItemPublic(BaseModel):
    id: int
    target_type: TargetType
    target_id: int
    report_count: int
    reasons: list[ReportReason]
    status: ItemStatus
    created_at: datetime
    claimed_by: int | None
    resolution: str | None


class ReviewItemPage(BaseModel):
    items: list[ReviewItemPublic]
    next_cursor: str | None


class EventPublic(BaseModel):
    id: int
    actor_id: int | None
    action: str
    target_type: str
    target_id: int
    subject_id: int | None
    review_item_id: int | None
    undoes_event_id: int | None
    reason: str
    state_before: str
    state_after: str
    created_at: datetime


class EventPage(BaseModel):
    items: list[EventPublic]
    next_cursor: str | None


class TransparencyEntry(BaseModel):
    """A public line of the log: what was done and why, never who reported or what was removed."""

    id: int
    action: str
    target_type: str
    reason: str
    automatic: bool
    created_at: datetime


class TransparencyPage(BaseModel):
    items: list[TransparencyEntry]
    next_cursor: str | None


class ReportOnItem(BaseModel):
    id: int
    reporter_id: int | None
    reason: str
    details: str
    created_at: datetime
    outcome: str | None


class RevisionOnItem(BaseModel):
    id: int
    editor_id: int
    created_at: datetime
    previous_title: str | None
    previous_body: str


class ItemDetailPublic(BaseModel):
    """Everything a moderator needs to decide: the item, its reports, the content as it is now and
    as it was, and the author's moderation history."""

    item: ReviewItemPublic
    reports: list[ReportOnItem]
    author_id: int | None
    title: str | None
    body: str | None
    visibility: Visibility | None
    revisions: list[RevisionOnItem]
    author_history: list[EventPublic]


class WatchedWordPublic(BaseModel):
    id: int
    phrase: str
    mode: WatchMode
    created_at: datetime


class NoticePublic(BaseModel):
    id: int
    message: str
    created_at: datetime
