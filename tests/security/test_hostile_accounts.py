"""Every payload as a display name and as credentials (joining through the API or the form, and
editing a profile), as an email at login, and a sample as passwords.

A name and credentials are plain text shown on many pages; each must read back exactly as
``TextRule`` says it is stored, show as text where it is shown, and leave every page inert.
"""

import itertools
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.factories import form_token
from tests.security.conftest import Person
from tests.security.hostile import (
    CREDENTIALS,
    DISPLAY_NAME,
    ODD_HALF,
    PASSWORD_LIMIT,
    Problems,
    field_values,
    names_field,
    page_problems,
    parse,
    refused_form_problems,
    texts_of,
)

# Each payload joins through one of these, in turn: the API, the join form, or a profile edit.
ACCOUNT_DOORS = ("api", "join form", "profile form")
PASSWORD = "a calm long passphrase"
# One in this many payloads long enough to be a password also joins with it as one (joining hashes).
PASSWORD_STRIDE = 4
_emails = itertools.count(1)


def new_email() -> str:
    return f"hostile{next(_emails)}@example.org"


def expected_account(text: str) -> tuple[str, str] | None:
    """Name and credentials as stored when both are ``text``, or None when the pair must be refused."""
    name, credentials = DISPLAY_NAME.stored(text), CREDENTIALS.stored(text)
    return None if name is None or credentials is None else (name, credentials)


def check_profile_page(
    problems: Problems, where: str, browser: TestClient, member_id: int, name: str, credentials: str
) -> None:
    response = browser.get(f"/members/{member_id}")
    if response.status_code != 200:
        problems.add(where, f"profile page answered {response.status_code}")
        return
    problems.extend(f"{where} profile page", page_problems(response.text))
    page = parse(response.text)
    if texts_of(page, "h1") != [name]:
        problems.add(where, f"profile heading shows {texts_of(page, 'h1')!r}, stored {name!r}")
    if not texts_of(page, "title")[0].startswith(name):
        problems.add(where, f"page title shows {texts_of(page, 'title')!r}")
    if texts_of(page, "p", "credentials") != ([credentials] if credentials else []):
        problems.add(where, f"credentials show as {texts_of(page, 'p', 'credentials')!r}, stored {credentials!r}")


def check_account_form(problems: Problems, where: str, response, name: str, credentials: str) -> None:
    """The account page holds what is stored, as the values of its fields."""
    if response.status_code != 200:
        problems.add(where, f"account page answered {response.status_code}")
        return
    problems.extend(f"{where} account page", page_problems(response.text))
    values = field_values(parse(response.text))
    if (values.get("display_name"), values.get("credentials")) != (name, credentials):
        problems.add(where, f"account form holds {values.get('display_name')!r}, {values.get('credentials')!r}")


def check_form_refusal(problems: Problems, where: str, response, typed: dict[str, str]) -> None:
    refused = [
        name
        for name, rule in (("display_name", DISPLAY_NAME), ("credentials", CREDENTIALS))
        if rule.stored(typed[name]) is None
    ]
    problems.extend(where, refused_form_problems(response, typed, refused))


def join_via_api(problems: Problems, where: str, web: TestClient, viewer: Person, typed: dict[str, str]) -> None:
    """Join through the API; read the name back from its answer, and both fields from the profile page."""
    expected = expected_account(typed["display_name"])
    response = web.post("/api/v1/auth/register", json={**typed, "email": new_email(), "password": PASSWORD})
    if expected is None:
        if response.status_code != 422 or not any(names_field(response.json()["detail"], name) for name in typed):
            problems.add(where, f"answered {response.status_code}, expected a 422 naming the field")
    elif response.status_code != 201 or response.json()["display_name"] != expected[0]:
        problems.add(where, f"answered {response.status_code}: {response.text[:300]}")
    else:
        check_profile_page(problems, where, viewer.browser, response.json()["id"], *expected)


def join_via_form(problems: Problems, where: str, browser: TestClient, token: str, typed: dict[str, str]) -> None:
    """Join through the form in ``browser``; the new member's account form then holds both fields."""
    expected = expected_account(typed["display_name"])
    browser.cookies.delete("forum_session")  # join as nobody, each time
    response = browser.post("/join", data={"csrf_token": token, **typed, "email": new_email(), "password": PASSWORD})
    if expected is None:
        check_form_refusal(problems, where, response, typed)
    elif response.status_code != 303:
        problems.add(where, f"answered {response.status_code}: {response.text[:300]}")
    else:
        check_account_form(problems, where, browser.get("/account"), *expected)


def edit_profile(problems: Problems, where: str, web: TestClient, editor: Person, typed: dict[str, str]) -> None:
    """Change a profile through the account form; the API and the account form then hold both fields."""
    expected = expected_account(typed["display_name"])
    response = editor.submit("/account/profile", typed)
    if expected is None:
        check_form_refusal(problems, where, response, typed)
    elif response.status_code != 303:
        problems.add(where, f"answered {response.status_code}: {response.text[:300]}")
    else:
        me = web.get("/api/v1/me", headers=editor.headers).json()
        if (me["display_name"], me["credentials"]) != expected:
            problems.add(where, f"read back as {me['display_name']!r}, {me['credentials']!r}")
        check_account_form(problems, where, editor.browser.get("/account"), *expected)


def test_names_and_credentials_are_stored_exactly_or_refused_clearly(
    person: Callable[..., Person], web: TestClient
) -> None:
    """Each payload is both the name and the credentials, through one door in turn."""
    problems = Problems()
    editor = person()
    join_token = form_token(web, "/join")
    for index, payload in enumerate(ODD_HALF):
        door = ACCOUNT_DOORS[index % len(ACCOUNT_DOORS)]
        where = f"{payload.origin} as name and credentials via {door}"
        typed = {"display_name": payload.text, "credentials": payload.text}
        if door == "api":
            join_via_api(problems, where, web, editor, typed)
        elif door == "join form":
            join_via_form(problems, where, web, join_token, typed)
        else:
            edit_profile(problems, where, web, editor, typed)
    problems.assert_none()


def test_emails_typed_at_login_are_refused_clearly_and_shown_back_as_text(web: TestClient) -> None:
    """No such account: the API says 401 or 422, the form comes back with the address as typed."""
    problems = Problems()
    login_token = form_token(web, "/login")
    for index, payload in enumerate(ODD_HALF):
        attempt = {"email": payload.text, "password": "not the password"}
        if index % 2 == 0:
            response = web.post("/api/v1/auth/token", json=attempt)
            if response.status_code not in (401, 422, 429) or not response.json().get("detail"):
                problems.add(payload.origin, f"API login answered {response.status_code}")
            continue
        response = web.post("/login", data={"csrf_token": login_token, **attempt})
        if response.status_code not in (401, 429):
            problems.add(payload.origin, f"login form answered {response.status_code}")
            continue
        problems.extend(f"{payload.origin} login page", page_problems(response.text))
        if field_values(parse(response.text)).get("email") != payload.text:
            problems.add(payload.origin, "the login form does not hold the email as typed")
    problems.assert_none()


def test_payloads_work_as_passwords_exactly_as_typed(web: TestClient) -> None:
    """A password is never normalised: the exact characters typed at joining log in; trimmed, they do not."""
    problems = Problems()
    candidates = [p for p in ODD_HALF if 10 <= len(p.text) <= PASSWORD_LIMIT]
    for payload in candidates[::PASSWORD_STRIDE]:
        email = new_email()
        joined = web.post(
            "/api/v1/auth/register", json={"email": email, "password": payload.text, "display_name": "Pass Word"}
        )
        if joined.status_code != 201:
            problems.add(payload.origin, f"joining with it as a password answered {joined.status_code}")
            continue
        right = web.post("/api/v1/auth/token", json={"email": email, "password": payload.text})
        if right.status_code != 200:
            problems.add(payload.origin, f"logging in with it answered {right.status_code}")
        # Wrong attempts are few on purpose: each one slows this address's next logins down.
        trimmed = payload.text.strip()
        if trimmed != payload.text and len(trimmed) >= 1:
            wrong = web.post("/api/v1/auth/token", json={"email": email, "password": trimmed})
            if wrong.status_code != 401:
                problems.add(payload.origin, f"logging in with it trimmed answered {wrong.status_code}")
    problems.assert_none()
