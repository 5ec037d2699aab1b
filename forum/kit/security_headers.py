"""Security headers on every response: pages, API, static files, error pages and the API docs.

The Content-Security-Policy allows scripts, styles and frames only from this site, no inline
script or style and no ``eval``, so markup slipping past the sanitiser still cannot run. It is
written once here, and the templates and ``/docs`` are built to live within it (no ``style=``
or inline ``<script>``; the docs' start-up code is a static file).

HSTS is sent only on requests that came over https: uvicorn runs with ``proxy_headers``, so a
trusted proxy's ``X-Forwarded-Proto`` has already set the request's scheme. Telling a browser to
insist on https for a site served over plain http (development) would lock people out.
"""

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """ASGI middleware that sets ``HEADERS`` (and HSTS over https) on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)  # a page holding a secret sets a stricter Referrer-Policy
                if scope.get("scheme") == "https":
                    headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: Starlette) -> None:
    """Wrap the app's whole middleware stack in ``SecurityHeaders``.

    ``add_middleware`` would place it inside Starlette's ServerErrorMiddleware, whose 500 page
    would then go out without the headers; wrapping the built stack covers that page too.
    """
    build_stack = app.build_middleware_stack

    def build_stack_with_headers() -> ASGIApp:
        return SecurityHeaders(build_stack())

    app.build_middleware_stack = build_stack_with_headers  # type: ignore[method-assign]
