"""Request dependencies: the unit of work and who is asking.

Pages know the viewer by the session cookie; the API only by a bearer token, so API
calls can never ride on a browser's cookie.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from forum.accounts import auth
from forum.accounts.models import SessionKind
from forum.config import Settings
from forum.db import Database
from forum.errors import Unauthorized
from forum.limits import service as limits
from forum.moderation.screening import ScreeningPolicy
from forum.permissions import VISITOR, Viewer

SESSION_COOKIE = "forum_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_database(request: Request) -> Database:
    return request.app.state.database


# Dependencies that only read request state are ``async``: FastAPI runs a plain ``def`` dependency
# on a worker thread, and that hop costs more than the dependency itself.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    with get_database(request).session(write=request.method not in SAFE_METHODS) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_screening_policy(settings: SettingsDep) -> ScreeningPolicy:
    return ScreeningPolicy(approve_first_posts=settings.approve_first_posts)


ScreeningDep = Annotated[ScreeningPolicy, Depends(get_screening_policy)]


def _viewer_from_token(
    request: Request, session: Session, token: str | None, kind: SessionKind, idle_days: int
) -> Viewer | None:
    found = auth.resolve(session, token=token or "", kind=kind)
    if found is None:
        return None
    auth_session, member = found
    # Detached with its fields loaded: the viewer stays readable (for the page header of an
    # error page, say) even after the request's transaction is rolled back.
    session.expunge(member)
    if auth.needs_touch(auth_session):
        if request.method in SAFE_METHODS:
            # A short transaction of its own, so that reading a page never holds the write lock.
            with get_database(request).session(write=True) as touch_session:
                auth.touch(touch_session, auth_session_id=auth_session.id, idle_days=idle_days)
        else:  # the request's own transaction already holds it
            auth.touch(session, auth_session_id=auth_session.id, idle_days=idle_days)
    return Viewer(member=member, auth_session_id=auth_session.id)


def get_page_viewer(request: Request, session: SessionDep, settings: SettingsDep) -> Viewer:
    token = request.cookies.get(SESSION_COOKIE)
    viewer = VISITOR
    if token:
        found = _viewer_from_token(request, session, token, SessionKind.BROWSER, settings.session_idle_days)
        viewer = found or VISITOR
    request.state.viewer = viewer  # for error pages, which run outside the dependencies
    return viewer


_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token")


def get_api_viewer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    """The API caller. A token that is sent but not valid is a 401, never a silent visitor."""
    if credentials is None:
        if request.headers.get("authorization"):
            raise Unauthorized("Send the token as: Authorization: Bearer <token>.")
        return VISITOR
    viewer = _viewer_from_token(
        request, session, credentials.credentials, SessionKind.API, settings.api_token_idle_days
    )
    if viewer is None:
        raise Unauthorized("This token is not valid: it may have expired or been revoked.")
    return viewer


async def require_api_member(viewer: Annotated[Viewer, Depends(get_api_viewer)]) -> Viewer:
    if not viewer.is_member:
        raise Unauthorized("This call needs a token: POST /api/v1/auth/token.")
    return viewer


PageViewerDep = Annotated[Viewer, Depends(get_page_viewer)]
ApiViewerDep = Annotated[Viewer, Depends(get_api_viewer)]
ApiMemberDep = Annotated[Viewer, Depends(require_api_member)]


def client_address(request: Request) -> str:
    """The caller's address. Behind a proxy that sets X-Forwarded-For, uvicorn takes it from there when
    ``FORWARDED_ALLOW_IPS`` names that proxy (see docker-compose.yml)."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Quota:
    """One rate-limited action of this request's caller. ``spend()`` counts it, or raises
    RateLimited past the limit; routes call it just before the write, so previews cost nothing."""

    session: Session
    settings: Settings
    action: limits.Action
    member_id: int | None
    address: str

    def spend(self) -> None:
        limits.count_attempt(self.session, self.settings, self.action, member_id=self.member_id, address=self.address)


def _quota(action: limits.Action, viewer_dependency: Callable[..., Viewer]) -> Callable[..., Quota]:
    def quota(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        viewer: Annotated[Viewer, Depends(viewer_dependency)],
    ) -> Quota:
        return Quota(session, settings, action, viewer.id, client_address(request))

    return quota


def page_quota(action: limits.Action) -> Any:
    """The quota of a page's member (or visitor) for ``action``: ``Annotated[Quota, page_quota(...)]``."""
    return Depends(_quota(action, get_page_viewer))


def api_quota(action: limits.Action) -> Any:
    """The same for an API caller, known by a bearer token."""
    return Depends(_quota(action, get_api_viewer))


ThreadQuotaPage = Annotated[Quota, page_quota(limits.Action.THREAD)]
ThreadQuotaApi = Annotated[Quota, api_quota(limits.Action.THREAD)]
CommentQuotaPage = Annotated[Quota, page_quota(limits.Action.COMMENT)]
CommentQuotaApi = Annotated[Quota, api_quota(limits.Action.COMMENT)]
ReportQuotaPage = Annotated[Quota, page_quota(limits.Action.REPORT)]
JoinQuotaPage = Annotated[Quota, page_quota(limits.Action.JOIN)]
JoinQuotaApi = Annotated[Quota, api_quota(limits.Action.JOIN)]
ReportQuotaApi = Annotated[Quota, api_quota(limits.Action.REPORT)]
