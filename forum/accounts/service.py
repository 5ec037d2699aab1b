"""The accounts rules: joining, logging in, passwords and profiles."""

import re
import unicodedata

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from forum.accounts import auth
from forum.accounts.models import AuthSession, Member, Role, SessionKind
from forum.accounts.passwords import hash_password, needs_rehash, verify_password
from forum.accounts.schemas import LoginAttempt, PasswordChange, ProfileUpdate, Registration
from forum.config import Settings
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from forum.kit.time import utcnow
from forum.limits import service as limits
from forum.limits.service import Action
from forum.permissions import Viewer

EMAIL_TAKEN = "An account with this email already exists. Log in instead, or use another email."
WRONG_CREDENTIALS = "That email and password do not match an account."
NO_SUCH_SESSION = "You have no session or token with this number that is still open."
# Handles leave room for a number after them within Member.handle's length.
HANDLE_BASE_MAX = 30
HANDLE_ATTEMPTS = 3


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> Member | None:
    return session.exec(select(Member).where(Member.email == normalise_email(email))).first()


def register(session: Session, *, registration: Registration, role: Role = Role.MEMBER) -> Member:
    email = normalise_email(registration.email)
    if find_by_email(session, email) is not None:
        raise Conflict(EMAIL_TAKEN)
    password_hash = hash_password(registration.password)
    for _attempt in range(HANDLE_ATTEMPTS):
        member = Member(
            email=email,
            display_name=registration.display_name,
            handle=_free_handle(session, registration.display_name),
            credentials=registration.credentials,
            password_hash=password_hash,
            role=role,
        )
        try:
            with session.begin_nested():
                session.add(member)
                session.flush()
            return member
        except IntegrityError:  # a join at the same moment took the email, or the same handle
            if find_by_email(session, email) is not None:
                raise Conflict(EMAIL_TAKEN) from None
    raise Conflict("Several people are joining with this name right now; please try again.")


def handle_base(display_name: str) -> str:
    """The handle a display name suggests: "Priya Raman" is "priya-raman" (accents dropped)."""
    plain = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:HANDLE_BASE_MAX].strip("-") or "member"


def _free_handle(session: Session, display_name: str) -> str:
    """The suggested handle, or it with the first free number ("priya-raman-2") when taken."""
    base = handle_base(display_name)
    taken = set(
        session.exec(select(Member.handle).where((Member.handle == base) | col(Member.handle).startswith(f"{base}-")))
    )
    number = 1
    handle = base
    while handle in taken:
        number += 1
        handle = f"{base}-{number}"
    return handle


def authenticate(session: Session, *, attempt: LoginAttempt) -> Member:
    member = find_by_email(session, attempt.email)
    if not verify_password(member.password_hash if member else None, attempt.password) or member is None:
        raise Unauthorized(WRONG_CREDENTIALS)
    if member.is_banned:  # told only to someone who knows the password
        raise Forbidden(f"This account has been banned. The moderators' reason: {member.standing_reason}")
    if needs_rehash(member.password_hash):
        member.password_hash = hash_password(attempt.password)
    return member


def log_in(
    session: Session, settings: Settings, *, attempt: LoginAttempt, address: str, kind: SessionKind, name: str = ""
) -> str:
    """Check the password, within the login limits, and open a new session or token; returns its secret.

    Each try counts against the email and the address, and wrong passwords past a few make the
    next try wait longer each time; logging in forgets the email's wrong passwords. A wrong
    password is recorded in the request's transaction: the route must answer it without raising,
    or the record is rolled back with the request.
    """
    email = normalise_email(attempt.email)
    limits.count_attempt(session, settings, Action.LOGIN, address=address, subject=email)
    limits.check_backoff(session, settings, subject=email, address=address)
    try:
        member = authenticate(session, attempt=attempt)
    except Unauthorized:
        limits.record_failure(session, settings, subject=email, address=address)
        raise
    limits.clear_failures(session, settings, subject=email)
    idle_days = settings.session_idle_days if kind == SessionKind.BROWSER else settings.api_token_idle_days
    return auth.open_session(session, member=member, kind=kind, idle_days=idle_days, name=name)


def change_password(session: Session, *, viewer: Viewer, change: PasswordChange) -> None:
    """Set a new password, end every other session and token of the member, and any reset link."""
    member = _own_row(session, viewer)
    if not verify_password(member.password_hash, change.current_password):
        raise InvalidInput({"current_password": "This is not your current password."})
    member.password_hash = hash_password(change.new_password)
    member.password_changed_at = utcnow()
    auth.end_all_sessions(session, member_id=member.id, except_session_id=viewer.auth_session_id)
    auth.expire_reset_links(session, member_id=member.id)


def live_sessions(session: Session, *, viewer: Viewer) -> list[AuthSession]:
    return auth.live_sessions(session, member_id=require_self(viewer).id)


def end_own_session(session: Session, *, viewer: Viewer, auth_session_id: int) -> None:
    """End one of the member's own sessions or tokens. Anyone else's answers 404 as if it did not exist,
    so session numbers reveal nothing."""
    if not auth.end_session(session, auth_session_id=auth_session_id, member_id=require_self(viewer).id):
        raise NotFound(NO_SUCH_SESSION)


def end_other_sessions(session: Session, *, viewer: Viewer) -> None:
    """End every session and token of the member except the one this request came with."""
    auth.end_all_sessions(session, member_id=require_self(viewer).id, except_session_id=viewer.auth_session_id)


def create_token(session: Session, *, viewer: Viewer, name: str, idle_days: int) -> str:
    """A named API token for the member asking; returns its secret, shown once."""
    return auth.open_session(session, member=require_self(viewer), kind=SessionKind.API, idle_days=idle_days, name=name)


def update_profile(session: Session, *, viewer: Viewer, update: ProfileUpdate) -> Member:
    member = _own_row(session, viewer)
    member.display_name = update.display_name
    member.credentials = update.credentials
    session.flush()
    return member


def get_member(session: Session, *, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound("There is no member here.")
    return member


def count_members(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Member)).one()


def _own_row(session: Session, viewer: Viewer) -> Member:
    """The member's row as stored now: the viewer's copy was read at the start of the request, and
    writing it back would undo counters other requests changed since (unread notifications, warnings)."""
    member = session.get(Member, require_self(viewer).id)
    assert member is not None
    return member


def require_self(viewer: Viewer) -> Member:
    """The member asking, for pages about their own account; a visitor is asked to log in."""
    if viewer.member is None:
        raise Unauthorized()
    return viewer.member
