"""Shapes of the notifications API, and the rules for marking lines read and choosing preferences."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forum.accounts.schemas import MemberSummary
from forum.kit.ids import MAX_ID
from forum.notifications.models import Delivery, NotificationKind, SubscriptionState

MARK_AT_ONCE = 100

NotificationId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


class NotificationPublic(BaseModel):
    id: int
    kind: NotificationKind
    text: str
    link: str | None
    count: int
    # Only while the member may still read the thread.
    thread_id: int | None
    comment_id: int | None
    actor: MemberSummary | None
    created_at: datetime
    updated_at: datetime
    read: bool


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    next_cursor: str | None


class MarkRead(BaseModel):
    """``{"ids": [...]}`` marks those lines read, ``{"all": true}`` every line; exactly one of the two."""

    model_config = ConfigDict(extra="forbid")

    ids: Annotated[list[NotificationId], Field(min_length=1, max_length=MARK_AT_ONCE)] | None = None
    all: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_of_the_two(self) -> "MarkRead":
        if (self.ids is None) == (self.all is None):
            raise ValueError('send either "ids" (a list of notification ids) or "all": true')
        return self


class UnreadCount(BaseModel):
    unread_count: int


class Preferences(BaseModel):
    """How each category reaches the member. In a PUT, the categories left out keep their choice."""

    model_config = ConfigDict(extra="forbid")

    replies: Delivery | None = None
    following: Delivery | None = None
    mentions: Delivery | None = None
    reports: Delivery | None = None
    moderation: Delivery | None = None


class PreferencesPublic(BaseModel):
    email_available: bool
    categories: dict[str, Delivery]


class ThreadSubscriptionPublic(BaseModel):
    thread_id: int
    state: SubscriptionState | None


class TopicFollowPublic(BaseModel):
    topic: str
    following: bool
