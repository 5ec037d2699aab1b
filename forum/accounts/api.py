"""JSON API for accounts: join, get a token, who am I."""

from fastapi import APIRouter, status

from forum.accounts import auth, service
from forum.accounts.models import SessionKind
from forum.accounts.schemas import AccessToken, LoginAttempt, MemberPublic, MemberSelf, Registration
from forum.deps import ApiMemberDep, SessionDep, SettingsDep

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberPublic,
    responses={409: {"description": "The email is taken"}},
)
def register(registration: Registration, session: SessionDep) -> MemberPublic:
    member = service.register(session, registration=registration)
    return MemberPublic.model_validate(member, from_attributes=True)


@router.post("/auth/token", response_model=AccessToken, responses={401: {"description": "Wrong email or password"}})
def create_token(attempt: LoginAttempt, session: SessionDep, settings: SettingsDep) -> AccessToken:
    token = service.log_in(
        session, attempt=attempt, kind=SessionKind.API, idle_days=settings.api_token_idle_days, name="API token"
    )
    return AccessToken(access_token=token)


@router.delete(
    "/auth/token", status_code=status.HTTP_204_NO_CONTENT, responses={401: {"description": "No valid token"}}
)
def revoke_token(viewer: ApiMemberDep, session: SessionDep) -> None:
    """End the token this call is made with."""
    auth.end_session(session, auth_session_id=viewer.auth_session_id or 0)


@router.get("/me", response_model=MemberSelf, responses={401: {"description": "No valid token"}})
def me(viewer: ApiMemberDep) -> MemberSelf:
    return MemberSelf.model_validate(viewer.member, from_attributes=True)
