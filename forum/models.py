"""Every table of every domain, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from forum.accounts.models import AuthSession, Member
from forum.guidelines.models import GuidelineDocument, GuidelineRevision, GuidelineSection
from forum.moderation.models import MemberNotice, ModerationEvent, Report, ReviewItem, WatchedWord
from forum.threads.models import Comment, PostRevision, Thread, ThreadView
from forum.topics.models import ThreadTopic, Topic, TopicAlias

metadata = SQLModel.metadata

__all__ = [
    "AuthSession",
    "Comment",
    "GuidelineDocument",
    "GuidelineRevision",
    "GuidelineSection",
    "Member",
    "MemberNotice",
    "ModerationEvent",
    "PostRevision",
    "Report",
    "ReviewItem",
    "Thread",
    "ThreadTopic",
    "ThreadView",
    "Topic",
    "TopicAlias",
    "WatchedWord",
    "metadata",
]
