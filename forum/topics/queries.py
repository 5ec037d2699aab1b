"""Query builders for topics: lists, the viewer's share of counts, tag filters."""

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, literal_column, tuple_
from sqlmodel import col, func, select, update

from forum.guidelines.models import GuidelineDocument, GuidelineSection
from forum.permissions import Viewer
from forum.threads.models import OUT_OF_VIEW_SQL, Audience, Thread, Visibility
from forum.threads.queries import shown_to_member, visible_threads
from forum.topics.models import ThreadTopic, Topic


@cache
def topics_with_sections(*, include_retired: bool, one: bool = False) -> Any:
    """Topics with their guideline sections, by name; with ``one``, only the topic given as ``topic_id``.

    Built once per shape (see ``topics_of_threads``).
    """
    statement = (
        select(Topic, GuidelineSection, GuidelineDocument)
        .outerjoin(GuidelineSection, col(GuidelineSection.id) == Topic.guideline_section_id)
        .outerjoin(GuidelineDocument, col(GuidelineDocument.id) == GuidelineSection.document_id)
    )
    if not include_retired:
        statement = statement.where(col(Topic.retired_at).is_(None))
    if one:
        statement = statement.where(col(Topic.id) == bindparam("topic_id"))
    return statement.order_by(col(Topic.name))


@cache
def out_of_view_thread_counts(*, moderator: bool) -> Any:
    """(topic id, threads out of everyone's view that this viewer still sees): their own held and
    hidden threads (the member given as ``member_id``), or for a moderator every one. The counts on
    the topic row leave them out.

    The predicate is written out literally so SQLite matches it to the partial index over those few rows.
    """
    statement = (
        select(ThreadTopic.topic_id, func.count())
        .join(Thread, col(Thread.id) == ThreadTopic.thread_id)
        .where(literal_column(f"thread.{OUT_OF_VIEW_SQL}"), col(Thread.deleted_at).is_(None))
    )
    if not moderator:
        member_id = bindparam("member_id")
        statement = statement.where(col(Thread.author_id) == member_id, shown_to_member(Thread, member_id))
    return statement.group_by(col(ThreadTopic.topic_id))


def recount_threads() -> Any:
    """Set every topic's thread counts from its threads: what the triggers keep them at, worked out afresh.

    For loads that write around the triggers (the benchmark's bulk seeding) and for checking them.
    """

    def counted(*conditions: Any) -> Any:
        return (
            select(func.count())
            .select_from(ThreadTopic)
            .join(Thread, col(Thread.id) == ThreadTopic.thread_id)
            .where(
                col(ThreadTopic.topic_id) == Topic.id,
                col(Thread.deleted_at).is_(None),
                col(Thread.visibility) == Visibility.VISIBLE,
                *conditions,
            )
            .scalar_subquery()
        )

    return update(Topic).values(
        public_thread_count=counted(col(Thread.audience) == Audience.PUBLIC), member_thread_count=counted()
    )


@cache
def topics_of_threads() -> Any:
    """The topics of the threads given as the ``thread_ids`` parameter.

    Built once: every thread page and list asks it, and building it cost more than running it.
    """
    return (
        select(ThreadTopic.thread_id, Topic, GuidelineSection, GuidelineDocument)
        .join(Topic, col(Topic.id) == ThreadTopic.topic_id)
        .outerjoin(GuidelineSection, col(GuidelineSection.id) == Topic.guideline_section_id)
        .outerjoin(GuidelineDocument, col(GuidelineDocument.id) == GuidelineSection.document_id)
        .where(col(ThreadTopic.thread_id).in_(bindparam("thread_ids", expanding=True)))
        .order_by(col(Topic.name))
    )


def threads_in_topic(viewer: Viewer, *, topic_id: int, after: tuple[datetime, int] | None, limit: int) -> Any:
    """A topic's threads by latest activity, read in order from the topic's own index."""
    statement = visible_threads(viewer).join(ThreadTopic, col(ThreadTopic.thread_id) == Thread.id)
    statement = statement.where(ThreadTopic.topic_id == topic_id)
    if after is not None:
        activity, thread_id = after
        # A row value, not "a < x OR (a = x AND b < y)": with the time bound twice, SQLite cannot see
        # one range and walked the topic's index from its newest thread down to the page.
        statement = statement.where(
            tuple_(col(ThreadTopic.last_activity_at), col(ThreadTopic.thread_id)) < tuple_(activity, thread_id)
        )
    return statement.order_by(col(ThreadTopic.last_activity_at).desc(), col(ThreadTopic.thread_id).desc()).limit(limit)


def tagged_with_all(statement: Any, topic_ids: list[int]) -> Any:
    """Keep only threads that carry every one of the topics."""
    for topic_id in topic_ids:
        statement = statement.where(
            col(Thread.id).in_(select(ThreadTopic.thread_id).where(ThreadTopic.topic_id == topic_id))
        )
    return statement
