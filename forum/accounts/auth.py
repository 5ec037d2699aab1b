"""Browser sessions, API tokens and password-reset links: random secrets, stored only as hashes.

A browser session and an API token are the same thing with a different ``kind``, so
logging out, changing a password or a ban ends both in one statement.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select, update

from forum.accounts.models import AuthSession, Member, PasswordReset, SessionKind
from forum.kit.time import utcnow

# A used session's expiry is pushed forward at most this often, so reading pages does
# not turn into a write on every request.
TOUCH_INTERVAL = timedelta(minutes=15)


# The longest secret this module hands out is 43 characters; anything much longer is not one.
SECRET_MAX = 100


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A random secret to hand out once, and the hash to keep in its place."""
    secret = secrets.token_urlsafe(32)
    return secret, hash_secret(secret)


def open_session(session: Session, *, member: Member, kind: SessionKind, idle_days: int, name: str = "") -> str:
    """Start a session and return its secret, which is shown once and never stored."""
    token, token_hash = new_secret()
    now = utcnow()
    session.add(
        AuthSession(
            member_id=member.id,
            token_hash=token_hash,
            kind=kind,
            name=name,
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(days=idle_days),
        )
    )
    session.flush()
    return token


def resolve(session: Session, *, token: str, kind: SessionKind) -> tuple[AuthSession, Member] | None:
    """The live session and member behind a secret, or None if it is unknown, ended or expired."""
    if not token or len(token) > SECRET_MAX:
        return None
    row = session.exec(
        select(AuthSession, Member)
        .join(Member, col(Member.id) == AuthSession.member_id)
        .where(AuthSession.token_hash == hash_secret(token), AuthSession.kind == kind)
    ).first()
    if row is None:
        return None
    auth_session, member = row
    if auth_session.revoked_at is not None or auth_session.expires_at <= utcnow() or member.is_banned:
        return None
    return auth_session, member


def needs_touch(auth_session: AuthSession) -> bool:
    return utcnow() - auth_session.last_used_at >= TOUCH_INTERVAL


def touch(session: Session, *, auth_session_id: int, idle_days: int) -> None:
    """Slide the idle expiry forward: a session in use stays open."""
    now = utcnow()
    session.execute(
        update(AuthSession)
        .where(col(AuthSession.id) == auth_session_id)
        .values(last_used_at=now, expires_at=now + timedelta(days=idle_days))
    )


def live_sessions(session: Session, *, member_id: int) -> list[AuthSession]:
    """The member's sessions and tokens that still work, the most recently used first."""
    return list(
        session.exec(
            select(AuthSession)
            .where(
                AuthSession.member_id == member_id,
                col(AuthSession.revoked_at).is_(None),
                AuthSession.expires_at > utcnow(),
            )
            .order_by(col(AuthSession.last_used_at).desc(), col(AuthSession.id).desc())
        )
    )


def end_session(session: Session, *, auth_session_id: int, member_id: int | None = None) -> bool:
    """End one session; with ``member_id``, only if it is that member's. Says whether one was ended."""
    statement = update(AuthSession).where(col(AuthSession.id) == auth_session_id, col(AuthSession.revoked_at).is_(None))
    if member_id is not None:
        statement = statement.where(col(AuthSession.member_id) == member_id)
    result = session.execute(statement.values(revoked_at=utcnow()), execution_options={"synchronize_session": False})
    return result.rowcount > 0


def end_all_sessions(session: Session, *, member_id: int, except_session_id: int | None = None) -> None:
    """End every session and token of a member (a password change, a ban)."""
    statement = update(AuthSession).where(
        col(AuthSession.member_id) == member_id, col(AuthSession.revoked_at).is_(None)
    )
    if except_session_id is not None:
        statement = statement.where(col(AuthSession.id) != except_session_id)
    session.execute(statement.values(revoked_at=utcnow()))


def expire_reset_links(session: Session, *, member_id: int) -> None:
    """Make every password-reset link of the member unusable from now on (a newer link was asked
    for, or the password was just changed)."""
    now = utcnow()
    session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.member_id) == member_id, reset_link_works(now))
        .values(expires_at=now),
        execution_options={"synchronize_session": False},
    )


def reset_link_works(now: datetime) -> ColumnElement[bool]:
    """Not used yet and not expired."""
    return col(PasswordReset.used_at).is_(None) & (col(PasswordReset.expires_at) > now)
