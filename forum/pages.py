"""What every HTML page route shares: CSRF checking, rendering and safe redirects."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from forum.deps import SAFE_METHODS
from forum.errors import Forbidden
from forum.kit import csrf
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
    return templates.TemplateResponse(request, template, context or {}, status_code=status_code)


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
