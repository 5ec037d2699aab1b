"""What every HTML page route shares: CSRF checking, rendering and safe redirects."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import FormData

from forum.deps import SAFE_METHODS
from forum.errors import Forbidden
from forum.kit import csrf
from forum.moderation import service as moderation_service
from forum.moderation.models import MemberNotice
from forum.templating import templates

FORM_EXPIRED = "This form has expired or came from another site. Please go back, reload the page and try again."


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing form unless it carries this browser's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    try:
        form = await request.form()
    except Exception:  # a body that is not a form at all
        raise Forbidden(FORM_EXPIRED) from None
    token = form.get(csrf.FIELD_NAME)
    secret = request.app.state.settings.resolved_secret_key
    if not isinstance(token, str) or not csrf.is_valid(request.cookies.get(csrf.COOKIE_NAME), token, secret):
        raise Forbidden(FORM_EXPIRED)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    context = {**(context or {}), "warnings": _pending_warnings(request)}
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def _pending_warnings(request: Request) -> list[MemberNotice]:
    """A moderator's unread warnings, shown on every page until acknowledged.

    Looked up only when the member's flag says there are some, so other pages cost no query.
    """
    viewer = getattr(request.state, "viewer", None)
    if viewer is None or viewer.member is None or not viewer.member.warning_pending:
        return []
    try:
        with request.app.state.database.session() as session:
            notices = moderation_service.pending_warnings(session, member_id=viewer.member.id)
            session.expunge_all()
            return notices
    except SQLAlchemyError:  # the database is down: the page (often the 503 page itself) shows without them
        return []


def redirect(url: str) -> RedirectResponse:
    """After a successful form: 303, so reloading the next page does not post again."""
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None) -> str:
    """Only ever send people back to a page of this site (no open redirect)."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"


def form_values(form: FormData, *names: str) -> dict[str, str]:
    """The named text fields of a form (files and absent fields become empty strings)."""
    return {name: value if isinstance(value := form.get(name), str) else "" for name in names}
