"""Cross-site request forgery: every form that changes something needs this browser's token.

Each state-changing form is sent the ways a forged request could look (no token, an
empty or garbled one, a well-formed token made for another cookie or under another
secret, the real token of another browser logged in as another member, a token without
its cookie, a token in the address) and must be refused with 403 while the database
stays exactly as it was. The same form with the browser's own token works,
so the refusals are not just a broken form. The JSON API is the other side of the same
design: it needs no CSRF token, because it never authenticates by cookie.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, func, select

from forum.accounts.models import AuthSession, Member
from forum.db import Database
from forum.kit import csrf
from forum.threads.models import Comment, PostRevision, Thread
from tests.conftest import TEST_SECRET
from tests.factories import PASSWORD, Factory, form_token


@dataclass(frozen=True)
class FormCase:
    """One page form: where it posts, what a member would fill in, and what success looks like."""

    path: str
    data: dict[str, str]
    logged_in: bool = True


FORMS = {
    "join": FormCase(
        "/join",
        {"display_name": "New Member", "email": "new.member@example.org", "password": PASSWORD, "next": "/"},
        logged_in=False,
    ),
    "login": FormCase("/login", {"email": "{email}", "password": PASSWORD, "next": "/"}, logged_in=False),
    "logout": FormCase("/logout", {}),
    "start-thread": FormCase(
        "/threads", {"title": "A fresh question", "body": "What do you do?", "tags": "boundaries"}
    ),
    "edit-thread": FormCase(
        "/threads/{thread_id}/edit",
        {"title": "An edited title", "body": "Edited.", "audience": "members", "tags": "boundaries"},
    ),
    "delete-thread": FormCase("/threads/{thread_id}/delete", {}),
    "add-comment": FormCase("/threads/{thread_id}/comments", {"body": "A new comment."}),
    "edit-comment": FormCase("/comments/{comment_id}/edit", {"body": "An edited comment."}),
    "delete-comment": FormCase("/comments/{comment_id}/delete", {}),
    "update-profile": FormCase("/account/profile", {"display_name": "Renamed Member", "credentials": "LMT"}),
    "change-password": FormCase(
        "/account/password", {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    ),
}


@dataclass
class Scene:
    """A member with a thread and a comment, their browser, and an attacker's browser."""

    database: Database
    member: Member
    thread: Thread
    comment: Comment
    browser: TestClient
    attacker: TestClient

    def fill(self, case: FormCase) -> tuple[str, dict[str, str]]:
        names = {"thread_id": self.thread.id, "comment_id": self.comment.id, "email": self.member.email}
        return case.path.format(**names), {key: value.format(**names) for key, value in case.data.items()}

    def snapshot(self) -> tuple:
        """Everything any of the forms could change."""
        return snapshot(self.database, member=self.member, thread=self.thread, comment=self.comment)


def snapshot(database: Database, *, member: Member, thread: Thread, comment: Comment) -> tuple:
    """Row counts, open sessions, and the fields of the member, thread and comment that forms change."""
    with database.session() as session:
        counts = tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Member, Thread, Comment, AuthSession, PostRevision)
        )
        open_sessions = session.exec(
            select(func.count()).select_from(AuthSession).where(col(AuthSession.revoked_at).is_(None))
        ).one()
        stored_thread = session.get(Thread, thread.id)
        stored_comment = session.get(Comment, comment.id)
        stored_member = session.get(Member, member.id)
        assert stored_thread and stored_comment and stored_member
        return (
            counts,
            open_sessions,
            (stored_thread.title, stored_thread.body, stored_thread.deleted_at, stored_thread.comment_count),
            (stored_comment.body, stored_comment.deleted_at),
            (stored_member.display_name, stored_member.credentials, stored_member.password_hash),
        )


@pytest.fixture(params=list(FORMS), ids=list(FORMS))
def case(request: pytest.FixtureRequest) -> FormCase:
    return FORMS[request.param]


@pytest.fixture
def scene(factory: Factory, database: Database, make_client: Callable[..., TestClient], case: FormCase) -> Scene:
    member = factory.member()
    thread = factory.thread(member)
    comment = factory.comment(member, thread)
    browser = make_client()
    if case.logged_in:
        factory.login(browser, member)
    else:
        browser.get("/login")  # a visitor who has opened a page of the site, so has a CSRF cookie
    attacker = factory.login(make_client(), factory.member())
    return Scene(database, member, thread, comment, browser, attacker)


def forged_tokens(scene: Scene) -> dict[str, dict[str, str]]:
    """The csrf_token field of each kind of forged form (an empty dict: no field at all)."""
    return {
        "missing": {},
        "empty": {csrf.FIELD_NAME: ""},
        "wrong": {csrf.FIELD_NAME: csrf.token_for(csrf.new_seed(), TEST_SECRET)},
        "garbage": {csrf.FIELD_NAME: "not-a-token"},
        "wrong-secret": {csrf.FIELD_NAME: csrf.token_for(scene.browser.cookies[csrf.COOKIE_NAME], "a guessed secret")},
        "other-browser": {csrf.FIELD_NAME: form_token(scene.attacker)},
    }


FORGERIES = ["missing", "empty", "wrong", "wrong-secret", "garbage", "other-browser"]


def still_logged_in(browser: TestClient) -> bool:
    return browser.get("/account").status_code == 200


@pytest.mark.parametrize("forgery", FORGERIES)
def test_form_without_this_browsers_token_is_refused_and_changes_nothing(
    scene: Scene, case: FormCase, forgery: str
) -> None:
    path, data = scene.fill(case)
    token = forged_tokens(scene)[forgery]
    before = scene.snapshot()

    response = scene.browser.post(path, data={**data, **token})

    assert response.status_code == 403, response.text
    assert "expired or came from another site" in response.text
    assert "forum_session" not in response.cookies
    assert scene.snapshot() == before
    assert still_logged_in(scene.browser) is case.logged_in


def test_token_without_its_cookie_is_refused(scene: Scene, case: FormCase) -> None:
    """A token copied out of a page is useless to a browser that lacks the cookie it was made for."""
    path, data = scene.fill(case)
    token = form_token(scene.browser)
    scene.browser.cookies.delete(csrf.COOKIE_NAME)
    before = scene.snapshot()

    response = scene.browser.post(path, data={**data, csrf.FIELD_NAME: token})

    assert response.status_code == 403, response.text
    assert scene.snapshot() == before


def test_token_in_the_address_instead_of_the_form_is_refused(scene: Scene, case: FormCase) -> None:
    path, data = scene.fill(case)
    before = scene.snapshot()

    response = scene.browser.post(path, params={csrf.FIELD_NAME: form_token(scene.browser)}, data=data)

    assert response.status_code == 403, response.text
    assert scene.snapshot() == before


def test_form_with_this_browsers_token_succeeds(scene: Scene, case: FormCase) -> None:
    path, data = scene.fill(case)
    before = scene.snapshot()

    response = scene.browser.post(path, data={**data, csrf.FIELD_NAME: form_token(scene.browser)})

    assert response.status_code == 303, response.text
    assert scene.snapshot() != before


# --- the JSON API -----------------------------------------------------------------------


def test_api_changes_need_no_csrf_token_with_a_bearer_token(
    factory: Factory, make_client: Callable[..., TestClient]
) -> None:
    """A script with a token and no cookies at all can do everything the forms do."""
    member = factory.member()
    api = make_client()
    headers = factory.headers(member)

    thread = api.post(
        "/api/v1/threads",
        json={"title": "Asked over the API", "body": "Hello.", "tags": ["boundaries"]},
        headers=headers,
    )
    assert thread.status_code == 201, thread.text
    thread_id = thread.json()["id"]
    comment = api.post(f"/api/v1/threads/{thread_id}/comments", json={"body": "First."}, headers=headers)
    assert comment.status_code == 201, comment.text
    comment_id = comment.json()["id"]

    calls = [
        ("PATCH", f"/api/v1/threads/{thread_id}", {"title": "Edited over the API"}, 200),
        ("PATCH", f"/api/v1/comments/{comment_id}", {"body": "Edited."}, 200),
        ("DELETE", f"/api/v1/comments/{comment_id}", None, 204),
        ("DELETE", f"/api/v1/threads/{thread_id}", None, 204),
        ("DELETE", "/api/v1/auth/token", None, 204),
    ]
    for method, path, body, status in calls:
        response = api.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (method, path, response.text)
    assert csrf.COOKIE_NAME not in api.cookies  # the API never hands out the form cookie
    assert api.get("/api/v1/me", headers=headers).status_code == 401  # the token was revoked


@pytest.fixture
def cookie_browser(factory: Factory, make_client: Callable[..., TestClient]) -> tuple[TestClient, dict]:
    """A member's browser, logged in by cookie, with a thread and comment of the member's."""
    member = factory.member()
    thread = factory.thread(member)
    comment = factory.comment(member, thread)
    return factory.login(make_client(), member), {"member": member, "thread": thread, "comment": comment}


API_CHANGES = {
    "start-thread": (
        "POST",
        "/api/v1/threads",
        {"title": "Riding on a cookie", "body": "Hello.", "tags": ["boundaries"]},
    ),
    "edit-thread": ("PATCH", "/api/v1/threads/{thread_id}", {"title": "Edited by a cookie"}),
    "delete-thread": ("DELETE", "/api/v1/threads/{thread_id}", None),
    "add-comment": ("POST", "/api/v1/threads/{thread_id}/comments", {"body": "Hello."}),
    "edit-comment": ("PATCH", "/api/v1/comments/{comment_id}", {"body": "Edited."}),
    "delete-comment": ("DELETE", "/api/v1/comments/{comment_id}", None),
    "revoke-token": ("DELETE", "/api/v1/auth/token", None),
    "me": ("GET", "/api/v1/me", None),
}


@pytest.mark.parametrize("call", list(API_CHANGES.values()), ids=list(API_CHANGES))
def test_api_never_authenticates_by_cookie(cookie_browser, database: Database, call) -> None:
    browser, rows = cookie_browser
    method, path, body = call
    path = path.format(thread_id=rows["thread"].id, comment_id=rows["comment"].id)
    assert still_logged_in(browser)
    before = snapshot(database, **rows)

    response = browser.request(method, path, json=body)

    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]
    assert snapshot(database, **rows) == before
    assert still_logged_in(browser)


def test_browser_session_cannot_be_used_as_a_bearer_token(cookie_browser, database: Database) -> None:
    browser, rows = cookie_browser
    session_token = browser.cookies["forum_session"]
    before = snapshot(database, **rows)

    response = browser.post(
        "/api/v1/threads",
        json={"title": "A session used as a token", "body": "Hello.", "tags": ["boundaries"]},
        headers={"Authorization": f"Bearer {session_token}"},
    )

    assert response.status_code == 401
    assert snapshot(database, **rows) == before


def test_api_token_does_not_log_a_browser_in(factory: Factory, make_client: Callable[..., TestClient]) -> None:
    member = factory.member()
    browser = make_client()
    browser.cookies.set("forum_session", factory.token(member))

    assert browser.get("/account").status_code == 303  # sent to the login page
