"""Tables of the threads domain."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from forum.kit.tables import long_text, timestamp


class Audience(StrEnum):
    MEMBERS = "members"
    PUBLIC = "public"


class Visibility(StrEnum):
    """Where moderation has put a post. Only ``visible`` posts are shown to everyone who may read.

    ``held`` waits for a moderator (automatic checks, a new member's first posts) and ``hidden``
    is a moderator's decision: both stay visible to their author and to moderators, marked.
    ``removed`` leaves a placeholder; only moderators still see the words.
    """

    VISIBLE = "visible"
    HELD = "held"
    HIDDEN = "hidden"
    REMOVED = "removed"


VISIBILITY_LABELS = {
    Visibility.HELD: "Held for review",
    Visibility.HIDDEN: "Hidden by moderators",
    Visibility.REMOVED: "Removed by moderators",
}


# The predicate of the partial indexes over posts moderation took out of view (held, hidden, removed).
OUT_OF_VIEW_SQL = "visibility <> 'visible'"
OUT_OF_VIEW = {"sqlite_where": text(OUT_OF_VIEW_SQL), "postgresql_where": text(OUT_OF_VIEW_SQL)}
PINNED = {"sqlite_where": text("pinned = 1"), "postgresql_where": text("pinned")}


class PostState:
    """What a thread and a comment both know about themselves (columns are declared per table)."""

    author_id: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    visibility: str

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_counted(self) -> bool:
        """Whether the post counts towards what everyone sees (comment counts, activity)."""
        return not self.is_deleted and self.visibility == Visibility.VISIBLE

    @property
    def is_edited(self) -> bool:
        return self.updated_at > self.created_at


class Thread(PostState, SQLModel, table=True):
    __table_args__ = (
        Index("ix_thread_activity", "last_activity_at", "id"),
        Index("ix_thread_audience_activity", "audience", "last_activity_at", "id"),
        Index("ix_thread_author", "author_id", "id"),
        # Partial: the few pinned threads every home page reads, found without walking the whole list
        # (for a visitor, SQLite would otherwise take the audience index for its order).
        Index("ix_thread_pinned", "last_activity_at", "id", **PINNED),
        Index("ix_thread_pinned_audience", "audience", "last_activity_at", "id", **PINNED),
        # Partial: the few threads moderation took out of view (their authors and moderators still count them).
        Index("ix_thread_out_of_view", "author_id", **OUT_OF_VIEW),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="member.id")
    title: str = Field(max_length=150)
    body: str = long_text()
    body_html: str = long_text()
    audience: str = Field(default=Audience.MEMBERS, max_length=16)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    last_activity_at: datetime = timestamp()
    comment_count: int = 0
    # Moves whenever what the thread's comments show changes: the key of their cached rendering.
    comments_version: int = 0
    view_count: int = 0
    locked: bool = False
    pinned: bool = False
    visibility: str = Field(default=Visibility.VISIBLE, max_length=16)
    deleted_at: datetime | None = timestamp(nullable=True)
    deleted_by_id: int | None = Field(default=None, foreign_key="member.id")


class Comment(PostState, SQLModel, table=True):
    __table_args__ = (
        # Covering what counting a member's unread comments reads, so the count never visits the rows.
        Index("ix_comment_thread", "thread_id", "id", "author_id", "visibility", "deleted_at"),
        Index("ix_comment_author", "author_id", "id"),
        # Partial: whether a member has comments of their own in a thread that only they (and moderators) see.
        Index("ix_comment_out_of_view", "thread_id", "author_id", **OUT_OF_VIEW),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="thread.id")
    author_id: int = Field(foreign_key="member.id")
    body: str = long_text()
    body_html: str = long_text()
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    visibility: str = Field(default=Visibility.VISIBLE, max_length=16)
    deleted_at: datetime | None = timestamp(nullable=True)
    deleted_by_id: int | None = Field(default=None, foreign_key="member.id")


class PostRevision(SQLModel, table=True):
    """The text a thread or comment had before an edit, and who made the edit.

    Exactly one of ``thread_id`` and ``comment_id`` is set. Rows are only ever added.
    """

    __tablename__ = "post_revision"

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int | None = Field(default=None, foreign_key="thread.id", index=True)
    comment_id: int | None = Field(default=None, foreign_key="comment.id", index=True)
    editor_id: int = Field(foreign_key="member.id")
    created_at: datetime = timestamp()
    previous_title: str | None = Field(default=None, max_length=150)
    previous_body: str = long_text()


class ThreadView(SQLModel, table=True):
    """When a viewer was last counted on a thread, so each counts once per window.

    ``viewer_key`` is a member id or a keyed hash of a visitor's address: no address is stored.
    """

    __tablename__ = "thread_view"

    thread_id: int = Field(foreign_key="thread.id", primary_key=True)
    viewer_key: str = Field(max_length=64, primary_key=True)
    counted_at: datetime = timestamp()


class ThreadRead(SQLModel, table=True):
    """How far a member has read a thread: the highest comment id they were shown, and when that moved.

    ``last_read_comment_id`` is a position among the thread's comment ids rather than a link to one
    comment (0: only the opening post), so it stays meaningful whatever moderation does to that comment.
    """

    __tablename__ = "thread_read"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", primary_key=True)
    last_read_comment_id: int = 0
    read_at: datetime = timestamp()


class BookmarkTarget(StrEnum):
    THREAD = "thread"
    COMMENT = "comment"


class Bookmark(SQLModel, table=True):
    """A thread or comment a member keeps for later; private, listed to that member only.

    A bookmark of something the member can no longer see is kept (moderation may restore it)
    but left out of their list.
    """

    __table_args__ = (
        UniqueConstraint("member_id", "target_type", "target_id"),
        Index("ix_bookmark_member", "member_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    target_type: str = Field(max_length=16)
    target_id: int
    created_at: datetime = timestamp()
