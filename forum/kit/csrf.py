"""CSRF protection for the HTML forms: a signed double-submit token.

Every browser gets a random ``forum_csrf`` cookie; each form carries an HMAC of it
under the server's secret. A cross-site page can make the browser send the cookie
but cannot read it, so it cannot produce the matching form field. The JSON API needs
none of this: it authenticates only by bearer token, which a browser never sends by itself.
"""

import hashlib
import hmac
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "forum_csrf"
FIELD_NAME = "csrf_token"


def new_seed() -> str:
    return secrets.token_urlsafe(24)


def token_for(seed: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def is_valid(seed: str | None, token: str | None, secret: str) -> bool:
    if not seed or not token:
        return False
    return hmac.compare_digest(token_for(seed, secret), token)


class CsrfCookie:
    """ASGI middleware: every browser gets a ``forum_csrf`` seed cookie; ``request.state.csrf_seed`` holds it.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs each
    request through an extra task and memory stream, which cost more than some whole pages.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seed = HTTPConnection(scope).cookies.get(COOKIE_NAME)
        scope.setdefault("state", {})["csrf_seed"] = seed or new_seed()
        if seed or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = Response()
                cookie.set_cookie(
                    COOKIE_NAME,
                    scope["state"]["csrf_seed"],
                    httponly=True,
                    samesite="lax",
                    secure=scope.get("scheme") == "https",
                )
                MutableHeaders(scope=message).append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_cookie)
