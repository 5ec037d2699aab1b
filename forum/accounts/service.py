"""The accounts rules: joining, logging in, passwords and profiles."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from forum.accounts import auth
from forum.accounts.models import Member, Role, SessionKind
from forum.accounts.passwords import hash_password, needs_rehash, verify_password
from forum.accounts.schemas import LoginAttempt, PasswordChange, ProfileUpdate, Registration
from forum.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from forum.kit.time import utcnow
from forum.permissions import Viewer

EMAIL_TAKEN = "An account with this email already exists. Log in instead, or use another email."
WRONG_CREDENTIALS = "That email and password do not match an account."


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> Member | None:
    return session.exec(select(Member).where(Member.email == normalise_email(email))).first()


def register(session: Session, *, registration: Registration, role: Role = Role.MEMBER) -> Member:
    email = normalise_email(registration.email)
    if find_by_email(session, email) is not None:
        raise Conflict(EMAIL_TAKEN)
    member = Member(
        email=email,
        display_name=registration.display_name,
        credentials=registration.credentials,
        password_hash=hash_password(registration.password),
        role=role,
    )
    session.add(member)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # two joins with one email at the same moment
        raise Conflict(EMAIL_TAKEN) from None
    return member


def authenticate(session: Session, *, attempt: LoginAttempt) -> Member:
    member = find_by_email(session, attempt.email)
    if not verify_password(member.password_hash if member else None, attempt.password) or member is None:
        raise Unauthorized(WRONG_CREDENTIALS)
    if member.is_banned:  # told only to someone who knows the password
        raise Forbidden(f"This account has been banned. The moderators' reason: {member.standing_reason}")
    if needs_rehash(member.password_hash):
        member.password_hash = hash_password(attempt.password)
    return member


def log_in(session: Session, *, attempt: LoginAttempt, kind: SessionKind, idle_days: int, name: str = "") -> str:
    """Check the password and open a new session or token; returns its secret."""
    member = authenticate(session, attempt=attempt)
    return auth.open_session(session, member=member, kind=kind, idle_days=idle_days, name=name)


def change_password(session: Session, *, viewer: Viewer, change: PasswordChange) -> None:
    """Set a new password and end every other session and token of the member."""
    member = require_self(viewer)
    if not verify_password(member.password_hash, change.current_password):
        raise InvalidInput({"current_password": "This is not your current password."})
    member = session.merge(member)
    member.password_hash = hash_password(change.new_password)
    member.password_changed_at = utcnow()
    auth.end_all_sessions(session, member_id=member.id, except_session_id=viewer.auth_session_id)


def update_profile(session: Session, *, viewer: Viewer, update: ProfileUpdate) -> Member:
    member = session.merge(require_self(viewer))
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


def require_self(viewer: Viewer) -> Member:
    """The member asking, for pages about their own account; a visitor is asked to log in."""
    if viewer.member is None:
        raise Unauthorized()
    return viewer.member
