"""Sessions and API tokens: listed on the account page and by the API, ended one by one or all
but this one, named tokens shown once, a fresh session at each login, and idle expiry.

A member can end only their own sessions: anyone else's answers 404 as if it did not exist.
"""

import re
from datetime import timedelta

from sqlmodel import col, select, update

from forum.accounts import auth
from forum.accounts.models import AuthSession
from forum.db import Database
from forum.kit.time import utcnow
from tests.factories import PASSWORD, form_token, post_form

API = "/api/v1/auth"
END_BUTTON = re.compile(r'action="/account/sessions/(\d+)/end"')


def named_token(client, member, name: str) -> str:
    response = client.post(f"{API}/token", json={"email": member.email, "password": PASSWORD, "name": name})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def session_rows(database: Database, member_id: int) -> list[AuthSession]:
    with database.session() as session:
        rows = list(session.exec(select(AuthSession).where(AuthSession.member_id == member_id)))
        session.expunge_all()
        return rows


# --- the account page ---------------------------------------------------------------------


def test_the_account_page_lists_live_sessions_and_tokens_and_marks_this_one(make_client, factory) -> None:
    member = factory.member()
    laptop, phone = make_client(), make_client()
    factory.login(laptop, member)
    factory.login(phone, member)
    token = named_token(laptop, member, "Reading app on my phone")
    ended = named_token(laptop, member, "Old script")
    laptop.delete(f"{API}/token", headers=bearer(ended))

    page = laptop.get("/account").text
    assert page.count("(this session)") == 1
    assert page.count("<td>Browser session") == 2
    assert "API token “Reading app on my phone”" in page
    assert "Old script" not in page  # ended tokens are not listed
    assert token not in page
    assert len(END_BUTTON.findall(page)) == 2  # the phone and the token; this session has Log out


def test_a_member_ends_another_of_their_sessions_from_the_page(make_client, factory) -> None:
    member = factory.member()
    laptop, phone = make_client(), make_client()
    factory.login(laptop, member)
    factory.login(phone, member)
    [phone_session] = END_BUTTON.findall(laptop.get("/account").text)
    response = post_form(laptop, f"/account/sessions/{phone_session}/end")
    assert response.status_code == 303
    assert "That session or token has been ended" in laptop.get(response.headers["location"]).text
    assert phone.get("/account").status_code == 303
    assert laptop.get("/account").status_code == 200


def test_end_all_other_sessions_keeps_only_this_one(make_client, factory) -> None:
    member = factory.member()
    laptop, phone = make_client(), make_client()
    factory.login(laptop, member)
    factory.login(phone, member)
    headers = factory.headers(member)
    response = post_form(laptop, "/account/sessions/end-others")
    assert response.status_code == 303
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 303
    assert laptop.get("/api/v1/me", headers=headers).status_code == 401


def test_nobody_ends_another_members_session(make_client, factory) -> None:
    owner, intruder = factory.member(), factory.member()
    owners_browser, intruders_browser = make_client(), make_client()
    factory.login(owners_browser, owner)
    factory.login(intruders_browser, intruder)
    owners_token = named_token(owners_browser, owner, "Owner's script")
    owners_ids = [row.id for row in session_rows(factory.database, owner.id)]

    for session_id in owners_ids:
        page = post_form(intruders_browser, f"/account/sessions/{session_id}/end")
        assert page.status_code == 404
        api = intruders_browser.delete(f"{API}/sessions/{session_id}", headers=factory.headers(intruder))
        assert api.status_code == 404
    never_was = intruders_browser.delete(f"{API}/sessions/{max(owners_ids) + 1000}", headers=factory.headers(intruder))
    assert never_was.json() == api.json()  # the same answer as for a session that exists

    assert owners_browser.get("/account").status_code == 200
    assert owners_browser.get("/api/v1/me", headers=bearer(owners_token)).status_code == 200


def test_a_named_token_is_shown_once_and_works(client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    response = post_form(client, "/account/tokens", {"name": "Weekly digest script"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "it will not be shown again" in response.text
    token = re.search(r'id="token" type="text" value="([^"]+)"', response.text).group(1)
    assert client.get("/api/v1/me", headers=bearer(token)).json()["id"] == member.id
    account = client.get("/account").text
    assert "API token “Weekly digest script”" in account
    assert token not in account


def test_a_token_needs_a_name_of_reasonable_length(client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    blank = post_form(client, "/account/tokens", {"name": "   "})
    assert blank.status_code == 422
    assert "Token name must not be blank" in blank.text
    long = post_form(client, "/account/tokens", {"name": "x" * 81})
    assert long.status_code == 422
    assert "at most 80 characters" in long.text
    assert len(session_rows(factory.database, member.id)) == 1  # only the browser session


def test_the_session_pages_need_a_login(client) -> None:
    assert post_form(client, "/account/sessions/1/end").status_code == 303
    assert post_form(client, "/account/tokens", {"name": "x"}).headers["location"].startswith("/login")


# --- the API --------------------------------------------------------------------------------


def test_the_api_lists_the_callers_sessions_without_secrets(client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    token = named_token(client, member, "CLI")
    default = named_token(client, member, "ignored")  # replaced below by one without a name
    client.delete(f"{API}/token", headers=bearer(default))
    unnamed = client.post(f"{API}/token", json={"email": member.email, "password": PASSWORD}).json()["access_token"]
    factory.headers(factory.member())  # another member's token is never listed

    response = client.get(f"{API}/sessions", headers=bearer(token))
    assert response.status_code == 200
    sessions = response.json()
    assert {(s["kind"], s["name"], s["current"]) for s in sessions} == {
        ("browser", "", False),
        ("api", "CLI", True),
        ("api", "API token", False),
    }
    for entry in sessions:
        assert set(entry) == {"id", "kind", "name", "created_at", "last_used_at", "expires_at", "current"}
    assert token not in response.text and unnamed not in response.text


def test_the_api_ends_one_of_the_callers_sessions(client, factory) -> None:
    member = factory.member()
    keeper, spare = named_token(client, member, "keeper"), named_token(client, member, "spare")
    [spare_id] = [s["id"] for s in client.get(f"{API}/sessions", headers=bearer(keeper)).json() if s["name"] == "spare"]
    assert client.delete(f"{API}/sessions/{spare_id}", headers=bearer(keeper)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(spare)).status_code == 401
    assert client.delete(f"{API}/sessions/{spare_id}", headers=bearer(keeper)).status_code == 404  # already ended
    assert client.get("/api/v1/me", headers=bearer(keeper)).status_code == 200
    assert client.delete(f"{API}/sessions/{spare_id}").status_code == 401
    assert client.delete(f"{API}/sessions/0", headers=bearer(keeper)).status_code == 422


def test_a_token_name_is_checked(client, factory) -> None:
    member = factory.member()
    too_long = client.post(f"{API}/token", json={"email": member.email, "password": PASSWORD, "name": "x" * 81})
    assert too_long.status_code == 422
    blank = client.post(f"{API}/token", json={"email": member.email, "password": PASSWORD, "name": " "})
    assert blank.status_code == 422


# --- rotation and expiry --------------------------------------------------------------------


def test_the_session_before_login_is_not_valid_after(client, make_client, factory) -> None:
    member = factory.member()
    factory.login(client, member)
    before = client.cookies["forum_session"]
    factory.login(client, member)  # logging in again, in the same browser
    assert client.cookies["forum_session"] != before
    copy = make_client()
    copy.cookies.set("forum_session", before)
    assert copy.get("/account").status_code == 303
    made_up = make_client()  # a cookie planted before login (session fixation) is never adopted
    made_up.cookies.set("forum_session", "planted-by-someone-else")
    data = {"csrf_token": form_token(made_up, "/login"), "email": member.email, "password": PASSWORD}
    logged_in = made_up.post("/login", data=data)
    assert logged_in.status_code == 303
    assert logged_in.cookies["forum_session"] != "planted-by-someone-else"


def test_an_idle_session_expires_and_one_in_use_is_extended(make_client, factory, database) -> None:
    member = factory.member()
    idle, busy = make_client(), make_client()
    factory.login(idle, member)
    factory.login(busy, member)
    headers = factory.headers(member)
    idle_id, busy_id, token_id = (row.id for row in sorted(session_rows(database, member.id), key=lambda r: r.id))
    now = utcnow()
    with database.session(write=True) as session:
        session.execute(
            update(AuthSession)
            .where(col(AuthSession.id).in_([idle_id, token_id]))
            .values(expires_at=now - timedelta(seconds=1))
        )
        session.execute(
            update(AuthSession)
            .where(col(AuthSession.id) == busy_id)
            .values(last_used_at=now - auth.TOUCH_INTERVAL, expires_at=now + timedelta(minutes=5))
        )
    assert idle.get("/account").status_code == 303
    assert idle.get("/api/v1/me", headers=headers).status_code == 401
    assert busy.get("/account").status_code == 200
    [busy_row] = [row for row in session_rows(database, member.id) if row.id == busy_id]
    assert busy_row.expires_at > now + timedelta(days=1)
