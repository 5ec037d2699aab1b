"""Every route of the app, called by five people, answers as one declared permission table says.

The routes are read from the app itself (FastAPI's own walk of ``app.routes`` and the routers
included in it), so a route added later fails ``test_every_route_is_in_the_table`` until someone
writes down who may call it in ``route_permissions.ROUTES``. Each route is then called, with real
ids and a valid body (and the form's CSRF token on pages), by a visitor, the member who owns the
targets, another member, a moderator and an admin, and each answer is checked against the table:
allowed is a 2xx or a redirect that is not to the login page; a refusal is the table's 401, 403 or
404 (a page sends a visitor to ``/login?next=...`` instead of a 401).

The world the callers act on is built once for the whole walk, in a transaction rolled back at its
end. Each test, and each call within it, runs in a savepoint that is rolled back: a caller who
deletes the thread leaves it there for the next caller and the next route.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlmodel import Session, col, select

import tests.conftest as conftest
from forum.accounts import auth
from forum.accounts.models import AuthSession, Member, PasswordReset, Role, SessionKind
from forum.app import create_app
from forum.db import Database
from forum.deps import SESSION_COOKIE
from forum.guidelines.models import GuidelineDocument, GuidelineSection
from forum.kit import csrf
from forum.kit.time import utcnow
from forum.moderation.models import ReviewItem
from forum.notifications.models import Notification
from forum.permissions import Viewer
from forum.topics import service as topics_service
from tests.factories import Factory, form_token
from tests.security.route_permissions import (
    ADMIN_MEMBER,
    CALLERS,
    LOGIN,
    MODERATOR_MEMBER,
    NOT_WALKED,
    OTHER_MEMBER,
    OWNER_MEMBER,
    PATH_PARAMETERS,
    ROUTES,
    SAME_ACTION,
    VISITOR,
    Rule,
)

ALLOWED = "allowed"
_ROLES = {
    OWNER_MEMBER: Role.MEMBER,
    OTHER_MEMBER: Role.MEMBER,
    MODERATOR_MEMBER: Role.MODERATOR,
    ADMIN_MEMBER: Role.ADMIN,
}
_TEMPLATE = re.compile(r"\{(\w+)\}")

# Routes whose answers are wrong today, per caller: each is reported as a bug, and its test is an
# expected failure that must fail for exactly these callers (any other wrong answer fails it).
KNOWN_BUGS: dict[tuple[str, str], dict[str, str]] = {}


# --- the routes the app serves ---------------------------------------------------------


def served_routes(app: FastAPI) -> tuple[set[tuple[str, str]], set[str]]:
    """(method, path) of every API route the app serves, and the paths of anything else it serves."""
    routes: set[tuple[str, str]] = set()
    others: set[str] = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            routes.update((method, context.path) for method in context.methods - {"HEAD"})
        else:
            others.add(context.path)
    return routes, others


def test_every_route_is_in_the_table(app: FastAPI) -> None:
    """A new route fails here, by name, until the table says who may call it; so does a removed one."""
    routes, others = served_routes(app)
    walked = {(method, path) for method, path in routes if path not in NOT_WALKED}
    missing = sorted(walked - ROUTES.keys()) + sorted(("(not an API route)", p) for p in others - NOT_WALKED.keys())
    stale = sorted(ROUTES.keys() - walked)
    assert not missing, "Routes nobody has said who may call; add each to tests/security/route_permissions.py:\n" + (
        "\n".join(f"  {method} {path}" for method, path in missing)
    )
    assert not stale, "Table entries for routes the app no longer serves:\n" + "\n".join(
        f"  {method} {path}" for method, path in stale
    )


def test_the_walk_sees_pages_api_and_feeds(app: FastAPI) -> None:
    """A guard on the guard: a walk that found nothing would make the test above pass vacuously."""
    routes, others = served_routes(app)
    assert {("GET", "/"), ("GET", "/api/v1/threads/{thread_id}"), ("GET", "/feeds/latest.atom")} <= routes
    assert len(routes) >= 100 and others <= NOT_WALKED.keys()


def test_the_same_action_has_the_same_rule_on_pages_and_api() -> None:
    """One rule whichever door is used: the page and the API route of an action allow and refuse alike."""
    differ = [
        f"  {api[0]} {api[1]} and {page[0]} {page[1]}"
        for api, page in SAME_ACTION
        if (ROUTES[api].allowed, ROUTES[api].refused.member) != (ROUTES[page].allowed, ROUTES[page].refused.member)
    ]
    assert not differ, "A page and the API route doing the same thing answer under different rules:\n" + "\n".join(
        differ
    )


# --- the world every walk starts from ------------------------------------------------------


@dataclass
class World:
    """Who calls, the things the table's templates name (``{thread}``, ``{item}``...), and a
    browser's CSRF cookie with the token its forms carry (the same for every browser given it)."""

    members: dict[str, Member]
    things: dict[str, Any]
    csrf_seed: str
    csrf_token: str

    def fill(self, template: Any) -> Any:
        """A template with the world's things put in; a whole-value ``"{thing}"`` keeps the thing's type."""
        if isinstance(template, dict):
            return {key: self.fill(value) for key, value in template.items()}
        if isinstance(template, list):
            return [self.fill(value) for value in template]
        if isinstance(template, str) and (whole := _TEMPLATE.fullmatch(template)):
            return self.things[whole.group(1)]
        return template.format(**self.things) if isinstance(template, str) else template

    def url(self, path: str, rule: Rule) -> str:
        def parameter(match: re.Match[str]) -> str:
            name = match.group(1)
            template = rule.at.get(name) or PATH_PARAMETERS.get(name)
            assert template, f"no world thing for the path parameter {{{name}}} of {path}: give the rule an `at`"
            return str(self.fill(template))

        concrete = _TEMPLATE.sub(parameter, path)
        return f"{concrete}?{self.fill(rule.query)}" if rule.query else concrete


def _first(session: Session, statement: Any) -> Any:
    found = session.exec(statement).first()
    assert found is not None, f"building the world: nothing for {statement}"
    return found


@contextmanager
def rolled_back(connection: Connection) -> Iterator[None]:
    """Whatever is written inside is undone, so the next caller meets the same world."""
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


@pytest.fixture(scope="module")
def walk(database: Database) -> Iterator[Connection]:
    """One transaction for the whole walk, rolled back at its end: the world is built once, inside it."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        database.bind = connection
        try:
            yield connection
        finally:
            database.bind = None
            transaction.rollback()


@pytest.fixture(autouse=True)
def rollback(walk: Connection) -> Iterator[None]:
    """In place of the suite's transaction per test: each test here is a savepoint in the walk's transaction."""
    with rolled_back(walk):
        yield


@pytest.fixture(scope="module")
def app(database: Database, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The suite's app as a forum that sends email (so it offers password resets); no sender runs,
    and whatever is queued is rolled back with the walk."""
    settings = conftest.test_settings(tmp_path_factory.mktemp("walk"), smtp_host="127.0.0.1", mail_send_seconds=0)
    return create_app(settings, database)


@pytest.fixture(scope="module")
def browser(app: FastAPI) -> Iterator[TestClient]:
    """The one client of the walk; it drops its cookies before each call (see ``call``)."""
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.fixture(scope="module")
def world(walk: Connection, app: FastAPI, database: Database, browser: TestClient) -> World:
    """The owner's members-only thread with their comment, a bystander's reply (which notifies the
    owner) and a bystander's public thread; a report on the owner's comment (a review item), an
    admin's pin (a moderation event), a watched word and the owner's bookmark. The bystander is
    nobody's caller: no caller has reported anything, and the owner owns every target."""
    factory = Factory(database, app)
    members = {caller: factory.member(role=role, display_name=f"The {caller}") for caller, role in _ROLES.items()}
    owner, admin = members[OWNER_MEMBER], members[ADMIN_MEMBER]
    bystander = factory.member(display_name="A bystander")
    thread = factory.thread(owner, title="Members only: a client asked me out", body="How do I say no well?")
    comment = factory.comment(owner, thread, body="Update: I said no and referred them on.")
    factory.comment(bystander, thread, body="Well done.")
    public_thread = factory.thread(bystander, title="Public: draping", body="Which sheets?", audience="public")

    def api(member: Member, path: str, json: dict[str, Any]) -> dict[str, Any]:
        response = browser.post(path, headers=factory.headers(member), json=json)
        assert response.is_success, f"building the world: {path}: {response.text}"
        return response.json()

    api(bystander, "/api/v1/reports", {"target_type": "comment", "target_id": comment.id, "reason": "harassment"})
    event = api(admin, f"/api/v1/moderation/threads/{thread.id}/actions", {"action": "pin", "reason": "Worth it"})
    word = api(admin, "/api/v1/moderation/watched-words", {"phrase": "snake oil"})
    api(owner, "/api/v1/bookmarks", {"target_type": "thread", "target_id": thread.id})
    with database.session(write=True) as session:
        auth.open_session(session, member=owner, kind=SessionKind.BROWSER, idle_days=1)
        reset_token, reset_hash = auth.new_secret()
        expires_at = utcnow() + timedelta(hours=1)
        session.add(
            PasswordReset(member_id=owner.id, token_hash=reset_hash, created_at=utcnow(), expires_at=expires_at)
        )
        topics_service.retire_topic(session, viewer=Viewer(member=admin), slug="ethics-education")
        section = _first(session, select(GuidelineSection).order_by(col(GuidelineSection.id)))
        things = {
            "owner": owner.id,
            "owner_email": owner.email,
            "thread": thread.id,
            "comment": comment.id,
            "public_thread": public_thread.id,
            "item": _first(
                session,
                select(ReviewItem.id).where(ReviewItem.target_type == "comment", ReviewItem.target_id == comment.id),
            ),
            "event": event["id"],
            "word": word["id"],
            "notification": _first(session, select(Notification.id).where(Notification.member_id == owner.id)),
            "topic": "boundaries",
            "other_topic": "dual-relationships",
            "retired_topic": "ethics-education",
            "document": _first(
                session, select(GuidelineDocument.slug).where(GuidelineDocument.id == section.document_id)
            ),
            "section": section.anchor,
            "section_version": section.version,
            "owner_session": _first(
                session,
                select(AuthSession.id).where(AuthSession.member_id == owner.id).order_by(col(AuthSession.id).desc()),
            ),
            "reset_token": reset_token,
        }
    token = form_token(browser, "/login")
    return World(members, things, csrf_seed=browser.cookies[csrf.COOKIE_NAME], csrf_token=token)


# --- calling as each caller ----------------------------------------------------------------


def _signed_in(database: Database, member: Member | None, kind: SessionKind) -> str | None:
    """A fresh session for the member (an API token or a browser's cookie); None for a visitor."""
    if member is None:
        return None
    with database.session(write=True) as session:
        return auth.open_session(session, member=member, kind=kind, idle_days=1)


def call(browser: TestClient, database: Database, world: World, caller: str, method: str, path: str) -> httpx.Response:
    """The route called as ``caller``: with a bearer token for the API, as a logged-in browser for pages.

    The browser starts with no cookies: each caller is a browser of their own.
    """
    browser.cookies.clear()
    rule = ROUTES[(method, path)]
    url, body, member = world.url(path, rule), world.fill(rule.body), world.members.get(caller)
    if path.startswith("/api/"):
        token = _signed_in(database, member, SessionKind.API)
        return browser.request(method, url, headers={"Authorization": f"Bearer {token}"} if token else {}, json=body)
    if token := _signed_in(database, member, SessionKind.BROWSER):
        browser.cookies.set(SESSION_COOKIE, token)
    if method == "GET":
        return browser.get(url)
    browser.cookies.set(csrf.COOKIE_NAME, world.csrf_seed)
    return browser.request(method, url, data={"csrf_token": world.csrf_token, **(body or {})})


def expected(rule: Rule, caller: str, path: str) -> int | str:
    """What the table says this caller gets (see the vocabulary in ``route_permissions``)."""
    if caller in rule.allowed:
        return ALLOWED
    if caller != VISITOR:
        return rule.refused.member
    return rule.refused.api_visitor if path.startswith("/api/") else LOGIN


def answer(response: httpx.Response) -> int | str:
    """The answer's class: allowed, sent to log in (and back), or the refusal's status.

    A redirect to the login page is a refusal only with ``next``: a reset password sends its
    browser to log in (``/login?done=...``), and that is a success.
    """
    location = response.headers.get("location", "")
    if location.startswith("/login?next=/"):
        return LOGIN if response.status_code == 303 else f"{response.status_code} to the login page"
    if response.status_code == 401 and response.headers.get("www-authenticate") != "Bearer":
        return "401 without WWW-Authenticate: Bearer"
    return ALLOWED if response.status_code < 400 else response.status_code


def _route_cases() -> list:
    cases = []
    for method, path in ROUTES:
        bugs = KNOWN_BUGS.get((method, path))
        marks = [pytest.mark.xfail(strict=True, raises=KnownBug, reason="; ".join(bugs.values()))] if bugs else []
        cases.append(pytest.param(method, path, marks=marks, id=f"{method} {path}"))
    return cases


class KnownBug(AssertionError):
    """The wrong answers listed in KNOWN_BUGS, still there."""


@pytest.mark.parametrize(("method", "path"), _route_cases())
def test_route_answers_every_caller_as_the_table_says(
    browser: TestClient, walk: Connection, database: Database, world: World, method: str, path: str
) -> None:
    rule = ROUTES[(method, path)]
    wrong: dict[str, str] = {}
    for caller in CALLERS:
        with rolled_back(walk):
            response = call(browser, database, world, caller, method, path)
        want, got = expected(rule, caller, path), answer(response)
        if got != want:
            wrong[caller] = f"expected {want}, got {got}: {response.text[:200]!r}"
    bugs = KNOWN_BUGS.get((method, path), {})
    unexpected = {caller: problem for caller, problem in wrong.items() if caller not in bugs}
    assert not unexpected, f"{method} {path} answered against the table:\n" + "\n".join(
        f"  {caller}: {problem}" for caller, problem in unexpected.items()
    )
    if wrong.keys() == bugs.keys() and bugs:
        raise KnownBug("\n".join(f"{caller}: {problem}" for caller, problem in wrong.items()))
