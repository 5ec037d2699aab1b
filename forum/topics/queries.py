"""Query builders for topics: lists, counts under the viewer's visibility, tag filters."""

from datetime import datetime
from typing import Any

from sqlmodel import col, func, select

from forum.guidelines.models import GuidelineDocument, GuidelineSection
from forum.permissions import Viewer
from forum.threads.models import Thread
from forum.threads.queries import visible_threads
from forum.topics.models import ThreadTopic, Topic


def topics_with_sections(*, include_retired: bool, topic_id: int | None = None) -> Any:
    statement = (
        select(Topic, GuidelineSection, GuidelineDocument)
        .outerjoin(GuidelineSection, col(GuidelineSection.id) == Topic.guideline_section_id)
        .outerjoin(GuidelineDocument, col(GuidelineDocument.id) == GuidelineSection.document_id)
    )
    if not include_retired:
        statement = statement.where(col(Topic.retired_at).is_(None))
    if topic_id is not None:
        statement = statement.where(Topic.id == topic_id)
    return statement.order_by(col(Topic.name))


def visible_thread_counts(viewer: Viewer, *, topic_id: int | None = None) -> Any:
    """(topic id, number of threads this viewer may see) for every topic with any, or for one."""
    visible = visible_threads(viewer).with_only_columns(col(Thread.id)).subquery()
    statement = select(ThreadTopic.topic_id, func.count()).join(visible, visible.c.id == ThreadTopic.thread_id)
    if topic_id is not None:
        statement = statement.where(ThreadTopic.topic_id == topic_id)
    return statement.group_by(col(ThreadTopic.topic_id))


def topics_of_threads(thread_ids: list[int]) -> Any:
    return (
        select(ThreadTopic.thread_id, Topic, GuidelineSection, GuidelineDocument)
        .join(Topic, col(Topic.id) == ThreadTopic.topic_id)
        .outerjoin(GuidelineSection, col(GuidelineSection.id) == Topic.guideline_section_id)
        .outerjoin(GuidelineDocument, col(GuidelineDocument.id) == GuidelineSection.document_id)
        .where(col(ThreadTopic.thread_id).in_(thread_ids))
        .order_by(col(Topic.name))
    )


def threads_in_topic(viewer: Viewer, *, topic_id: int, after: tuple[datetime, int] | None, limit: int) -> Any:
    """A topic's threads by latest activity, read in order from the topic's own index."""
    statement = visible_threads(viewer).join(ThreadTopic, col(ThreadTopic.thread_id) == Thread.id)
    statement = statement.where(ThreadTopic.topic_id == topic_id)
    if after is not None:
        activity, thread_id = after
        statement = statement.where(
            (col(ThreadTopic.last_activity_at) < activity)
            | ((col(ThreadTopic.last_activity_at) == activity) & (col(ThreadTopic.thread_id) < thread_id))
        )
    return statement.order_by(col(ThreadTopic.last_activity_at).desc(), col(ThreadTopic.thread_id).desc()).limit(limit)


def tagged_with_all(statement: Any, topic_ids: list[int]) -> Any:
    """Keep only threads that carry every one of the topics."""
    for topic_id in topic_ids:
        statement = statement.where(
            col(Thread.id).in_(select(ThreadTopic.thread_id).where(ThreadTopic.topic_id == topic_id))
        )
    return statement
