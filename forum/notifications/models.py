"""Tables of the notifications domain: notifications, preferences, follows and mutes, the email outbox."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from forum.kit.tables import long_text, timestamp

DETAIL_MAX = 500
GROUP_KEY_MAX = 40
SUBJECT_MAX = 200
LINK_MAX = 300
ERROR_MAX = 500


class NotificationKind(StrEnum):
    """What happened. Each kind belongs to one ``Category``, which is what a member chooses to receive."""

    REPLY = "reply"  # new comments in a thread the member took part in or follows (grouped per thread)
    NEW_THREAD = "new_thread"  # a new thread in a topic the member follows
    MENTION = "mention"
    REPORT_OUTCOME = "report_outcome"
    WARNING = "warning"
    SUSPENSION = "suspension"
    BAN = "ban"


class Category(StrEnum):
    """The groups of notifications a member turns on or off, on the site and by email."""

    REPLIES = "replies"
    FOLLOWING = "following"
    MENTIONS = "mentions"
    REPORTS = "reports"
    MODERATION = "moderation"


class Delivery(StrEnum):
    """How a member receives one category. Email always comes with the line on the site, so it can be
    grouped and marked read there."""

    OFF = "off"
    SITE = "site"
    EMAIL = "email"  # on the site, and an email when a new line appears
    DIGEST = "digest"  # on the site, and in the daily summary email


class SubscriptionState(StrEnum):
    FOLLOWING = "following"
    MUTED = "muted"


class MailStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by one sender; back to pending if that sender dies (see mail.py)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    EXPIRED = "expired"  # waited too long to be worth sending


class MailCategory(StrEnum):
    NOTIFICATION = "notification"
    DIGEST = "digest"
    ACCOUNT = "account"  # about the member's own account (a password-reset link): sent whatever they chose


class Notification(SQLModel, table=True):
    """One line in a member's notifications.

    Replies in one thread gather in one unread line (``group_key``) whose ``count`` and
    ``updated_at`` grow; the partial unique index keeps it at one unread line even when
    two replies arrive at once. Once read, the next reply starts a new line. The words are
    composed when the line is shown, so a renamed thread or a thread the member may no
    longer read is shown as it is now.
    """

    __table_args__ = (
        Index("ix_notification_member_updated", "member_id", "updated_at", "id"),
        Index(
            "uq_notification_unread_group",
            "member_id",
            "group_key",
            unique=True,
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    kind: str = Field(max_length=16)
    # The member's choice that let it through, which also decides whether it goes in their digest.
    category: str = Field(max_length=16)
    group_key: str | None = Field(default=None, max_length=GROUP_KEY_MAX)
    thread_id: int | None = Field(default=None, foreign_key="thread.id")
    # The first comment of the line: where the member starts reading.
    comment_id: int | None = Field(default=None, foreign_key="comment.id")
    # Who did it, for content kinds only: a moderator's name is never shown.
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    count: int = 1
    # A moderator's reason, a report's outcome, a followed topic's name or the end of a suspension.
    detail: str = Field(default="", max_length=DETAIL_MAX)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    read_at: datetime | None = timestamp(nullable=True)
    # When the line last went out by email (at once or in a digest); grown since then means news.
    emailed_at: datetime | None = timestamp(nullable=True)


class NotificationPreference(SQLModel, table=True):
    """A member's choice for one category; without a row the category is shown on the site only."""

    __tablename__ = "notification_preference"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    category: str = Field(max_length=16, primary_key=True)
    delivery: str = Field(max_length=16)


class ThreadSubscription(SQLModel, table=True):
    """A member following or muting a thread. Taking part (starting it, commenting) needs no row."""

    __tablename__ = "thread_subscription"
    __table_args__ = (Index("ix_thread_subscription_thread", "thread_id", "state"),)

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", primary_key=True)
    state: str = Field(max_length=16)
    created_at: datetime = timestamp()


class TopicFollow(SQLModel, table=True):
    """A member following a topic: each new thread in it is a notification."""

    __tablename__ = "topic_follow"
    __table_args__ = (Index("ix_topic_follow_topic", "topic_id"),)

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True)
    created_at: datetime = timestamp()


class AnnouncedPost(SQLModel, table=True):
    """A post whose notifications have gone out: a post announces itself once, when it first becomes
    visible, so a post that is held, released, held again and released notifies nobody twice."""

    __tablename__ = "announced_post"

    target_type: str = Field(max_length=16, primary_key=True)
    target_id: int = Field(primary_key=True)
    announced_at: datetime = timestamp()


class OutboxEmail(SQLModel, table=True):
    """An email waiting to be sent, written in the same transaction as what it tells.

    Requests only ever add rows here; the sender (``mail.py``) claims, sends and marks them,
    so a slow or failing mail server never slows a page. Links are stored as paths and made
    absolute with the site's address when sent.
    """

    __tablename__ = "outbox_email"
    __table_args__ = (
        Index("ix_outbox_email_due", "status", "next_attempt_at", "id"),
        Index("ix_outbox_email_member", "member_id", "category", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    category: str = Field(max_length=16)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=SUBJECT_MAX)
    body: str = long_text()
    link_path: str = Field(max_length=LINK_MAX)
    status: str = Field(default=MailStatus.PENDING, max_length=16)
    attempts: int = 0
    last_error: str = Field(default="", max_length=ERROR_MAX)
    created_at: datetime = timestamp()
    next_attempt_at: datetime = timestamp()
    claimed_at: datetime | None = timestamp(nullable=True)
    sent_at: datetime | None = timestamp(nullable=True)
