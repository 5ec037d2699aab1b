"""Password reset by an emailed link, through the pages and the API, with a real SMTP server on loopback.

What this file proves: the email arrives with a link to this site; the link sets a new password once,
never twice, not after it expires, not after a newer link was asked for, and not for a banned member;
using it ends every session and token of the member; asking about an unknown address gets exactly the
same answer and sends nothing; neither the link nor the password ever reaches the forum's logs.
"""

import logging
import re
from datetime import timedelta

import pytest
from sqlmodel import col, select, update

from forum.accounts.models import Member, PasswordReset
from forum.db import Database
from forum.kit.time import utcnow
from forum.notifications import mail
from forum.notifications.models import OutboxEmail
from tests.factories import PASSWORD, post_form
from tests.notifications.conftest import SITE_URL, Inbox, smtp_server

API = "/api/v1/auth"
NEW_PASSWORD = "a new password nobody knows"
LINK = re.compile(re.escape(SITE_URL) + r"(/password-reset/[A-Za-z0-9_-]+)")


@pytest.fixture
def world(build_mail_app):
    world = build_mail_app()
    world.member = world.factory.member(display_name="Ines Duarte", email="ines@example.org")
    return world


def deliver(world, database: Database) -> list[str]:
    """Send the outbox to a real SMTP server; the reset links in what arrived, oldest first."""
    with smtp_server(world.port, Inbox()) as inbox:
        mail.send_pending(database, world.settings)
    return [path for body in inbox.bodies() for path in LINK.findall(body)]


def ask_on_the_page(world, email: str):
    return post_form(world.client, "/password-reset", {"email": email})


def log_in(client, email: str, password: str) -> int:
    return client.post(f"{API}/token", json={"email": email, "password": password}).status_code


def outbox_size(database: Database) -> int:
    with database.session() as session:
        return len(session.exec(select(OutboxEmail.id)).all())


def test_the_emailed_link_sets_a_new_password_once(world, database, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="forum")
    asked = ask_on_the_page(world, "Ines@Example.org ")
    assert asked.status_code == 303
    assert "we have emailed it a link" in world.client.get(asked.headers["location"]).text

    with smtp_server(world.port, Inbox()) as inbox:
        mail.send_pending(database, world.settings)
    [message] = inbox.messages
    assert inbox.recipients == [["ines@example.org"]]
    assert message["Subject"] == "Choose a new password"
    [link] = LINK.findall(inbox.bodies()[0])
    with database.session() as session:  # sent, so the outbox no longer keeps the secret
        assert session.exec(select(OutboxEmail.link_path)).all() == [""]

    form = world.client.get(link)
    assert form.status_code == 200
    assert f'action="{link}"' in form.text
    done = post_form(world.client, link, {"new_password": NEW_PASSWORD})
    assert done.status_code == 303
    assert done.headers["location"] == "/login?done=password-reset"
    assert "Your new password is set" in world.client.get(done.headers["location"]).text
    assert log_in(world.client, "ines@example.org", NEW_PASSWORD) == 200
    assert log_in(world.client, "ines@example.org", PASSWORD) == 401

    again = world.client.get(link)
    assert again.status_code == 400
    assert "does not work" in again.text
    assert post_form(world.client, link, {"new_password": "yet another password"}).status_code == 400
    assert log_in(world.client, "ines@example.org", NEW_PASSWORD) == 200

    secret = link.rsplit("/", 1)[1]
    forum_logs = [record.getMessage() for record in caplog.records if record.name.startswith("forum")]
    assert not [line for line in forum_logs if secret in line or NEW_PASSWORD in line]


def test_an_unknown_address_gets_the_same_answer_and_no_email(world, database) -> None:
    known, unknown = ask_on_the_page(world, world.member.email), ask_on_the_page(world, "nobody@example.org")
    assert (known.status_code, known.headers["location"]) == (unknown.status_code, unknown.headers["location"])
    api_known = world.client.post(f"{API}/password-reset", json={"email": world.member.email})
    api_unknown = world.client.post(f"{API}/password-reset", json={"email": "nobody@example.org"})
    assert api_known.status_code == api_unknown.status_code == 202
    assert api_known.json() == api_unknown.json()
    assert len(deliver(world, database)) == 2  # both for the member, none for the unknown address


def test_a_blank_address_is_asked_for_again(world, database) -> None:
    page = ask_on_the_page(world, "  ")
    assert page.status_code == 422
    assert "Email is not a valid email address" in page.text
    assert world.client.post(f"{API}/password-reset", json={}).status_code == 422
    assert outbox_size(database) == 0


def test_a_reset_ends_every_session_and_token_of_the_member(world, make_client, database) -> None:
    laptop, phone = make_client(), make_client()
    world.factory.login(laptop, world.member)
    world.factory.login(phone, world.member)
    headers = world.factory.headers(world.member)
    assert world.client.post(f"{API}/password-reset", json={"email": world.member.email}).status_code == 202
    [link] = deliver(world, database)

    confirmed = world.client.post(
        f"{API}/password-reset/confirm", json={"token": link.rsplit("/", 1)[1], "new_password": NEW_PASSWORD}
    )
    assert confirmed.status_code == 204
    assert laptop.get("/account").status_code == 303
    assert phone.get("/account").status_code == 303
    assert world.client.get("/api/v1/me", headers=headers).status_code == 401
    with database.session() as session:
        member = session.get(Member, world.member.id)
        assert member is not None and member.password_changed_at > world.member.password_changed_at


def test_the_api_refuses_a_used_token_and_a_short_password_keeps_the_link(world, database) -> None:
    world.client.post(f"{API}/password-reset", json={"email": world.member.email})
    [link] = deliver(world, database)
    token = link.rsplit("/", 1)[1]
    short = world.client.post(f"{API}/password-reset/confirm", json={"token": token, "new_password": "tiny pass"})
    assert short.status_code == 422
    assert "tiny pass" not in short.text  # the password is never echoed
    confirmed = world.client.post(f"{API}/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert confirmed.status_code == 204
    used = world.client.post(f"{API}/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert used.status_code == 400
    assert "does not work" in used.json()["detail"]
    made_up = world.client.post(
        f"{API}/password-reset/confirm", json={"token": "x" * 43, "new_password": NEW_PASSWORD}
    )
    assert made_up.status_code == 400


def test_an_expired_link_does_not_work(world, database) -> None:
    ask_on_the_page(world, world.member.email)
    [link] = deliver(world, database)
    with database.session(write=True) as session:
        session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert world.client.get(link).status_code == 400
    assert post_form(world.client, link, {"new_password": NEW_PASSWORD}).status_code == 400
    assert log_in(world.client, world.member.email, PASSWORD) == 200


def test_the_link_lasts_as_long_as_the_setting_says(build_mail_app, database) -> None:
    world = build_mail_app(password_reset_minutes=15)
    member = world.factory.member()
    before = utcnow()
    world.client.post(f"{API}/password-reset", json={"email": member.email})
    with database.session() as session:
        [reset] = session.exec(select(PasswordReset).where(PasswordReset.member_id == member.id)).all()
    assert timedelta(minutes=15) <= reset.expires_at - before < timedelta(minutes=16)
    assert len(reset.token_hash) == 64  # only the hash is kept


def test_asking_again_makes_the_older_link_unusable(world, database) -> None:
    ask_on_the_page(world, world.member.email)
    ask_on_the_page(world, world.member.email)
    older, newer = deliver(world, database)
    assert world.client.get(older).status_code == 400
    assert post_form(world.client, older, {"new_password": NEW_PASSWORD}).status_code == 400
    assert post_form(world.client, newer, {"new_password": NEW_PASSWORD}).status_code == 303


def test_a_banned_member_gets_no_link_and_an_earlier_link_stops_working(world, database) -> None:
    ask_on_the_page(world, world.member.email)
    with database.session(write=True) as session:
        session.execute(update(Member).where(col(Member.id) == world.member.id).values(banned_at=utcnow()))
    ask_on_the_page(world, world.member.email)
    [earlier] = deliver(world, database)  # nothing for the request made after the ban
    assert post_form(world.client, earlier, {"new_password": NEW_PASSWORD}).status_code == 400
    assert log_in(world.client, world.member.email, NEW_PASSWORD) == 401


def test_the_servers_access_log_never_holds_a_reset_secret(app, caplog) -> None:
    """uvicorn logs each request's path; the app (``app`` made it) hides the secret of a reset link."""
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    access = logging.getLogger("uvicorn.access")
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", "GET", "/password-reset/s3cr3t-Value?x=1", "1.1", 200)
    assert "s3cr3t" not in caplog.text
    assert '"GET /password-reset/…?x=1 HTTP/1.1" 200' in caplog.text


def test_a_reset_lifts_the_wait_wrong_passwords_imposed(build_mail_app, database) -> None:
    world = build_mail_app(login_failures_before_backoff=1, login_backoff_seconds=600)
    member = world.factory.member(email="kai@example.org")
    assert log_in(world.client, member.email, "not the password at all") == 401
    assert log_in(world.client, member.email, PASSWORD) == 429  # the back-off's message says: reset it
    ask_on_the_page(world, member.email)
    [link] = deliver(world, database)
    assert post_form(world.client, link, {"new_password": NEW_PASSWORD}).status_code == 303
    assert log_in(world.client, member.email, NEW_PASSWORD) == 200


def test_changing_the_password_spends_every_reset_link(world, database) -> None:
    ask_on_the_page(world, world.member.email)
    [link] = deliver(world, database)
    world.factory.login(world.client, world.member)
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert post_form(world.client, "/account/password", change).status_code == 303
    assert world.client.get(link).status_code == 400


def test_the_reset_form_is_never_stored_nor_its_address_passed_on(world, database) -> None:
    ask_on_the_page(world, world.member.email)
    [link] = deliver(world, database)
    form = world.client.get(link)
    assert form.status_code == 200
    assert form.headers["cache-control"] == "no-store"
    assert form.headers["referrer-policy"] == "no-referrer"
    assert world.client.get("/password-reset").headers["referrer-policy"] == "same-origin"


def test_a_forum_that_sends_no_email_says_so_instead_of_offering_a_link(client, database) -> None:
    """The suite's own app has no SMTP server: there is no link to send, so no form to fill in."""
    page = client.get("/password-reset")
    assert page.status_code == 200
    assert "This forum sends no email" in page.text
    assert 'action="/password-reset"' not in page.text
    refused = post_form(client, "/password-reset", {"email": "someone@example.org"})
    assert refused.status_code == 409
    assert "Ask one of its administrators" in refused.text
    api = client.post(f"{API}/password-reset", json={"email": "someone@example.org"})
    assert api.status_code == 409
    assert "sends no email" in api.json()["detail"]
    assert outbox_size(database) == 0
