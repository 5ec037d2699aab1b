"""Shapes of the moderation API, and the rules for reports and actions."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from forum.kit.ids import MAX_ID
from forum.kit.text import bounded_text
from forum.moderation.models import DETAILS_MAX, REASON_TEXT_MAX, ItemStatus, ReportReason, TargetType

ReportDetails = bounded_text(min_length=0, max_length=DETAILS_MAX, multiline=True)
ActionReason = bounded_text(min_length=3, max_length=REASON_TEXT_MAX, multiline=True)


class ItemAction(StrEnum):
    CLAIM = "claim"
    DISMISS = "dismiss"


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: TargetType
    target_id: Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
    reason: ReportReason
    details: ReportDetails = ""


class ActionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: ItemAction
    reason: ActionReason


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
    review_item_id: int | None
    reason: str
    state_before: str
    state_after: str
    created_at: datetime


class EventPage(BaseModel):
    items: list[EventPublic]
    next_cursor: str | None
