"""Shapes of the threads API, and the validation rules for posting."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from forum.accounts.schemas import MemberSummary
from forum.kit.ids import MAX_ID
from forum.kit.text import Body, Title
from forum.threads.models import Audience, BookmarkTarget, Visibility
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


class ThreadListItem(ThreadPublic):
    """A thread in a list, with what is new in it for the member asking (null for visitors)."""

    unread_count: int | None = Field(
        description="Comments by others since you last read the thread (all of them if you never opened it)"
    )
    first_unread_comment_id: int | None


class ThreadPage(BaseModel):
    items: list[ThreadListItem]
    next_cursor: str | None


class CommentPage(BaseModel):
    items: list[CommentPublic]
    next_cursor: str | None


CommentOrder = Literal["oldest", "newest"]


# Ids are sent as JSON numbers: "12" or 12.0 is refused rather than guessed.
PostId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


class ReadMark(BaseModel):
    """How far a thread has been read; without ``up_to_comment_id``, up to its latest comment."""

    model_config = ConfigDict(extra="forbid")

    up_to_comment_id: PostId | None = None


class ReadState(BaseModel):
    thread_id: int
    last_read_comment_id: int | None
    read_at: datetime | None
    unread_count: int
    first_unread_comment_id: int | None


class BookmarkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: BookmarkTarget
    target_id: PostId


class BookmarkPublic(BaseModel):
    """A bookmark, with the thread it is in and, for a comment, that comment's text."""

    id: int
    target_type: BookmarkTarget
    target_id: int
    thread_id: int
    thread_title: str
    comment_body: str | None
    created_at: datetime


class BookmarkPage(BaseModel):
    items: list[BookmarkPublic]
    next_cursor: str | None
