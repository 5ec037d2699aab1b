"""Browser sessions and API tokens: random secrets, stored only as hashes, revocable.

A browser session and an API token are the same thing with a different ``kind``, so
logging out, changing a password or (later) a ban ends both in one statement.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select, update

from forum.accounts.models import AuthSession, Member, SessionKind
from forum.kit.time import utcnow

# A used session's expiry is pushed forward at most this often, so reading pages does
# not turn into a write on every request.
TOUCH_INTERVAL = timedelta(minutes=15)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, *, member: Member, kind: SessionKind, idle_days: int, name: str = "") -> str:
    """Start a session and return its secret, which is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AuthSession(
            member_id=member.id,
            token_hash=_hash(token),
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
    if not token or len(token) > 100:
        return None
    row = session.exec(
        select(AuthSession, Member)
        .join(Member, col(Member.id) == AuthSession.member_id)
        .where(AuthSession.token_hash == _hash(token), AuthSession.kind == kind)
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


def end_session(session: Session, *, auth_session_id: int) -> None:
    session.execute(
        update(AuthSession)
        .where(col(AuthSession.id) == auth_session_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def end_all_sessions(session: Session, *, member_id: int, except_session_id: int | None = None) -> None:
    """End every session and token of a member (a password change, a ban)."""
    statement = update(AuthSession).where(
        col(AuthSession.member_id) == member_id, col(AuthSession.revoked_at).is_(None)
    )
    if except_session_id is not None:
        statement = statement.where(col(AuthSession.id) != except_session_id)
    session.execute(statement.values(revoked_at=utcnow()))
