"""HTML pages for accounts: join, log in and out, account settings, member profiles."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from forum.accounts import auth, resets, service
from forum.accounts.models import SessionKind
from forum.accounts.schemas import (
    LoginAttempt,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    ProfileUpdate,
    Registration,
    SessionId,
    TokenCreate,
)
from forum.answers import with_retry_after
from forum.deps import SESSION_COOKIE, JoinQuotaPage, PageViewerDep, SessionDep, SettingsDep, client_address
from forum.errors import BadRequest, Conflict, Forbidden, InvalidInput, RateLimited, Unauthorized
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
    quota: JoinQuotaPage,
    display_name: TextField = "",
    email: TextField = "",
    password: TextField = "",
    credentials: TextField = "",
    next: TextField = "/",
) -> Response:
    values = {"display_name": display_name, "email": email, "credentials": credentials}
    try:
        registration = parse_form(Registration, {**values, "password": password})
        quota.spend()
        member = service.register(session, registration=registration)
    except InvalidInput as error:
        return _join_again(request, values, error.fields, next, 422)
    except Conflict as error:
        return _join_again(request, values, {"email": error.message}, next, 409)
    except RateLimited as error:
        return with_retry_after(_join_again(request, values, {}, next, 429, refusal=error.message), error)
    token = auth.open_session(session, member=member, kind=SessionKind.BROWSER, idle_days=settings.session_idle_days)
    return _start_browser_session(
        redirect(safe_next(next)), request, token, viewer, settings.session_idle_days, session
    )


def _join_again(
    request: Request, values: dict, errors: dict, next: str, status_code: int, refusal: str | None = None
) -> Response:
    context = {"values": values, "errors": errors, "next": safe_next(next), "refusal": refusal}
    return render(request, "accounts/join.html", context, status_code)


LOGIN_NOTICES = {
    "password-reset": "Your new password is set and every session and token of your account was ended. Log in with it.",
}


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, viewer: PageViewerDep, next: str | None = None, done: str | None = None) -> Response:
    if viewer.is_member:
        return redirect(safe_next(next))
    context = {"values": {}, "error": None, "next": safe_next(next), "notice": LOGIN_NOTICES.get(done or "")}
    return render(request, "accounts/login.html", context)


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
    # Every refusal is answered, never raised, so that a wrong password's record is committed.
    try:
        attempt = parse_form(LoginAttempt, {"email": email, "password": password})
        token = service.log_in(
            session, settings, attempt=attempt, address=client_address(request), kind=SessionKind.BROWSER
        )
    except (InvalidInput, Unauthorized):
        return _login_refused(request, email, next, service.WRONG_CREDENTIALS, 401)
    except Forbidden as banned:
        return _login_refused(request, email, next, banned.message, 403)
    except RateLimited as error:
        return with_retry_after(_login_refused(request, email, next, error.message, 429), error)
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


@router.get("/password-reset", response_class=HTMLResponse)
def password_reset_form(request: Request, settings: SettingsDep, sent: bool = False) -> Response:
    if not settings.email_enabled:  # no form to fill in for nothing
        return _reset_request_page(request, {"error": resets.RESETS_NEED_EMAIL, "offered": False})
    return _reset_request_page(request, {"notice": resets.RESET_REQUESTED if sent else None})


@router.post("/password-reset", response_class=HTMLResponse)
def request_password_reset(
    request: Request, session: SessionDep, settings: SettingsDep, email: TextField = ""
) -> Response:
    try:
        reset_request = parse_form(PasswordResetRequest, {"email": email})
        resets.request_reset(session, settings, email=reset_request.email, address=client_address(request))
    except InvalidInput as error:
        return _reset_request_page(request, {"values": {"email": email}, "errors": error.fields}, 422)
    except RateLimited as error:
        context = {"values": {"email": email}, "error": error.message}
        return with_retry_after(_reset_request_page(request, context, 429), error)
    except Conflict as error:
        return _reset_request_page(request, {"error": error.message, "offered": False}, error.status_code)
    return redirect("/password-reset?sent=true")


def _reset_request_page(request: Request, context: dict, status_code: int = 200) -> Response:
    defaults = {"values": {}, "errors": {}, "error": None, "notice": None, "offered": True}
    return render(request, "accounts/password_reset.html", {**defaults, **context}, status_code)


@router.get("/password-reset/{token}", response_class=HTMLResponse)
def new_password_form(request: Request, token: str, session: SessionDep) -> Response:
    if not resets.link_works(session, token=token):
        return _reset_request_page(request, {"error": resets.LINK_NOT_WORKING}, BadRequest.status_code)
    return _holding_a_secret(render(request, "accounts/password_reset_confirm.html", {"token": token, "errors": {}}))


@router.post("/password-reset/{token}", response_class=HTMLResponse)
def set_new_password(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, new_password: TextField = ""
) -> Response:
    try:
        confirm = parse_form(PasswordResetConfirm, {"token": token, "new_password": new_password})
        resets.complete_reset(session, settings, confirm=confirm)
    except InvalidInput as error:
        if "token" in error.fields:
            return _reset_request_page(request, {"error": resets.LINK_NOT_WORKING}, BadRequest.status_code)
        context = {"token": token, "errors": error.fields}
        return _holding_a_secret(render(request, "accounts/password_reset_confirm.html", context, error.status_code))
    except BadRequest as error:
        return _reset_request_page(request, {"error": error.message}, error.status_code)
    response = redirect("/login?done=password-reset")
    response.delete_cookie(SESSION_COOKIE)  # whatever session this browser had was ended with the others
    return response


SAVED_NOTICES = {
    "profile": "Your profile is saved.",
    "password": "Your password is changed. Every other session and token has been ended.",
    "session": "That session or token has been ended.",
    "others": "Every other session and token has been ended.",
}


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, viewer: PageViewerDep, session: SessionDep, saved: str | None = None) -> Response:
    service.require_self(viewer)
    return _account_page(request, viewer, session, {"notice": SAVED_NOTICES.get(saved or "")})


def _account_page(
    request: Request, viewer: Viewer, session: SessionDep, context: dict, status_code: int = 200
) -> Response:
    assert viewer.member is not None
    defaults = {
        "profile_values": {"display_name": viewer.member.display_name, "credentials": viewer.member.credentials},
        "profile_errors": {},
        "password_errors": {},
        "token_values": {},
        "token_errors": {},
        "notice": None,
        "sessions": service.live_sessions(session, viewer=viewer),
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
        context = {"profile_values": values, "profile_errors": error.fields}
        return _account_page(request, viewer, session, context, 422)
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
        return _account_page(request, viewer, session, {"password_errors": error.fields}, 422)
    return redirect("/account?saved=password")


@router.post("/account/sessions/{session_id}/end", response_class=HTMLResponse)
def end_session(session_id: SessionId, viewer: PageViewerDep, session: SessionDep) -> Response:
    service.end_own_session(session, viewer=viewer, auth_session_id=session_id)
    return redirect("/account?saved=session")


@router.post("/account/sessions/end-others", response_class=HTMLResponse)
def end_other_sessions(viewer: PageViewerDep, session: SessionDep) -> Response:
    service.end_other_sessions(session, viewer=viewer)
    return redirect("/account?saved=others")


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, viewer: PageViewerDep, session: SessionDep, settings: SettingsDep, name: TextField = ""
) -> Response:
    """Make a named API token and show its secret, this once: the page is not stored by the browser."""
    service.require_self(viewer)
    try:
        token_request = parse_form(TokenCreate, {"name": name})
    except InvalidInput as error:
        context = {"token_values": {"name": name}, "token_errors": error.fields}
        return _account_page(request, viewer, session, context, 422)
    token = service.create_token(
        session, viewer=viewer, name=token_request.name, idle_days=settings.api_token_idle_days
    )
    context = {"token": token, "name": token_request.name, "idle_days": settings.api_token_idle_days}
    return _holding_a_secret(render(request, "accounts/token_created.html", context))


def _holding_a_secret(response: Response) -> Response:
    """A page showing a secret (a new token) or at a secret address (a reset link): never stored by the
    browser, and its address never sent on as a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


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
