"""The application: routers for pages and ``/api/v1``, error handlers, static files."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from forum import templating
from forum.accounts import api as accounts_api
from forum.accounts import pages as accounts_pages
from forum.accounts import passwords
from forum.answers import error_json, with_retry_after
from forum.config import PROJECT_ROOT, Settings, get_settings
from forum.db import Database, is_unavailable, limit_request_threads
from forum.deps import SAFE_METHODS
from forum.errors import ForumError, NotFound, Unauthorized
from forum.feeds import pages as feeds_pages
from forum.guidelines import api as guidelines_api
from forum.guidelines import pages as guidelines_pages
from forum.kit import access_log, csrf, heap, security_headers
from forum.moderation import api as moderation_api
from forum.moderation import pages as moderation_pages
from forum.notifications import api as notifications_api
from forum.notifications import pages as notifications_pages
from forum.notifications.mail import MailSender
from forum.pages import render, verify_csrf
from forum.permissions import VISITOR, Viewer
from forum.search import api as search_api
from forum.search import pages as search_pages
from forum.threads import api as threads_api
from forum.threads import pages as threads_pages
from forum.threads.fragments import FragmentCache
from forum.threads.view_counter import ViewCounter, ViewFlusher
from forum.topics import api as topics_api
from forum.topics import pages as topics_pages

log = logging.getLogger(__name__)
# What a 503 asks clients to wait when the database is down or locked: long enough for a
# PostgreSQL restart or a queue of SQLite writers to clear, short enough that people retry.
DATABASE_RETRY_AFTER_S = 5


class ApiError(BaseModel):
    detail: str


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InvalidRequest(BaseModel):
    """A 422: the fields the request's shape got wrong, or one sentence naming the forum rule it broke."""

    detail: list[FieldProblem] | str


# Answers any API call may get, documented on every operation so clients (and the fuzz tests) can rely on them.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ApiError, "description": "A body that is not JSON, or a page link (cursor) that is not valid"},
    401: {"model": ApiError, "description": "The token sent is malformed, expired or revoked, or one is needed"},
    422: {"model": InvalidRequest, "description": "Invalid input"},
    503: {
        "model": ApiError,
        "description": "The database is not answering for the moment",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    },
}


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = database or Database(settings.resolved_database_url)
    passwords.configure(settings)
    access_log.install()
    templating.configure(settings)
    settings.resolved_secret_key  # noqa: B018 - made (or read) at start, so a bad data directory fails early

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        flusher = None
        if settings.view_flush_seconds > 0:
            flusher = ViewFlusher(app.state.view_counter, database, interval=settings.view_flush_seconds)
            flusher.start()
        mail_sender = None
        if settings.email_enabled and settings.mail_send_seconds > 0:
            mail_sender = MailSender(database, settings, interval=settings.mail_send_seconds)
            mail_sender.start()
        limit_request_threads()
        heap.settle()
        yield
        if flusher is not None:
            flusher.stop()
        if mail_sender is not None:
            mail_sender.stop()

    app = FastAPI(
        title=settings.community_name,
        summary="Members-only discussion of the ethics of massage and bodywork.",
        version="1",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc load their scripts from a CDN and start them inline,
        # which the Content-Security-Policy forbids: /docs is served from local files instead.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.view_counter = ViewCounter(window=timedelta(hours=settings.view_window_hours))
    app.state.comment_fragments = FragmentCache()

    for api in (
        accounts_api.router,
        threads_api.router,
        guidelines_api.router,
        topics_api.router,
        moderation_api.router,
        search_api.router,
        notifications_api.router,
    ):
        app.include_router(api, prefix="/api/v1", responses=API_ERRORS)
    for pages in (
        accounts_pages.router,
        threads_pages.router,
        guidelines_pages.router,
        topics_pages.router,
        moderation_pages.router,
        search_pages.router,
        notifications_pages.router,
        feeds_pages.router,
    ):
        app.include_router(pages, dependencies=[Depends(verify_csrf)], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    _install_api_docs(app)

    app.add_middleware(csrf.CsrfCookie)
    _install_error_handlers(app)
    security_headers.install(app)
    return app


def _install_api_docs(app: FastAPI) -> None:
    """Swagger UI at /docs, its files from the fastapi-offline package, its start-up code in static/api-docs."""
    app.mount("/swagger-ui", StaticFiles(packages=[("fastapi_offline", "static")]), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> FileResponse:
        return FileResponse(PROJECT_ROOT / "static" / "api-docs" / "index.html")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _viewer(request: Request) -> Viewer:
    return getattr(request.state, "viewer", VISITOR)


def _page_to_return_to(request: Request) -> str:
    """Where to send someone after logging in: the page they asked for, or the page a refused form was on."""
    if request.method in SAFE_METHODS:
        return request.url.path
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path
    return "/"


def _allowed_methods(request: Request) -> str:
    """Every method this path answers. Starlette's 405 names only those of the first route matching the path."""
    methods: set[str] = set()
    # Included routers are not flattened into app.routes: their routes are found through their contexts.
    for context in iter_route_contexts(request.app.routes):
        if isinstance(context.original_route, APIRoute) and context.matches(request.scope)[0] is not Match.NONE:
            methods |= context.methods or set()
    return ", ".join(sorted(methods))


def _error_page(request: Request, status_code: int, message: str) -> Response:
    return render(request, "errors/error.html", {"status_code": status_code, "message": message}, status_code)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ForumError)
    async def forum_error(request: Request, error: ForumError) -> Response:
        if _is_api(request):
            return error_json(error)
        if isinstance(error, Unauthorized) or (isinstance(error, NotFound) and not _viewer(request).is_member):
            # A visitor is asked to log in and sent back afterwards; absent and members-only
            # look the same to them, so the answer reveals nothing.
            return RedirectResponse(f"/login?next={quote(_page_to_return_to(request))}", status_code=303)
        return with_retry_after(_error_page(request, error.status_code, error.message), error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": jsonable_errors(error)}, status_code=422)
        return _error_page(request, 422, "That address or form was not valid.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        message = {404: "There is nothing at this address.", 405: "That action is not possible here."}.get(
            error.status_code, str(error.detail)
        )
        headers = error.headers
        if error.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=error.status_code, headers=headers)
        response = _error_page(request, error.status_code, message)
        response.headers.update(headers or {})
        return response

    @app.exception_handler(SQLAlchemyError)
    async def database_unavailable(request: Request, error: SQLAlchemyError) -> Response:
        """A database that is down, restarting or locked past the busy timeout: 503, try again shortly."""
        if not is_unavailable(error):
            raise error  # a bug, answered by the handler of unexpected errors below
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__)
        headers = {"Retry-After": str(DATABASE_RETRY_AFTER_S)}
        message = "The forum's database is not answering just now. Please try again in a few seconds."
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=503, headers=headers)
        response = _error_page(request, 503, message)
        response.headers.update(headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        message = "Something went wrong on our side. Nothing you sent was lost; please try again."
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=500)
        return _error_page(request, 500, message)


def jsonable_errors(error: RequestValidationError) -> list[dict[str, object]]:
    """Pydantic's error list without the raw input, which may hold a password."""
    return [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in error.errors()]
