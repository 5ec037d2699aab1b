"""JSON API for accounts: join, tokens and sessions, password reset, who am I."""

from fastapi import APIRouter, Request, Response, status

from forum.accounts import auth, resets, service
from forum.accounts.models import AuthSession, SessionKind
from forum.accounts.schemas import (
    Accepted,
    AccessToken,
    MemberPublic,
    MemberSelf,
    PasswordResetConfirm,
    PasswordResetRequest,
    Registration,
    SessionId,
    SessionPublic,
    TokenRequest,
)
from forum.answers import error_json
from forum.deps import ApiMemberDep, JoinQuotaApi, SessionDep, SettingsDep, client_address
from forum.errors import RATE_LIMITED_RESPONSE, Conflict, Unauthorized
from forum.permissions import Viewer

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberPublic,
    responses={409: {"description": "The email is taken"}} | RATE_LIMITED_RESPONSE,
)
def register(registration: Registration, session: SessionDep, quota: JoinQuotaApi) -> MemberPublic | Response:
    quota.spend()
    try:
        member = service.register(session, registration=registration)
    except Conflict as taken:
        # Answered, not raised, so the attempt stays counted: each one tells whether an email is a member's.
        return error_json(taken)
    return MemberPublic.model_validate(member, from_attributes=True)


@router.post(
    "/auth/token",
    response_model=AccessToken,
    responses={401: {"description": "Wrong email or password"}} | RATE_LIMITED_RESPONSE,
)
def create_token(
    attempt: TokenRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> AccessToken | Response:
    try:
        token = service.log_in(
            session, settings, attempt=attempt, address=client_address(request), kind=SessionKind.API, name=attempt.name
        )
    except Unauthorized as wrong:
        # Answered, not raised: raising would roll back the wrong password just recorded.
        return error_json(wrong)
    return AccessToken(access_token=token)


@router.delete(
    "/auth/token", status_code=status.HTTP_204_NO_CONTENT, responses={401: {"description": "No valid token"}}
)
def revoke_token(viewer: ApiMemberDep, session: SessionDep) -> None:
    """End the token this call is made with."""
    auth.end_session(session, auth_session_id=viewer.auth_session_id or 0)


@router.get("/auth/sessions", response_model=list[SessionPublic])
def list_sessions(viewer: ApiMemberDep, session: SessionDep) -> list[SessionPublic]:
    """The caller's browser sessions and API tokens that still work (their secrets are never shown)."""
    return [_session_public(row, viewer) for row in service.live_sessions(session, viewer=viewer)]


@router.delete(
    "/auth/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "The caller has no open session or token with this number"}},
)
def end_session(session_id: SessionId, viewer: ApiMemberDep, session: SessionDep) -> None:
    service.end_own_session(session, viewer=viewer, auth_session_id=session_id)


def _session_public(auth_session: AuthSession, viewer: Viewer) -> SessionPublic:
    return SessionPublic.model_validate(
        {**auth_session.model_dump(), "current": auth_session.id == viewer.auth_session_id}
    )


@router.post(
    "/auth/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses={409: {"description": "This forum sends no email, so it offers no reset links"}} | RATE_LIMITED_RESPONSE,
)
def request_password_reset(
    reset_request: PasswordResetRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> Accepted:
    """Email a reset link if the address is a member's; the answer is the same either way."""
    resets.request_reset(session, settings, email=reset_request.email, address=client_address(request))
    return Accepted(detail=resets.RESET_REQUESTED)


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: {"description": "The link was used, has expired or was replaced by a newer one"}},
)
def confirm_password_reset(confirm: PasswordResetConfirm, session: SessionDep, settings: SettingsDep) -> None:
    """Set the new password; every session and token of the member is ended, so log in again."""
    resets.complete_reset(session, settings, confirm=confirm)


@router.get("/me", response_model=MemberSelf, responses={401: {"description": "No valid token"}})
def me(viewer: ApiMemberDep) -> MemberSelf:
    return MemberSelf.model_validate(viewer.member, from_attributes=True)
