"""Joining, logging in and out, changing a password, through the HTML forms."""

import re

from tests.factories import PASSWORD, form_token, post_form


def _join(client, **fields: str):
    data = {
        "display_name": "Alex Rivera",
        "email": "alex@example.org",
        "password": "a long enough password",
        "credentials": "LMT, 3 years",
        "next": "/",
    }
    data.update(fields)
    return post_form(client, "/join", data)


def test_joining_logs_the_new_member_in(client) -> None:
    response = _join(client)
    assert response.status_code == 303
    assert "forum_session" in response.cookies
    home = client.get("/")
    assert "Alex Rivera" in home.text
    assert 'action="/logout"' in home.text


def test_join_refuses_a_taken_email_with_a_clear_message(client, factory) -> None:
    factory.member(email="taken@example.org")
    response = _join(client, email="Taken@Example.org")
    assert response.status_code == 409
    assert "already exists" in response.text
    assert 'value="Alex Rivera"' in response.text  # what was typed is kept


def test_join_explains_a_short_password_a_long_password_and_a_bad_email(client) -> None:
    short = _join(client, password="short")
    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    long = _join(client, password="x" * 257)
    assert long.status_code == 422
    assert "at most 256 characters" in long.text
    bad_email = _join(client, email="not-an-email")
    assert bad_email.status_code == 422
    assert "not a valid email address" in bad_email.text
    assert 'aria-invalid="true"' in bad_email.text


def test_session_cookie_is_http_only_and_same_site_lax(client, factory) -> None:
    member = factory.member()
    response = post_form(client, "/login", {"email": member.email, "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert re.search(r"forum_session=", cookie)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(make_client, factory) -> None:
    browser = make_client("https://testserver")
    member = factory.member()
    response = post_form(browser, "/login", {"email": member.email, "password": PASSWORD})
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, factory) -> None:
    member = factory.member()
    wrong_password = post_form(client, "/login", {"email": member.email, "password": "not the password"})
    unknown_email = post_form(client, "/login", {"email": "nobody@example.org", "password": PASSWORD})
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert "do not match an account" in wrong_password.text
    assert "forum_session" not in wrong_password.cookies


def test_login_returns_to_the_page_asked_for_but_never_off_site(client, factory) -> None:
    member = factory.member()
    back = post_form(client, "/login", {"email": member.email, "password": PASSWORD, "next": "/threads/7"})
    assert back.headers["location"] == "/threads/7"
    other = factory.member()
    off_site = post_form(client, "/login", {"email": other.email, "password": PASSWORD, "next": "//evil.example.com/"})
    assert off_site.headers["location"] == "/"


def test_logging_in_again_replaces_the_session(client, make_client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    first = client.cookies["forum_session"]
    factory.login(client, member)
    assert client.cookies["forum_session"] != first
    stolen = make_client()  # someone holding a copy of the first cookie
    stolen.cookies.set("forum_session", first)
    assert stolen.get("/account").status_code == 303


def test_logout_ends_the_session_on_the_server(client, make_client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    token = client.cookies["forum_session"]
    response = post_form(client, "/logout")
    assert response.status_code == 303
    stolen = make_client()  # a copy of the cookie kept by someone else
    stolen.cookies.set("forum_session", token)
    assert stolen.get("/account").status_code == 303


def test_password_change_ends_every_other_session_and_token(make_client, factory) -> None:
    member = factory.member()
    laptop, phone = make_client(), make_client()
    factory.login(laptop, member)
    factory.login(phone, member)
    headers = factory.headers(member)

    response = post_form(
        laptop, "/account/password", {"current_password": PASSWORD, "new_password": "a brand new password"}
    )
    assert response.status_code == 303
    assert "password is changed" in laptop.get(response.headers["location"]).text

    assert laptop.get("/account").status_code == 200  # this session goes on
    assert phone.get("/account").status_code == 303  # the other one was ended
    assert laptop.get("/api/v1/me", headers=headers).status_code == 401
    assert (
        laptop.post("/api/v1/auth/token", json={"email": member.email, "password": "a brand new password"}).status_code
        == 200
    )


def test_password_change_needs_the_current_password(client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    response = post_form(
        client, "/account/password", {"current_password": "wrong password", "new_password": "a brand new password"}
    )
    assert response.status_code == 422
    assert "not your current password" in response.text


def test_profile_shows_name_credentials_join_date_and_posts(client, factory) -> None:
    member = factory.member(display_name="Dana Okoye", credentials="LMT, 22 years in practice")
    thread = factory.thread(member, title="Trading sessions with a colleague", audience="public")
    page = client.get(f"/members/{member.id}")
    assert page.status_code == 200
    for text in ("Dana Okoye", "LMT, 22 years in practice", "Member since", thread.title):
        assert text in page.text


def test_member_edits_their_profile(client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    response = post_form(client, "/account/profile", {"display_name": "New Name", "credentials": "CMT"})
    assert response.status_code == 303
    assert "New Name" in client.get(response.headers["location"]).text  # the header shows it at once
    page = client.get(f"/members/{member.id}")
    assert "New Name" in page.text
    assert "CMT" in page.text


def test_account_page_needs_login(client) -> None:
    response = client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


def test_join_page_form_carries_a_csrf_token(client) -> None:
    assert len(form_token(client, "/join")) == 64
