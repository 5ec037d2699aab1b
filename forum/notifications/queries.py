"""Query builders for notifications: a member's lines, who takes part in or follows what, digests."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select

from forum.accounts.models import Member
from forum.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    ThreadSubscription,
    TopicFollow,
)
from forum.threads.models import Comment, Thread
from forum.topics.models import ThreadTopic, Topic

Actor = aliased(Member, name="actor")


def lines_with_context() -> Any:
    """Notifications with the thread they are about and who acted (either may be absent)."""
    return (
        select(Notification, Thread, Actor)
        .outerjoin(Thread, col(Thread.id) == Notification.thread_id)
        .outerjoin(Actor, col(Actor.id) == Notification.actor_id)
    )


def lines_of(member_id: int, *, after: tuple[datetime, int] | None, limit: int) -> Any:
    """A member's notifications, most recently changed first, continuing after a keyset position."""
    statement = lines_with_context().where(Notification.member_id == member_id)
    if after is not None:
        updated_at, notification_id = after
        statement = statement.where(
            (col(Notification.updated_at) < updated_at)
            | ((col(Notification.updated_at) == updated_at) & (col(Notification.id) < notification_id))
        )
    return statement.order_by(col(Notification.updated_at).desc(), col(Notification.id).desc()).limit(limit)


def participants(thread: Thread) -> Any:
    """Everyone who wrote in a thread: its author and each commenter (ids)."""
    commenters = select(Comment.author_id).where(Comment.thread_id == thread.id)
    return select(Member.id).where(or_(col(Member.id) == thread.author_id, col(Member.id).in_(commenters)))


def subscriptions_to(thread_id: int) -> Any:
    """(member id, following or muted) for one thread."""
    return select(ThreadSubscription.member_id, ThreadSubscription.state).where(
        ThreadSubscription.thread_id == thread_id
    )


def topic_followers(thread_id: int) -> Any:
    """Members following any topic of a thread (each once)."""
    topics = select(ThreadTopic.topic_id).where(ThreadTopic.thread_id == thread_id)
    followers = select(TopicFollow.member_id).where(col(TopicFollow.topic_id).in_(topics))
    return select(Member).where(col(Member.id).in_(followers))


def topic_names(thread_id: int) -> Any:
    return (
        select(Topic.name)
        .join(ThreadTopic, col(ThreadTopic.topic_id) == Topic.id)
        .where(ThreadTopic.thread_id == thread_id)
        .order_by(col(Topic.name))
    )


def preferences_of(member_ids: list[int]) -> Any:
    return select(NotificationPreference).where(col(NotificationPreference.member_id).in_(member_ids))


def due_for_digest() -> Any:
    """Unread lines in categories their member gets as a digest, new or grown since last emailed,
    with the recipient, the thread and the actor."""
    return (
        lines_with_context()
        .add_columns(Member)
        .join(Member, col(Member.id) == Notification.member_id)
        .join(
            NotificationPreference,
            (col(NotificationPreference.member_id) == Notification.member_id)
            & (col(NotificationPreference.category) == Notification.category),
        )
        .where(
            NotificationPreference.delivery == Delivery.DIGEST,
            col(Notification.read_at).is_(None),
            or_(col(Notification.emailed_at).is_(None), col(Notification.updated_at) > col(Notification.emailed_at)),
        )
        .order_by(col(Notification.member_id), col(Notification.updated_at).desc(), col(Notification.id).desc())
    )
