"""Bad input always gets a clear 4xx, never a 500, and stores nothing.

For the JSON API that means a 4xx with a ``detail`` that names the problem; for the page
forms, the form shown again with a 4xx, the message next to the field (``aria-invalid``)
and what the member typed still in it. After every refusal the database is compared with
a snapshot taken before, so "refused" is checked, not assumed.

Every client here re-raises server errors, so a 500 fails the test with its traceback.
"""

import base64
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import func, select

from forum.accounts.models import AuthSession, Member
from forum.db import Database
from forum.threads.models import Comment, PostRevision, Thread
from forum.threads.schemas import CommentCreate, ThreadCreate
from tests.conftest import postgres_base_url
from tests.factories import PASSWORD, Factory, form_token, post_form

ON_POSTGRES = postgres_base_url() is not None

# --- known bugs -------------------------------------------------------------------------


# --- helpers --------------------------------------------------------------------------------


@dataclass
class Author:
    """A member with an API token, a thread and a comment of their own."""

    member: Member
    headers: dict[str, str]
    thread: Thread
    comment: Comment


@pytest.fixture
def author(factory: Factory) -> Author:
    member = factory.member()
    thread = factory.thread(member, title="The original title", body="The original body.")
    comment = factory.comment(member, thread, body="The original comment.")
    return Author(member, factory.headers(member), thread, comment)


def stored(database: Database, author: Author) -> tuple:
    """Row counts, and every field of the author's rows that a request could change."""
    with database.session() as session:
        counts = tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Member, Thread, Comment, AuthSession, PostRevision)
        )
        thread = session.get(Thread, author.thread.id)
        comment = session.get(Comment, author.comment.id)
        member = session.get(Member, author.member.id)
        assert thread and comment and member
        return (
            counts,
            (thread.title, thread.body, thread.audience, thread.updated_at, thread.deleted_at, thread.comment_count),
            (comment.body, comment.updated_at, comment.deleted_at),
            (member.email, member.display_name, member.credentials, member.password_hash),
        )


def assert_clear_api_error(response, *statuses: int) -> object:
    """A 4xx in JSON with a non-empty ``detail``; returns the detail."""
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail
    if isinstance(detail, list):
        assert all(problem["msg"] and problem["loc"] for problem in detail)
    return detail


def problem_fields(detail: object) -> set[str]:
    """The fields a 422's list of problems points at."""
    assert isinstance(detail, list)
    return {str(problem["loc"][-1]) for problem in detail}


def cursor_of(value: object) -> str:
    """A cursor in the server's own encoding, holding any JSON value."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# --- the API: starting a thread -------------------------------------------------------------

VALID_THREAD = {
    "title": "A reasonable question",
    "body": "Some details about it.",
    "audience": "members",
    "tags": ["boundaries"],
}


def thread_with(**changes: object) -> dict[str, object]:
    return {**VALID_THREAD, **changes}


def thread_without(name: str) -> dict[str, object]:
    return {key: value for key, value in VALID_THREAD.items() if key != name}


BAD_THREADS = {
    # wrong types
    "title-number": (thread_with(title=12345), "title"),
    "title-null": (thread_with(title=None), "title"),
    "title-list": (thread_with(title=["A reasonable question"]), "title"),
    "body-bool": (thread_with(body=True), "body"),
    "body-object": (thread_with(body={"text": "Some details"}), "body"),
    "audience-number": (thread_with(audience=1), "audience"),
    "audience-unknown": (thread_with(audience="everyone"), "audience"),
    # fields that are not the caller's to set
    "extra-author": (thread_with(author_id=1), "author_id"),
    "extra-pinned": (thread_with(pinned=True), "pinned"),
    "extra-id": (thread_with(id=1), "id"),
    "extra-body-html": (thread_with(body_html="<script>alert(1)</script>"), "body_html"),
    # missing fields
    "missing-title": (thread_without("title"), "title"),
    "missing-body": (thread_without("body"), "body"),
    # titles
    "title-empty": (thread_with(title=""), "title"),
    "title-white-space": (thread_with(title="          "), "title"),
    "title-too-short": (thread_with(title="Hey"), "title"),
    "title-four-characters": (thread_with(title="abcd"), "title"),
    "title-short-once-trimmed": (thread_with(title="   Hey    "), "title"),
    "title-151-characters": (thread_with(title="x" * 151), "title"),
    "title-huge": (thread_with(title="x" * 100_000), "title"),
    "title-nul": (thread_with(title="Hello\x00there"), "title"),
    "title-line-break": (thread_with(title="Hello\nthere"), "title"),
    "title-carriage-return": (thread_with(title="Hello\rthere"), "title"),
    "title-tab": (thread_with(title="Hello\tthere"), "title"),
    "title-escape": (thread_with(title="Hello \x1b[31mthere"), "title"),
    "title-backspace": (thread_with(title="Hello\x08\x08there"), "title"),
    "title-delete": (thread_with(title="Hello\x7fthere"), "title"),
    # bodies
    "body-empty": (thread_with(body=""), "body"),
    "body-white-space": (thread_with(body="   \n\n   \n"), "body"),
    "body-20001-characters": (thread_with(body="x" * 20_001), "body"),
    "body-huge": (thread_with(body="x" * 1_000_000), "body"),
    "body-nul": (thread_with(body="Some\x00details"), "body"),
    "body-escape": (thread_with(body="\x1b[2J Some details"), "body"),
    "body-vertical-tab": (thread_with(body="Some\x0bdetails"), "body"),
    "body-form-feed": (thread_with(body="Some\x0cdetails"), "body"),
    "body-bell": (thread_with(body="Some\x07details"), "body"),
}


@pytest.mark.parametrize(("payload", "field"), list(BAD_THREADS.values()), ids=list(BAD_THREADS))
def test_bad_thread_is_refused_and_not_stored(
    client: TestClient, database: Database, author: Author, payload: dict, field: str
) -> None:
    before = stored(database, author)

    response = client.post("/api/v1/threads", json=payload, headers=author.headers)

    detail = assert_clear_api_error(response, 422)
    assert field in problem_fields(detail)
    assert stored(database, author) == before
    listed = client.get("/api/v1/threads", headers=author.headers).json()["items"]
    assert [thread["id"] for thread in listed] == [author.thread.id]


RAW_BODIES = {
    "truncated": (b'{"title": "A reasonable question", "body": ', "application/json"),
    "single-quotes": (b"{'title': 'A reasonable question', 'body': 'Some details'}", "application/json"),
    "trailing-comma": (b'{"title": "A reasonable question", "body": "Some details",}', "application/json"),
    "not-utf-8": (b'{"title": "\xff\xfe", "body": "Some details"}', "application/json"),
    "empty": (b"", "application/json"),
    "array": (b"[]", "application/json"),
    "string": (b'"A reasonable question"', "application/json"),
    "null": (b"null", "application/json"),
    "number": (b"42", "application/json"),
    "nan": (b'{"title": NaN, "body": "Some details"}', "application/json"),
    "deeply-nested": (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    "huge-integer": (b'{"title": ' + b"9" * 5_000 + b', "body": "Some details"}', "application/json"),
    "form-encoded": (b"title=A+reasonable+question&body=Some+details", "application/x-www-form-urlencoded"),
    "json-as-plain-text": (b'{"title": "A reasonable question", "body": "Some details"}', "text/plain"),
}


@pytest.mark.parametrize(("content", "content_type"), list(RAW_BODIES.values()), ids=list(RAW_BODIES))
def test_body_that_is_not_a_json_object_is_refused(
    client: TestClient, database: Database, author: Author, content: bytes, content_type: str
) -> None:
    before = stored(database, author)

    response = client.post("/api/v1/threads", content=content, headers={**author.headers, "content-type": content_type})

    assert_clear_api_error(response, 400, 422)
    assert stored(database, author) == before


# --- the API: comments and edits --------------------------------------------------------------

BAD_COMMENTS = {
    "body-number": {"body": 42},
    "body-null": {"body": None},
    "body-list": {"body": ["A reply"]},
    "missing-body": {},
    "extra-thread": {"body": "A reply", "thread_id": 1},
    "extra-author": {"body": "A reply", "author_id": 1},
    "body-empty": {"body": ""},
    "body-white-space": {"body": " \n \t \n"},
    "body-20001-characters": {"body": "x" * 20_001},
    "body-nul": {"body": "A\x00reply"},
    "body-escape": {"body": "A reply\x1b]0;title\x07"},
}


@pytest.mark.parametrize("payload", list(BAD_COMMENTS.values()), ids=list(BAD_COMMENTS))
def test_bad_comment_is_refused_and_not_stored(
    client: TestClient, database: Database, author: Author, payload: dict
) -> None:
    before = stored(database, author)

    response = client.post(f"/api/v1/threads/{author.thread.id}/comments", json=payload, headers=author.headers)

    assert_clear_api_error(response, 422)
    assert stored(database, author) == before
    comments = client.get(f"/api/v1/threads/{author.thread.id}/comments", headers=author.headers).json()["items"]
    assert [comment["body"] for comment in comments] == ["The original comment."]


BAD_THREAD_EDITS = {
    "title-too-short": {"title": "Hey"},
    "title-white-space": {"title": "     "},
    "title-151-characters": {"title": "y" * 151},
    "title-nul": {"title": "New\x00title here"},
    "title-number": {"title": 7},
    "body-empty": {"body": ""},
    "body-20001-characters": {"body": "y" * 20_001},
    "body-nul": {"body": "New\x00body"},
    "audience-unknown": {"audience": "nobody"},
    "extra-locked": {"locked": True},
    "extra-deleted": {"deleted": True},
    "valid-title-with-bad-body": {"title": "A perfectly good title", "body": ""},
}


@pytest.mark.parametrize("payload", list(BAD_THREAD_EDITS.values()), ids=list(BAD_THREAD_EDITS))
def test_bad_thread_edit_is_refused_and_changes_nothing(
    client: TestClient, database: Database, author: Author, payload: dict
) -> None:
    before = stored(database, author)

    response = client.patch(f"/api/v1/threads/{author.thread.id}", json=payload, headers=author.headers)

    assert_clear_api_error(response, 422)
    assert stored(database, author) == before
    thread = client.get(f"/api/v1/threads/{author.thread.id}", headers=author.headers).json()
    assert (thread["title"], thread["body"]) == ("The original title", "The original body.")


@pytest.mark.parametrize(
    "payload",
    [{"body": ""}, {"body": "z" * 20_001}, {"body": "\x00"}, {"body": 1}, {}, {"body": "Fine", "deleted": True}],
    ids=["empty", "too-long", "nul", "number", "missing", "extra-field"],
)
def test_bad_comment_edit_is_refused_and_changes_nothing(
    client: TestClient, database: Database, author: Author, payload: dict
) -> None:
    before = stored(database, author)

    response = client.patch(f"/api/v1/comments/{author.comment.id}", json=payload, headers=author.headers)

    assert_clear_api_error(response, 422)
    assert stored(database, author) == before


# --- the API: what is at the limits is accepted, and stored as normalised ---------------------

ACCEPTED_THREADS = {
    "title-5-characters": (thread_with(title="abcde"), "abcde", VALID_THREAD["body"]),
    "title-150-characters": (thread_with(title="t" * 150), "t" * 150, VALID_THREAD["body"]),
    "title-150-emoji": (thread_with(title="🙂" * 150), "🙂" * 150, VALID_THREAD["body"]),
    "title-150-after-nfc": (thread_with(title="e\u0301" * 150), "\u00e9" * 150, VALID_THREAD["body"]),
    "title-trimmed": (thread_with(title="  \t A padded title \t "), "A padded title", VALID_THREAD["body"]),
    "body-20000-characters": (thread_with(body="b" * 20_000), VALID_THREAD["title"], "b" * 20_000),
    "body-trailing-space-trimmed": (thread_with(body="b" * 20_000 + " " * 150), VALID_THREAD["title"], "b" * 20_000),
    "body-crlf-becomes-lf": (thread_with(body="one\r\ntwo\r\n"), VALID_THREAD["title"], "one\ntwo"),
    "body-tab-kept": (thread_with(body="\tindented"), VALID_THREAD["title"], "\tindented"),
}


@pytest.mark.parametrize(("payload", "title", "body"), list(ACCEPTED_THREADS.values()), ids=list(ACCEPTED_THREADS))
def test_input_at_the_limits_is_accepted_and_read_back_normalised(
    client: TestClient, author: Author, payload: dict, title: str, body: str
) -> None:
    response = client.post("/api/v1/threads", json=payload, headers=author.headers)

    assert response.status_code == 201, response.text
    assert (response.json()["title"], response.json()["body"]) == (title, body)
    read_back = client.get(f"/api/v1/threads/{response.json()['id']}", headers=author.headers).json()
    assert (read_back["title"], read_back["body"]) == (title, body)


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [("title", "x" * 151, 150), ("body", "x" * 20_001, 20_000)],
    ids=["title", "body"],
)
def test_message_names_the_real_limit(client: TestClient, author: Author, field: str, value: str, limit: int) -> None:
    detail = assert_clear_api_error(
        client.post("/api/v1/threads", json=thread_with(**{field: value}), headers=author.headers), 422
    )
    assert f"at most {limit} characters" in detail[0]["msg"]


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [("title", "x" * 400, 150), ("body", "x" * 20_400, 20_000)],
    ids=["title", "body"],
)
def test_message_names_the_real_limit_for_far_too_long_text(
    client: TestClient, author: Author, field: str, value: str, limit: int
) -> None:
    detail = assert_clear_api_error(
        client.post("/api/v1/threads", json=thread_with(**{field: value}), headers=author.headers), 422
    )
    assert f"at most {limit} characters" in detail[0]["msg"]


@pytest.mark.parametrize("field", ["title", "body"])
def test_c1_control_characters_are_refused(client: TestClient, database: Database, author: Author, field: str) -> None:
    before = stored(database, author)
    value = {"title": "Hello \x9b31m there", "body": "Some \x9b2J details"}[field]

    response = client.post("/api/v1/threads", json=thread_with(**{field: value}), headers=author.headers)

    assert_clear_api_error(response, 422)
    assert stored(database, author) == before


# --- the API: accounts ------------------------------------------------------------------------

VALID_JOIN = {"email": "new.member@example.org", "password": "a long enough password", "display_name": "New Member"}


def join_with(**changes: object) -> dict[str, object]:
    return {**VALID_JOIN, **changes}


BAD_JOINS = {
    "email-not-an-address": (join_with(email="not-an-email"), "email"),
    "email-no-domain-dot": (join_with(email="someone@localhost"), "email"),
    "email-no-local-part": (join_with(email="@example.org"), "email"),
    "email-two-at-signs": (join_with(email="two@@example.org"), "email"),
    "email-space": (join_with(email="some one@example.org"), "email"),
    "email-empty": (join_with(email=""), "email"),
    "email-too-long": (join_with(email="a" * 300 + "@example.org"), "email"),
    "email-nul": (join_with(email="new\x00member@example.org"), "email"),
    "email-number": (join_with(email=12), "email"),
    "password-9-characters": (join_with(password="123456789"), "password"),
    "password-empty": (join_with(password=""), "password"),
    "password-257-characters": (join_with(password="p" * 257), "password"),
    "password-number": (join_with(password=1234567890123), "password"),
    "display-name-empty": (join_with(display_name=""), "display_name"),
    "display-name-one-character": (join_with(display_name="A"), "display_name"),
    "display-name-one-once-trimmed": (join_with(display_name="  A  "), "display_name"),
    "display-name-61-characters": (join_with(display_name="n" * 61), "display_name"),
    "display-name-nul": (join_with(display_name="New\x00Member"), "display_name"),
    "display-name-line-break": (join_with(display_name="New\nMember"), "display_name"),
    "display-name-escape": (join_with(display_name="New \x1b[5mMember"), "display_name"),
    "credentials-121-characters": (join_with(credentials="c" * 121), "credentials"),
    "credentials-nul": (join_with(credentials="LMT\x00"), "credentials"),
    "extra-role": (join_with(role="admin"), "role"),
    "extra-id": (join_with(id=1), "id"),
    "missing-email": ({k: v for k, v in VALID_JOIN.items() if k != "email"}, "email"),
    "missing-password": ({k: v for k, v in VALID_JOIN.items() if k != "password"}, "password"),
    "missing-display-name": ({k: v for k, v in VALID_JOIN.items() if k != "display_name"}, "display_name"),
}


@pytest.mark.parametrize(("payload", "field"), list(BAD_JOINS.values()), ids=list(BAD_JOINS))
def test_bad_registration_is_refused_and_not_stored(
    client: TestClient, database: Database, author: Author, payload: dict, field: str
) -> None:
    before = stored(database, author)

    response = client.post("/api/v1/auth/register", json=payload)

    detail = assert_clear_api_error(response, 422)
    assert field in problem_fields(detail)
    assert stored(database, author) == before
    password = payload.get("password")
    if isinstance(password, str) and password:
        assert password not in response.text  # the answer never repeats a password


@pytest.mark.parametrize(
    "email",
    ["{email}", "{upper}", " {email} "],
    ids=["same", "other-case", "surrounding-space"],
)
def test_taken_email_is_a_409_with_a_clear_detail(
    client: TestClient, database: Database, author: Author, email: str
) -> None:
    taken = email.format(email=author.member.email, upper=author.member.email.upper())
    before = stored(database, author)

    response = client.post("/api/v1/auth/register", json=join_with(email=taken))

    detail = assert_clear_api_error(response, 409)
    assert isinstance(detail, str)
    assert "already exists" in detail
    assert stored(database, author) == before


@pytest.mark.parametrize(
    "changes",
    [{"password": "p" * 10}, {"password": "p" * 256}, {"display_name": "Al"}, {"display_name": "n" * 60}],
    ids=["password-10", "password-256", "display-name-2", "display-name-60"],
)
def test_registration_at_the_limits_is_accepted(client: TestClient, changes: dict) -> None:
    response = client.post("/api/v1/auth/register", json=join_with(**changes))
    assert response.status_code == 201, response.text


BAD_LOGINS = {
    "wrong-password": ({"email": "{email}", "password": "not the password"}, 401),
    "unknown-email": ({"email": "nobody@example.org", "password": PASSWORD}, 401),
    "missing-password": ({"email": "{email}"}, 422),
    "empty-password": ({"email": "{email}", "password": ""}, 422),
    "password-257-characters": ({"email": "{email}", "password": "p" * 257}, 422),
    "email-255-characters": ({"email": "e" * 255, "password": PASSWORD}, 422),
    "email-number": ({"email": 5, "password": PASSWORD}, 422),
    "extra-field": ({"email": "{email}", "password": PASSWORD, "remember": True}, 422),
    "email-nul": ({"email": "x\x00{email}", "password": PASSWORD}, 422),
}


@pytest.mark.parametrize(("payload", "status"), list(BAD_LOGINS.values()), ids=list(BAD_LOGINS))
def test_bad_login_gets_no_token(
    client: TestClient, database: Database, author: Author, payload: dict, status: int
) -> None:
    payload = {k: v.format(email=author.member.email) if isinstance(v, str) else v for k, v in payload.items()}
    before = stored(database, author)

    response = client.post("/api/v1/auth/token", json=payload)

    assert_clear_api_error(response, status)
    assert "access_token" not in response.json()
    assert stored(database, author) == before


# --- ids in addresses -----------------------------------------------------------------------

BAD_IDS = ["99999999999999999999", "2147483648", "0", "-1", "abc", "1.5", "1e3", "0x10"]
API_ID_ROUTES = {
    "get-thread": ("GET", "/api/v1/threads/{id}", None),
    "thread-comments": ("GET", "/api/v1/threads/{id}/comments", None),
    "edit-thread": ("PATCH", "/api/v1/threads/{id}", {"title": "A perfectly good title"}),
    "delete-thread": ("DELETE", "/api/v1/threads/{id}", None),
    "add-comment": ("POST", "/api/v1/threads/{id}/comments", {"body": "A reply"}),
    "edit-comment": ("PATCH", "/api/v1/comments/{id}", {"body": "A reply"}),
    "delete-comment": ("DELETE", "/api/v1/comments/{id}", None),
    "thread-revisions": ("GET", "/api/v1/threads/{id}/revisions", None),
}


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("route", list(API_ID_ROUTES.values()), ids=list(API_ID_ROUTES))
def test_api_refuses_ids_that_are_not_ids(
    client: TestClient, database: Database, author: Author, route: tuple, bad_id: str
) -> None:
    method, path, body = route
    before = stored(database, author)

    response = client.request(method, path.format(id=bad_id), json=body, headers=author.headers)

    detail = assert_clear_api_error(response, 422)
    assert {tuple(problem["loc"][:1]) for problem in detail} == {("path",)}
    assert stored(database, author) == before


@pytest.mark.parametrize("route", list(API_ID_ROUTES.values()), ids=list(API_ID_ROUTES))
def test_api_answers_404_for_the_largest_id(client: TestClient, author: Author, route: tuple) -> None:
    method, path, body = route
    response = client.request(method, path.format(id=2**31 - 1), json=body, headers=author.headers)
    assert_clear_api_error(response, 404)


PAGE_ID_ROUTES = ["/threads/{id}", "/threads/{id}/edit", "/comments/{id}", "/comments/{id}/edit", "/members/{id}"]


@pytest.mark.parametrize("bad_id", ["99999999999999999999", "0", "-1", "abc"])
@pytest.mark.parametrize("path", PAGE_ID_ROUTES)
def test_pages_refuse_ids_that_are_not_ids_for_visitors(client: TestClient, path: str, bad_id: str) -> None:
    response = client.get(path.format(id=bad_id))
    assert response.status_code == 422
    assert "not valid" in response.text


@pytest.mark.parametrize("bad_id", ["99999999999999999999", "abc"])
@pytest.mark.parametrize("path", PAGE_ID_ROUTES)
def test_pages_refuse_ids_that_are_not_ids_for_members(
    client: TestClient, factory: Factory, path: str, bad_id: str
) -> None:
    factory.login(client, factory.member())
    response = client.get(path.format(id=bad_id))
    assert response.status_code == 422


@pytest.mark.parametrize("bad_id", ["99999999999999999999", "0", "abc"])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/threads/{id}/comments", {"body": "A reply"}),
        ("/threads/{id}/edit", {"title": "A perfectly good title", "body": "Body"}),
        ("/threads/{id}/delete", {}),
        ("/comments/{id}/edit", {"body": "A reply"}),
        ("/comments/{id}/delete", {}),
    ],
)
def test_forms_posted_to_ids_that_are_not_ids_are_refused(
    client: TestClient, database: Database, author: Author, path: str, data: dict, bad_id: str
) -> None:
    """From a visitor's browser: the id is checked before who is asking ."""
    before = stored(database, author)
    response = post_form(client, path.format(id=bad_id), data)
    assert response.status_code == 422
    assert stored(database, author) == before


# --- cursors, limits and order --------------------------------------------------------------

BAD_CURSORS = {
    "garbage": "!!!not a cursor!!!",
    "percent-signs": "%%%%",
    "one-character": "A",
    "not-utf-8": base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    "json-object": cursor_of({"id": 1}),
    "json-string": cursor_of("2024-01-01T00:00:00+00:00"),
    "json-null": cursor_of(None),
    "empty-list": cursor_of([]),
    "too-many-parts": cursor_of(["2024-01-01T00:00:00+00:00", 1, 2]),
    "words": cursor_of(["yesterday", "one"]),
    "naive-datetime": cursor_of(["2024-01-01T00:00:00", 1]),
    "bool-id": cursor_of([True]),
    "float-id": cursor_of([1.5]),
    "negative-id": cursor_of([-1]),
    "id-too-large": cursor_of([2**31]),
    "id-far-too-large": cursor_of(["2024-01-01T00:00:00+00:00", 2**70]),
    "nested-lists": cursor_of([[[[]]]]),
    "201-characters": "A" * 201,
    "10000-characters": "A" * 10_000,
}
API_CURSOR_ROUTES = ["/api/v1/threads", "/api/v1/threads/{thread_id}/comments"]
PAGE_CURSOR_ROUTES = [
    ("/", "cursor"),
    ("/threads/{thread_id}", "cursor"),
    ("/members/{member_id}", "threads_cursor"),
    ("/members/{member_id}", "comments_cursor"),
]


@pytest.mark.parametrize("cursor", list(BAD_CURSORS.values()), ids=list(BAD_CURSORS))
@pytest.mark.parametrize("path", API_CURSOR_ROUTES)
def test_api_refuses_bad_cursors(client: TestClient, author: Author, path: str, cursor: str) -> None:
    response = client.get(path.format(thread_id=author.thread.id), params={"cursor": cursor}, headers=author.headers)
    assert_clear_api_error(response, 400, 422)


@pytest.mark.parametrize("cursor", list(BAD_CURSORS.values()), ids=list(BAD_CURSORS))
@pytest.mark.parametrize(("path", "parameter"), PAGE_CURSOR_ROUTES)
def test_pages_refuse_bad_cursors(client: TestClient, factory: Factory, path: str, parameter: str, cursor: str) -> None:
    member = factory.member()
    thread = factory.thread(member, audience="public")
    response = client.get(path.format(thread_id=thread.id, member_id=member.id), params={parameter: cursor})
    assert response.status_code in (400, 422)
    assert "not valid" in response.text


def test_pages_refuse_bad_cursors_for_members(client: TestClient, factory: Factory) -> None:
    factory.login(client, factory.member())
    assert client.get("/", params={"cursor": "!!!not a cursor!!!"}).status_code == 400


EDGE_OF_CALENDAR = {
    "year-1-east-of-utc": cursor_of(["0001-01-01T00:00:00+01:00", 1]),
    "year-9999-west-of-utc": cursor_of(["9999-12-31T23:59:59-01:00", 1]),
}


@pytest.mark.parametrize("cursor", list(EDGE_OF_CALENDAR.values()), ids=list(EDGE_OF_CALENDAR))
@pytest.mark.parametrize("path", ["/api/v1/threads", "/"])
def test_cursors_at_the_edge_of_the_calendar_are_refused(client: TestClient, path: str, cursor: str) -> None:
    response = client.get(path, params={"cursor": cursor})
    assert response.status_code == 400


@pytest.mark.parametrize("limit", ["0", "101", "-1", "x", "1.5", "", "99999999999999999999"])
@pytest.mark.parametrize("path", API_CURSOR_ROUTES)
def test_api_refuses_bad_limits(client: TestClient, author: Author, path: str, limit: str) -> None:
    response = client.get(path.format(thread_id=author.thread.id), params={"limit": limit}, headers=author.headers)
    detail = assert_clear_api_error(response, 422)
    assert problem_fields(detail) == {"limit"}


@pytest.mark.parametrize("limit", ["1", "100"])
@pytest.mark.parametrize("path", API_CURSOR_ROUTES)
def test_api_accepts_limits_at_the_bounds(client: TestClient, author: Author, path: str, limit: str) -> None:
    response = client.get(path.format(thread_id=author.thread.id), params={"limit": limit}, headers=author.headers)
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


@pytest.mark.parametrize("order", ["sideways", "", "OLDEST", "newest;drop", "oldest "])
def test_bad_comment_order_is_refused(client: TestClient, factory: Factory, author: Author, order: str) -> None:
    api = client.get(f"/api/v1/threads/{author.thread.id}/comments", params={"order": order}, headers=author.headers)
    assert problem_fields(assert_clear_api_error(api, 422)) == {"order"}
    public = factory.thread(author.member, audience="public")
    page = client.get(f"/threads/{public.id}", params={"order": order})
    assert page.status_code == 422


# --- page forms ---------------------------------------------------------------------------


class FormPage(HTMLParser):
    """The fields of a page's forms (by id) with their attributes and current value, and error messages."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, dict[str, str]] = {}
        self.values: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self._collecting: tuple[dict[str, str], str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("input", "textarea") and "id" in values:
            self.fields[values["id"]] = values
            self.values[values["id"]] = values.get("value", "")
            if tag == "textarea":
                self._collecting = (self.values, values["id"])
        elif tag == "p" and values.get("id", "").endswith("-error"):
            self.errors[values["id"].removesuffix("-error")] = ""
            self._collecting = (self.errors, values["id"].removesuffix("-error"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("textarea", "p"):
            self._collecting = None

    def handle_data(self, data: str) -> None:
        if self._collecting is not None:
            target, key = self._collecting
            target[key] += data


@dataclass(frozen=True)
class BadForm:
    """A form filled in wrongly: which field is wrong, what it should say, what must be shown again."""

    path: str
    data: dict[str, str]
    field: str
    message: str
    kept: tuple[str, ...]
    status: int = 422
    logged_in: bool = True


JOIN = {"display_name": "New Member", "email": "new.member@example.org", "password": PASSWORD, "credentials": "LMT"}
JOIN_KEPT = ("display_name", "email", "credentials")
THREAD = {
    "title": "A reasonable question",
    "body": "Some details about it.",
    "audience": "members",
    "tags": "boundaries",
}
PROFILE = {"display_name": "Renamed Member", "credentials": "LMT, 5 years"}

BAD_FORMS = {
    "join-display-name-short": BadForm(
        "/join", {**JOIN, "display_name": "A"}, "display_name", "at least 2 characters", JOIN_KEPT, logged_in=False
    ),
    "join-display-name-nul": BadForm(
        "/join", {**JOIN, "display_name": "Ann\x00"}, "display_name", "control characters", JOIN_KEPT, logged_in=False
    ),
    "join-display-name-long": BadForm(
        "/join", {**JOIN, "display_name": "n" * 61}, "display_name", "at most 60 characters", JOIN_KEPT, logged_in=False
    ),
    "join-email-invalid": BadForm(
        "/join", {**JOIN, "email": "not-an-email"}, "email", "not a valid email address", JOIN_KEPT, logged_in=False
    ),
    "join-email-empty": BadForm(
        "/join", {**JOIN, "email": ""}, "email", "not a valid email address", JOIN_KEPT, logged_in=False
    ),
    "join-password-short": BadForm(
        "/join", {**JOIN, "password": "tiny-pw"}, "password", "at least 10 characters", JOIN_KEPT, logged_in=False
    ),
    "join-password-long": BadForm(
        "/join", {**JOIN, "password": "p" * 257}, "password", "at most 256 characters", JOIN_KEPT, logged_in=False
    ),
    "join-credentials-long": BadForm(
        "/join", {**JOIN, "credentials": "c" * 121}, "credentials", "at most 120 characters", JOIN_KEPT, logged_in=False
    ),
    "join-email-taken": BadForm(
        "/join", {**JOIN, "email": "{email}"}, "email", "already exists", JOIN_KEPT, status=409, logged_in=False
    ),
    "thread-title-short": BadForm("/threads", {**THREAD, "title": "Hey"}, "title", "at least 5", ("title", "body")),
    "thread-title-blank": BadForm("/threads", {**THREAD, "title": "    "}, "title", "at least 5", ("title", "body")),
    "thread-title-long": BadForm(
        "/threads", {**THREAD, "title": "t" * 151}, "title", "at most 150 characters", ("title", "body")
    ),
    "thread-title-nul": BadForm(
        "/threads", {**THREAD, "title": "Hello\x00 there"}, "title", "control characters", ("title", "body")
    ),
    "thread-title-line-break": BadForm(
        "/threads", {**THREAD, "title": "Hello\r\nthere"}, "title", "line breaks", ("body",)
    ),
    "thread-body-blank": BadForm("/threads", {**THREAD, "body": " \r\n "}, "body", "must not be blank", ("title",)),
    "thread-body-long": BadForm(
        "/threads", {**THREAD, "body": "b" * 20_001}, "body", "at most 20000 characters", ("title", "body")
    ),
    "thread-body-control": BadForm(
        "/threads", {**THREAD, "body": "Some \x1b[2J details"}, "body", "control characters", ("title", "body")
    ),
    "edit-thread-title-short": BadForm(
        "/threads/{thread_id}/edit", {**THREAD, "title": "Hey"}, "title", "at least 5", ("title", "body")
    ),
    "edit-thread-body-blank": BadForm(
        "/threads/{thread_id}/edit", {**THREAD, "body": ""}, "body", "must not be blank", ("title",)
    ),
    "comment-blank": BadForm("/threads/{thread_id}/comments", {"body": "   "}, "body", "must not be blank", ()),
    "comment-nul": BadForm(
        "/threads/{thread_id}/comments", {"body": "A\x00reply"}, "body", "control characters", ("body",)
    ),
    "comment-long": BadForm(
        "/threads/{thread_id}/comments", {"body": "c" * 20_001}, "body", "at most 20000 characters", ("body",)
    ),
    "edit-comment-blank": BadForm("/comments/{comment_id}/edit", {"body": ""}, "body", "must not be blank", ()),
    "edit-comment-control": BadForm(
        "/comments/{comment_id}/edit", {"body": "A\x07reply"}, "body", "control characters", ("body",)
    ),
    "profile-display-name-short": BadForm(
        "/account/profile",
        {**PROFILE, "display_name": "A"},
        "display_name",
        "at least 2",
        ("display_name", "credentials"),
    ),
    "profile-display-name-nul": BadForm(
        "/account/profile",
        {**PROFILE, "display_name": "Ann\x00"},
        "display_name",
        "control characters",
        ("display_name", "credentials"),
    ),
    "profile-display-name-long": BadForm(
        "/account/profile",
        {**PROFILE, "display_name": "n" * 61},
        "display_name",
        "at most 60",
        ("display_name", "credentials"),
    ),
    "profile-credentials-long": BadForm(
        "/account/profile",
        {**PROFILE, "credentials": "c" * 121},
        "credentials",
        "at most 120",
        ("display_name", "credentials"),
    ),
    "password-new-short": BadForm(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "tiny-pw"},
        "new_password",
        "at least 10 characters",
        (),
    ),
    "password-new-long": BadForm(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "p" * 257},
        "new_password",
        "at most 256 characters",
        (),
    ),
    "password-current-wrong": BadForm(
        "/account/password",
        {"current_password": "not the password", "new_password": "a brand new passphrase"},
        "current_password",
        "not your current password",
        (),
    ),
}


@pytest.mark.parametrize("form", list(BAD_FORMS.values()), ids=list(BAD_FORMS))
def test_bad_form_is_shown_again_with_the_message_by_the_field(
    client: TestClient, database: Database, factory: Factory, author: Author, form: BadForm
) -> None:
    if form.logged_in:
        factory.login(client, author.member)
    names = {"thread_id": author.thread.id, "comment_id": author.comment.id, "email": author.member.email}
    path = form.path.format(**names)
    data = {name: value.format(**names) for name, value in form.data.items()}
    before = stored(database, author)

    response = post_form(client, path, data)

    assert response.status_code == form.status, response.text
    assert "forum_session" not in response.cookies
    page = FormPage(response.text)
    assert form.message in page.errors[form.field]
    assert page.fields[form.field]["aria-invalid"] == "true"
    assert f"{form.field}-error" in page.fields[form.field]["aria-describedby"].split()
    for name in form.kept:
        assert page.values[name] == data[name], name
    for name in ("password", "current_password", "new_password"):
        if name in data:
            assert page.values.get(name, "") == ""
            assert data[name] not in response.text
    assert stored(database, author) == before


def test_bad_audience_is_shown_again_with_the_message(
    client: TestClient, database: Database, factory: Factory, author: Author
) -> None:
    factory.login(client, author.member)
    before = stored(database, author)

    response = post_form(client, "/threads", {**THREAD, "audience": "everyone"})

    assert response.status_code == 422
    page = FormPage(response.text)
    assert page.errors["audience"].startswith("Audience")
    assert (page.values["title"], page.values["body"]) == (THREAD["title"], THREAD["body"])
    assert stored(database, author) == before


@pytest.mark.parametrize(
    ("path", "data", "field", "limit"),
    [
        ("/threads", {**THREAD, "title": "t" * 400}, "title", 150),
        ("/threads", {**THREAD, "body": "b" * 20_400}, "body", 20_000),
        ("/account/profile", {**PROFILE, "display_name": "n" * 300}, "display_name", 60),
    ],
    ids=["title", "body", "display-name"],
)
def test_form_message_names_the_real_limit_for_far_too_long_text(
    client: TestClient, factory: Factory, author: Author, path: str, data: dict, field: str, limit: int
) -> None:
    factory.login(client, author.member)
    response = post_form(client, path, data)
    assert response.status_code == 422
    assert f"at most {limit} characters" in FormPage(response.text).errors[field]


def test_c1_control_characters_in_a_display_name_are_refused(
    client: TestClient, database: Database, factory: Factory, author: Author
) -> None:
    factory.login(client, author.member)
    before = stored(database, author)
    response = post_form(client, "/account/profile", {**PROFILE, "display_name": "Renamed \x9b5m Member"})
    assert response.status_code == 422
    assert stored(database, author) == before


LOGIN_FAILURES = {
    "wrong-password": {"email": "{email}", "password": "not the password"},
    "unknown-email": {"email": "nobody@example.org", "password": PASSWORD},
    "empty-email": {"email": "", "password": PASSWORD},
    "empty-password": {"email": "{email}", "password": ""},
    "email-255-characters": {"email": "e" * 255, "password": PASSWORD},
    "password-257-characters": {"email": "{email}", "password": "p" * 257},
    "email-nul": {"email": "x\x00{email}", "password": PASSWORD},
}


@pytest.mark.parametrize("data", list(LOGIN_FAILURES.values()), ids=list(LOGIN_FAILURES))
def test_failed_login_shows_the_form_again(client: TestClient, database: Database, author: Author, data: dict) -> None:
    data = {name: value.format(email=author.member.email) for name, value in data.items()}
    before = stored(database, author)

    response = post_form(client, "/login", {**data, "next": "/"})

    assert response.status_code == 401
    assert "forum_session" not in response.cookies
    assert "do not match an account" in response.text
    page = FormPage(response.text)
    assert page.fields["email"]["aria-invalid"] == "true"
    assert page.fields["password"]["aria-invalid"] == "true"
    assert page.values["email"] == data["email"]
    assert page.values.get("password", "") == ""
    assert stored(database, author) == before


def test_a_file_where_text_is_expected_is_refused(
    client: TestClient, database: Database, factory: Factory, author: Author
) -> None:
    factory.login(client, author.member)
    before = stored(database, author)

    response = client.post(
        "/threads",
        data={"csrf_token": form_token(client), "body": "Some details"},
        files={"title": ("title.txt", b"A title sent as a file", "text/plain")},
    )

    assert response.status_code == 422
    assert stored(database, author) == before


# --- the Big List of Naughty Strings ------------------------------------------------------------

NAUGHTY = json.loads((Path(__file__).parent / "data" / "naughty_strings.json").read_text(encoding="utf-8"))
NAUGHTY_STRINGS = [entry["string"] for entry in NAUGHTY]
NAUGHTY_IDS = [f"blns-{entry['index']}" for entry in NAUGHTY]


def normalised(schema: type, field: str, **values: object) -> str | None:
    """What the API's own validation makes of a value, or None when it refuses it."""
    try:
        return getattr(schema.model_validate(values), field)
    except ValidationError:
        return None


@pytest.mark.parametrize("text", NAUGHTY_STRINGS, ids=NAUGHTY_IDS)
def test_naughty_comment_body_is_stored_as_validated_or_refused(
    client: TestClient, database: Database, author: Author, text: str
) -> None:
    expected = normalised(CommentCreate, "body", body=text)
    before = stored(database, author)

    response = client.post(f"/api/v1/threads/{author.thread.id}/comments", json={"body": text}, headers=author.headers)

    if expected is None:
        assert_clear_api_error(response, 422)
        assert stored(database, author) == before
        return
    assert response.status_code == 201, response.text
    assert response.json()["body"] == expected
    comments = client.get(f"/api/v1/threads/{author.thread.id}/comments", headers=author.headers).json()["items"]
    assert comments[-1]["id"] == response.json()["id"]
    assert comments[-1]["body"] == expected
    assert comments[-1]["body_html"] == response.json()["body_html"]


@pytest.mark.parametrize("text", NAUGHTY_STRINGS, ids=NAUGHTY_IDS)
def test_naughty_thread_title_is_stored_as_validated_or_refused(
    client: TestClient, database: Database, author: Author, text: str
) -> None:
    expected = normalised(ThreadCreate, "title", title=text, body="Body", tags=["boundaries"])
    before = stored(database, author)

    response = client.post(
        "/api/v1/threads", json={"title": text, "body": "Body", "tags": ["boundaries"]}, headers=author.headers
    )

    if expected is None:
        assert_clear_api_error(response, 422)
        assert stored(database, author) == before
        return
    assert response.status_code == 201, response.text
    assert response.json()["title"] == expected
    read_back = client.get(f"/api/v1/threads/{response.json()['id']}", headers=author.headers)
    assert read_back.json()["title"] == expected
    listed = client.get("/api/v1/threads", headers=author.headers).json()["items"]
    assert expected in [thread["title"] for thread in listed]


def test_naughty_strings_cover_both_outcomes() -> None:
    """The sample keeps strings the API takes and strings it refuses, for titles and for bodies."""
    titles = [
        normalised(ThreadCreate, "title", title=text, body="Body", tags=["boundaries"]) for text in NAUGHTY_STRINGS
    ]
    bodies = [normalised(CommentCreate, "body", body=text) for text in NAUGHTY_STRINGS]
    assert 30 <= len(NAUGHTY_STRINGS) <= 60
    for outcomes in (titles, bodies):
        assert any(value is None for value in outcomes)
        assert sum(value is not None for value in outcomes) >= 20


@pytest.mark.parametrize(
    ("path", "answered"),
    [
        ("/api/v1/threads", {"GET", "POST"}),
        ("/threads/new", {"GET"}),
        ("/api/v1/threads/1", {"GET", "PATCH", "DELETE"}),
    ],
)
def test_a_method_the_path_does_not_answer_is_a_405_naming_those_it_does(client, path: str, answered: set) -> None:
    response = client.put(path)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == answered
