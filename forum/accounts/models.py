"""Tables of the accounts domain."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from forum.kit.tables import timestamp

HANDLE_MAX = 40


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class SessionKind(StrEnum):
    BROWSER = "browser"
    API = "api"


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=60)
    # How others @mention the member: made once from the display name at joining, never changed.
    handle: str = Field(max_length=HANDLE_MAX, unique=True)
    credentials: str = Field(default="", max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.MEMBER, max_length=16)
    created_at: datetime = timestamp()
    password_changed_at: datetime = timestamp()
    # Standing, set only by moderation: a suspension ends by itself, a ban until lifted.
    suspended_until: datetime | None = timestamp(nullable=True)
    banned_at: datetime | None = timestamp(nullable=True)
    standing_reason: str = Field(default="", max_length=500)
    # Set when a moderator's warning waits to be read, so pages look for notices only then.
    warning_pending: bool = False
    # Unread notifications, kept in step by the notifications service so the header costs no query.
    unread_notifications: int = 0

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None

    def is_suspended(self, now: datetime) -> bool:
        return self.suspended_until is not None and self.suspended_until > now


class AuthSession(SQLModel, table=True):
    """A browser session or an API token: a random secret whose hash is kept here.

    Only the SHA-256 of the secret is stored, so a leaked database cannot be used to
    log in. Ending a session sets ``revoked_at``; the row stays for the member's record.
    """

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=16)
    name: str = Field(default="", max_length=80)
    created_at: datetime = timestamp()
    last_used_at: datetime = timestamp()
    expires_at: datetime = timestamp(default_now=False)
    revoked_at: datetime | None = timestamp(nullable=True)


class PasswordReset(SQLModel, table=True):
    """A password-reset link sent by email, usable once and only for a short while.

    Like a session, only the SHA-256 of the link's secret is kept. ``used_at`` is set by a
    guarded update, so of two uses at the same moment exactly one wins; asking for a new link
    sets the older ones' ``expires_at`` to that moment, so only the newest link works.
    """

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp(default_now=False)
    used_at: datetime | None = timestamp(nullable=True)
