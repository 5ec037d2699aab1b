"""Every table of every domain, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from forum.accounts.models import AuthSession, Member
from forum.threads.models import Comment, PostRevision, Thread, ThreadView

metadata = SQLModel.metadata

__all__ = ["AuthSession", "Comment", "Member", "PostRevision", "Thread", "ThreadView", "metadata"]
