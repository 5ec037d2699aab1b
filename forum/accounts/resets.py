"""Password reset by an emailed link.

The link carries a random secret of which only the SHA-256 is stored (``PasswordReset``). It
works once, for ``password_reset_minutes``, and only a member's newest link works. Asking gets
the same answer whether or not the address is a member's, so the form cannot be used to find
out who belongs. Setting a new password ends every session and token of the member, so whoever
had taken over the account is out. The email goes through the notifications outbox, like every
other email: requests never talk SMTP.
"""

from datetime import timedelta

from sqlmodel import Session, col, select, update

from forum.accounts import auth
from forum.accounts import service as accounts_service
from forum.accounts.models import Member, PasswordReset
from forum.accounts.passwords import hash_password
from forum.accounts.schemas import PasswordResetConfirm
from forum.config import Settings
from forum.errors import BadRequest, Conflict
from forum.kit.time import utcnow
from forum.limits import service as limits
from forum.limits.service import Action
from forum.notifications import service as notifications_service

RESET_REQUESTED = (
    "If an account uses that address, we have emailed it a link to choose a new password. "
    "The link works once, for a short while. Nothing arrived? Check your spam folder, or ask again."
)
LINK_NOT_WORKING = (
    "This password-reset link does not work: it has been used, it has expired, or a newer one was sent. "
    "Ask for a new link below."
)
EMAIL_SUBJECT = "Choose a new password"
RESETS_NEED_EMAIL = (
    "This forum sends no email, so it cannot send you a link to choose a new password. "
    "Ask one of its administrators to help you back into your account."
)


def request_reset(session: Session, settings: Settings, *, email: str, address: str) -> None:
    """Email a reset link to the member with this address, if there is one who may log in.

    The caller answers the same in every case (but one: a forum that sends no email says so to
    everyone, a 409); older links of the member stop working. Asking is
    limited per email and per address whether or not the email is a member's, so the limit reveals
    nothing either and nobody can flood a member's inbox.
    """
    if not settings.email_enabled:
        raise Conflict(RESETS_NEED_EMAIL)
    subject = accounts_service.normalise_email(email)
    limits.count_attempt(session, settings, Action.PASSWORD_RESET, address=address, subject=subject)
    member = accounts_service.find_by_email(session, email)
    if member is None or member.is_banned:  # a banned member could not log in with a new password either
        return
    now = utcnow()
    minutes = settings.password_reset_minutes
    auth.expire_reset_links(session, member_id=member.id)
    secret, secret_hash = auth.new_secret()
    session.add(
        PasswordReset(
            member_id=member.id, token_hash=secret_hash, created_at=now, expires_at=now + timedelta(minutes=minutes)
        )
    )
    notifications_service.queue_account_email(
        session,
        member=member,
        subject=EMAIL_SUBJECT,
        body=(
            f"Someone, we hope you, asked to reset the password of your account on {settings.community_name}. "
            f"Open this link within {minutes} minutes to choose a new one; it works once.\n\n"
            "If it was not you, ignore this email: your password stays as it is."
        ),
        link_path=f"/password-reset/{secret}",
    )


def link_works(session: Session, *, token: str) -> bool:
    """Whether a reset link can still be used (to show its form, or say at once that it is spent)."""
    if not token or len(token) > auth.SECRET_MAX:
        return False
    found = session.exec(
        select(PasswordReset.id).where(
            PasswordReset.token_hash == auth.hash_secret(token), auth.reset_link_works(utcnow())
        )
    ).first()
    return found is not None


def complete_reset(session: Session, settings: Settings, *, confirm: PasswordResetConfirm) -> Member:
    """Use the link: set the new password, end every session and token of the member, and forget the
    wrong passwords tried on the account (the back-off's message sends its owner here).

    The link is spent by a guarded update, so of two uses at the same moment exactly one wins.
    """
    now = utcnow()
    member_id = session.execute(
        update(PasswordReset)
        .where(col(PasswordReset.token_hash) == auth.hash_secret(confirm.token), auth.reset_link_works(now))
        .values(used_at=now)
        .returning(col(PasswordReset.member_id)),
        execution_options={"synchronize_session": False},
    ).scalar_one_or_none()
    member = session.get(Member, member_id) if member_id is not None else None
    if member is None or member.is_banned:
        raise BadRequest(LINK_NOT_WORKING)
    member.password_hash = hash_password(confirm.new_password)
    member.password_changed_at = now
    auth.end_all_sessions(session, member_id=member.id)
    limits.clear_failures(session, settings, subject=member.email)
    session.flush()
    return member
