"""Rate limits on the accounts routes: logging in (pages and API), joining, asking for a password reset.

What this file proves: past the allowance the answer is 429 with Retry-After, and a page shows the
refusal in its form; wrong passwords past the free ones make the next try wait, and each lockout is
longer than the one before; logging in forgets the account's wrong passwords; a wrong password is
kept even though the attempt was refused (the routes answer instead of raising, which would roll it
back); the password-reset limit answers the same for an unknown address.
"""

from datetime import timedelta

import pytest
from sqlmodel import update

from forum.kit.time import utcnow
from forum.limits.models import RateLimit
from tests.factories import PASSWORD, post_form

TOKEN = "/api/v1/auth/token"
WRONG = "not the password at all"


def try_token(world, email: str, password: str):
    return world.client.post(TOKEN, json={"email": email, "password": password})


def let_time_pass(database, seconds: int) -> None:
    """Move every counter's last attempt back, as if ``seconds`` had gone by."""
    with database.session(write=True) as session:
        session.execute(update(RateLimit).values(last_hit_at=utcnow() - timedelta(seconds=seconds)))


@pytest.fixture
def strict(build_mail_app):
    """Two free wrong passwords, then a 30-second wait that doubles; generous limits otherwise."""
    world = build_mail_app(login_failures_before_backoff=2, login_backoff_seconds=30, login_attempts_per_hour=1000)
    world.member = world.factory.member()
    return world


def test_wrong_passwords_lock_the_account_for_longer_each_time(strict, database) -> None:
    email = strict.member.email
    assert [try_token(strict, email, WRONG).status_code for _ in range(2)] == [401, 401]
    first = try_token(strict, email, PASSWORD)  # even the right password waits now
    assert first.status_code == 429
    assert "wait" in first.json()["detail"]
    first_wait = int(first.headers["Retry-After"])
    assert 0 < first_wait <= 30

    let_time_pass(database, 31)
    assert try_token(strict, email, WRONG).status_code == 401
    second = try_token(strict, email, PASSWORD)
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > first_wait

    let_time_pass(database, 61)
    assert try_token(strict, email, PASSWORD).status_code == 200


def test_the_login_page_keeps_wrong_passwords_and_shows_the_wait_in_the_form(strict) -> None:
    email = strict.member.email
    for _ in range(2):
        assert post_form(strict.client, "/login", {"email": email, "password": WRONG}).status_code == 401
    refused = post_form(strict.client, "/login", {"email": email, "password": PASSWORD})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many wrong passwords" in refused.text
    assert 'action="/login"' in refused.text  # the form, with the message, not an error page
    assert f'value="{email}"' in refused.text


def test_logging_in_forgets_the_accounts_wrong_passwords(strict) -> None:
    email = strict.member.email
    assert try_token(strict, email, WRONG).status_code == 401
    assert try_token(strict, email, PASSWORD).status_code == 200
    assert try_token(strict, email, WRONG).status_code == 401
    assert try_token(strict, email, PASSWORD).status_code == 200  # 1 failure counted, not 2


def test_too_many_logins_for_one_email_get_429(build_mail_app) -> None:
    world = build_mail_app(login_attempts_per_hour=2)
    member = world.factory.member()
    assert [try_token(world, member.email, PASSWORD).status_code for _ in range(2)] == [200, 200]
    refused = try_token(world, member.email, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    page = post_form(world.client, "/login", {"email": member.email, "password": PASSWORD})
    assert page.status_code == 429
    assert "Too many login attempts" in page.text


def test_joining_is_limited_per_address(build_mail_app) -> None:
    world = build_mail_app(joins_per_hour=1, address_limit_factor=1)
    form = {"display_name": "First Joiner", "email": "first@example.org", "password": "a long enough password"}
    assert post_form(world.client, "/join", form).status_code == 303
    world.client.cookies.clear()  # someone else, from the same address
    second = post_form(world.client, "/join", {**form, "display_name": "Second Joiner", "email": "second@example.org"})
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > 0
    assert "Too many accounts have been opened from here" in second.text
    assert 'value="Second Joiner"' in second.text  # what was typed is kept
    api = world.client.post(
        "/api/v1/auth/register",
        json={"email": "third@example.org", "password": "a long enough password", "display_name": "Third"},
    )
    assert api.status_code == 429
    assert "Retry-After" in api.headers


def test_asking_the_api_whether_emails_are_taken_is_limited_too(build_mail_app) -> None:
    """Each 409 says an email is a member's, so a refused join counts like an accepted one."""
    world = build_mail_app(joins_per_hour=2, address_limit_factor=1)
    member = world.factory.member()
    join = {"email": member.email, "password": "a long enough password", "display_name": "Curious"}
    answers = [world.client.post("/api/v1/auth/register", json=join).status_code for _ in range(3)]
    assert answers == [409, 409, 429]


def test_password_reset_requests_are_limited_alike_for_known_and_unknown_addresses(build_mail_app) -> None:
    world = build_mail_app(password_resets_per_hour=1, address_limit_factor=100)
    member = world.factory.member()
    for email in (member.email, "nobody@example.org"):
        reset = "/api/v1/auth/password-reset"
        assert world.client.post(reset, json={"email": email}).status_code == 202
        refused = world.client.post(reset, json={"email": email})
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        page = post_form(world.client, "/password-reset", {"email": email})
        assert page.status_code == 429
        assert "Too many password reset requests" in page.text
        assert 'action="/password-reset"' in page.text
