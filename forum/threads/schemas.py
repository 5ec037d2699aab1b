"""Shapes of the threads API, and the validation rules for posting."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from forum.accounts.schemas import MemberSummary
from forum.kit.text import Body, Title
from forum.threads.models import Audience, Visibility
from forum.topics.schemas import TopicChoice

# Sent after the confidentiality check has warned the author: post anyway, and wait for a moderator.
ConfirmIdentifiers = Field(
    default=False, description="Post even though the text seems to identify someone; it then waits for review."
)


class ThreadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body
    audience: Audience = Audience.MEMBERS
    tags: TopicChoice
    confirm_identifiers: bool = ConfirmIdentifiers


class ThreadUpdate(BaseModel):
    """A partial edit: fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Body | None = None
    audience: Audience | None = None
    tags: TopicChoice | None = None
    confirm_identifiers: bool = ConfirmIdentifiers


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body
    confirm_identifiers: bool = ConfirmIdentifiers


class CommentUpdate(CommentCreate):
    pass


class ThreadPublic(BaseModel):
    id: int
    title: str
    body: str
    body_html: str
    audience: Audience
    author: MemberSummary
    created_at: datetime
    updated_at: datetime
    comment_count: int
    view_count: int
    locked: bool
    pinned: bool
    deleted: bool
    visibility: Visibility
    tags: list[str]


class CommentPublic(BaseModel):
    id: int
    thread_id: int
    author: MemberSummary
    body: str
    body_html: str
    created_at: datetime
    updated_at: datetime
    deleted: bool
    visibility: Visibility


class RevisionPublic(BaseModel):
    """A post's text before one edit, and who made that edit."""

    id: int
    editor_id: int
    created_at: datetime
    previous_title: str | None
    previous_body: str


class ThreadPage(BaseModel):
    items: list[ThreadPublic]
    next_cursor: str | None


class CommentPage(BaseModel):
    items: list[CommentPublic]
    next_cursor: str | None


CommentOrder = Literal["oldest", "newest"]
