"""Every table of every domain, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from forum.accounts.models import AuthSession, Member, PasswordReset
from forum.guidelines.models import GuidelineDocument, GuidelineRevision, GuidelineSection
from forum.limits.models import RateLimit
from forum.moderation.models import MemberNotice, ModerationEvent, Report, ReviewItem, WatchedWord
from forum.notifications.models import (
    AnnouncedPost,
    Notification,
    NotificationPreference,
    OutboxEmail,
    ThreadSubscription,
    TopicFollow,
)
from forum.threads.models import Bookmark, Comment, PostRevision, Thread, ThreadRead, ThreadView
from forum.topics.models import ThreadTopic, Topic, TopicAlias

metadata = SQLModel.metadata

__all__ = [
    "AnnouncedPost",
    "AuthSession",
    "Bookmark",
    "Comment",
    "GuidelineDocument",
    "GuidelineRevision",
    "GuidelineSection",
    "Member",
    "MemberNotice",
    "ModerationEvent",
    "Notification",
    "NotificationPreference",
    "OutboxEmail",
    "PasswordReset",
    "PostRevision",
    "RateLimit",
    "Report",
    "ReviewItem",
    "Thread",
    "ThreadRead",
    "ThreadSubscription",
    "ThreadTopic",
    "ThreadView",
    "Topic",
    "TopicAlias",
    "TopicFollow",
    "WatchedWord",
    "metadata",
]
