"""Tables of the topics domain."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from forum.kit.tables import timestamp

SLUG_MAX = 60
NAME_MAX = 60
DESCRIPTION_MAX = 200
KEYWORDS_MAX = 500


class Topic(SQLModel, table=True):
    """An ethics topic. Retired topics are no longer offered but stay on old threads;
    a merged topic is retired with ``merged_into_id`` set, and its URL leads to the target.
    """

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=SLUG_MAX, unique=True)
    name: str = Field(max_length=NAME_MAX, unique=True)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    # Words that suggest the topic when they appear in a post, space separated.
    keywords: str = Field(default="", max_length=KEYWORDS_MAX)
    guideline_section_id: int | None = Field(default=None, foreign_key="guideline_section.id")
    retired_at: datetime | None = timestamp(nullable=True)
    merged_into_id: int | None = Field(default=None, foreign_key="topic.id")
    created_at: datetime = timestamp()
    # Threads a visitor and a member may read here (visible, not deleted; public only for visitors),
    # kept by database triggers on every write to thread and thread_topic (migration 0011).
    public_thread_count: int = 0
    member_thread_count: int = 0

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class TopicAlias(SQLModel, table=True):
    """A slug a topic used to have: its old URL redirects to the topic."""

    __tablename__ = "topic_alias"

    slug: str = Field(max_length=SLUG_MAX, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", index=True)


class ThreadTopic(SQLModel, table=True):
    """A thread tagged with a topic.

    ``last_activity_at`` copies the thread's, so a topic page reads its threads in order
    straight from one index, however large the topic grows.
    """

    __tablename__ = "thread_topic"
    __table_args__ = (Index("ix_thread_topic_activity", "topic_id", "last_activity_at", "thread_id"),)

    thread_id: int = Field(foreign_key="thread.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True)
    last_activity_at: datetime = timestamp()
