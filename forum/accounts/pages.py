"""HTML pages for accounts: join, log in and out, account settings, member profiles."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from forum.accounts import auth, service
from forum.accounts.models import SessionKind
from forum.accounts.schemas import LoginAttempt, PasswordChange, ProfileUpdate, Registration
from forum.deps import SESSION_COOKIE, PageViewerDep, SessionDep, SettingsDep
from forum.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from forum.kit.forms import parse_form
from forum.kit.ids import Cursor, MemberId
from forum.pages import redirect, render, safe_next
from forum.permissions import Viewer
from forum.threads import reading
from forum.threads import service as threads_service

router = APIRouter()

TextField = Annotated[str, Form()]


def _start_browser_session(
    response: Response, request: Request, token: str, viewer: Viewer, idle_days: int, session: SessionDep
) -> Response:
    """Hand the browser a fresh session, ending any it had (no session fixation)."""
    if viewer.auth_session_id is not None:
        auth.end_session(session, auth_session_id=viewer.auth_session_id)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=idle_days * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/join", response_class=HTMLResponse)
def join_form(request: Request, viewer: PageViewerDep, next: str | None = None) -> Response:
    if viewer.is_member:
        return redirect(safe_next(next))
    return render(request, "accounts/join.html", {"values": {}, "errors": {}, "next": safe_next(next)})


@router.post("/join", response_class=HTMLResponse)
def join(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: PageViewerDep,
    display_name: TextField = "",
    email: TextField = "",
    password: TextField = "",
    credentials: TextField = "",
    next: TextField = "/",
) -> Response:
    values = {"display_name": display_name, "email": email, "credentials": credentials}
    try:
        registration = parse_form(Registration, {**values, "password": password})
        member = service.register(session, registration=registration)
    except InvalidInput as error:
        return _join_again(request, values, error.fields, next, 422)
    except Conflict as error:
        return _join_again(request, values, {"email": error.message}, next, 409)
    token = auth.open_session(session, member=member, kind=SessionKind.BROWSER, idle_days=settings.session_idle_days)
    return _start_browser_session(
        redirect(safe_next(next)), request, token, viewer, settings.session_idle_days, session
    )


def _join_again(request: Request, values: dict, errors: dict, next: str, status_code: int) -> Response:
    return render(
        request, "accounts/join.html", {"values": values, "errors": errors, "next": safe_next(next)}, status_code
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, viewer: PageViewerDep, next: str | None = None) -> Response:
    if viewer.is_member:
        return redirect(safe_next(next))
    return render(request, "accounts/login.html", {"values": {}, "error": None, "next": safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: PageViewerDep,
    email: TextField = "",
    password: TextField = "",
    next: TextField = "/",
) -> Response:
    try:
        attempt = parse_form(LoginAttempt, {"email": email, "password": password})
        token = service.log_in(session, attempt=attempt, kind=SessionKind.BROWSER, idle_days=settings.session_idle_days)
    except (InvalidInput, Unauthorized):
        return _login_refused(request, email, next, service.WRONG_CREDENTIALS, 401)
    except Forbidden as banned:
        return _login_refused(request, email, next, banned.message, 403)
    return _start_browser_session(
        redirect(safe_next(next)), request, token, viewer, settings.session_idle_days, session
    )


def _login_refused(request: Request, email: str, next: str, message: str, status_code: int) -> Response:
    context = {"values": {"email": email}, "error": message, "next": safe_next(next)}
    return render(request, "accounts/login.html", context, status_code)


@router.post("/logout")
def logout(viewer: PageViewerDep, session: SessionDep) -> Response:
    if viewer.auth_session_id is not None:
        auth.end_session(session, auth_session_id=viewer.auth_session_id)
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE)
    return response


SAVED_NOTICES = {
    "profile": "Your profile is saved.",
    "password": "Your password is changed. Every other session and token has been ended.",
}


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, viewer: PageViewerDep, saved: str | None = None) -> Response:
    service.require_self(viewer)
    return _account_page(request, viewer, {"notice": SAVED_NOTICES.get(saved or "")})


def _account_page(request: Request, viewer: Viewer, context: dict, status_code: int = 200) -> Response:
    assert viewer.member is not None
    defaults = {
        "profile_values": {"display_name": viewer.member.display_name, "credentials": viewer.member.credentials},
        "profile_errors": {},
        "password_errors": {},
        "notice": None,
    }
    return render(request, "accounts/account.html", {**defaults, **context}, status_code)


@router.post("/account/profile", response_class=HTMLResponse)
def update_profile(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    display_name: TextField = "",
    credentials: TextField = "",
) -> Response:
    service.require_self(viewer)
    values = {"display_name": display_name, "credentials": credentials}
    try:
        service.update_profile(session, viewer=viewer, update=parse_form(ProfileUpdate, values))
    except InvalidInput as error:
        return _account_page(request, viewer, {"profile_values": values, "profile_errors": error.fields}, 422)
    return redirect("/account?saved=profile")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    current_password: TextField = "",
    new_password: TextField = "",
) -> Response:
    service.require_self(viewer)
    try:
        change = parse_form(PasswordChange, {"current_password": current_password, "new_password": new_password})
        service.change_password(session, viewer=viewer, change=change)
    except InvalidInput as error:
        return _account_page(request, viewer, {"password_errors": error.fields}, 422)
    return redirect("/account?saved=password")


@router.get("/members/{member_id}", response_class=HTMLResponse)
def profile(
    request: Request,
    member_id: MemberId,
    viewer: PageViewerDep,
    session: SessionDep,
    threads_cursor: Cursor = None,
    comments_cursor: Cursor = None,
    bookmarks_cursor: Cursor = None,
) -> Response:
    """A member's threads and comments; on their own page, also their bookmarks (nobody else ever sees those)."""
    member = service.get_member(session, member_id=member_id)
    threads = threads_service.threads_by_member(session, viewer=viewer, member_id=member_id, cursor=threads_cursor)
    comments = threads_service.comments_by_member(session, viewer=viewer, member_id=member_id, cursor=comments_cursor)
    own_page = viewer.is_member and viewer.id == member_id
    bookmarks = reading.list_bookmarks(session, viewer=viewer, cursor=bookmarks_cursor, limit=10) if own_page else None
    context = {"member": member, "threads": threads, "comments": comments, "bookmarks": bookmarks}
    return render(request, "accounts/profile.html", context)
