"""Email through the outbox, delivered to a real SMTP server (aiosmtpd on 127.0.0.1).

What this file proves:

* a category chosen "by email" queues one email when a line appears (not for each reply that
  grows it), in the request that made the line; requests never talk SMTP, so a mail server
  that is down never fails or slows a request;
* the sender delivers queued emails to a real SMTP server and marks them sent; the message has
  the line, an absolute link and, for a public thread only, a short excerpt: a members-only
  post's words never leave the site;
* a server that refuses (nothing listening, or a 451 answer) loses nothing: the email stays
  pending with the error and a later attempt time, and is delivered once the server is back;
  after the last attempt it is given up; an email claimed by a sender that died is sent after
  the lease, one claimed by a live sender is left alone; a stale email is dropped;
* the daily digest gathers a member's unread lines in digest categories, once a day, and
  later only what is new or has grown;
* ``forum send-digest`` and ``forum send-mail`` do the same from the command line, and the app
  sends by itself in the background when SMTP is configured.
"""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select, update

from forum.app import create_app
from forum.db import Database, upgrade_to_head
from forum.kit.time import utcnow
from forum.notifications import mail
from forum.notifications import service as notifications_service
from forum.notifications.models import OutboxEmail
from tests import conftest
from tests.conftest import drop_postgres_schema, fresh_database_url, postgres_base_url
from tests.notifications.conftest import (
    API,
    SITE_URL,
    Inbox,
    comment,
    free_port,
    lines,
    ok,
    set_preferences,
    smtp_server,
    start_thread,
)

REFUSAL = "451 4.3.0 Mail server busy, try again later"


def outbox(database: Database) -> list[OutboxEmail]:
    with database.session() as session:
        rows = list(session.exec(select(OutboxEmail).order_by(col(OutboxEmail.id))))
        session.expunge_all()
        return rows


@pytest.fixture
def scene(build_mail_app):
    """A mail-enabled forum: Amara gets mentions and replies by email; Hector writes to her."""
    world = build_mail_app()
    amara = world.factory.member(display_name="Amara Okafor", email="amara@example.org")
    hector = world.factory.member(display_name="Hector Villanueva")
    world.amara, world.hector = world.factory.headers(amara), world.factory.headers(hector)
    set_preferences(world.client, world.amara, mentions="email", replies="email")
    return world


# --- queueing ------------------------------------------------------------------------------


def test_a_new_line_queues_one_email_and_a_growing_line_none(scene, database) -> None:
    thread = scene.factory.thread(scene.factory.member(), audience="public", title="Closing a practice kindly")
    comment(scene.client, scene.amara, thread.id, "I wrote to every client.")
    for _ in range(3):
        comment(scene.client, scene.hector, thread.id)
    [email] = outbox(database)
    assert (email.to_address, email.status, email.attempts) == ("amara@example.org", "pending", 0)
    assert email.subject == "Hector Villanueva replied in “Closing a practice kindly”"
    assert [line["count"] for line in lines(scene.client, scene.amara)] == [3]


def test_a_category_on_the_site_only_queues_no_email(scene, database) -> None:
    set_preferences(scene.client, scene.amara, replies="site")
    thread = scene.factory.thread(scene.factory.member())
    comment(scene.client, scene.amara, thread.id)
    comment(scene.client, scene.hector, thread.id)
    assert outbox(database) == []
    assert len(lines(scene.client, scene.amara)) == 1


def test_requests_never_talk_smtp_so_a_dead_server_fails_none(scene, database) -> None:
    """Nothing listens on the configured port: the request still succeeds, and the email waits."""
    thread = scene.factory.thread(scene.factory.member())
    comment(scene.client, scene.hector, thread.id, "@amara-okafor, what do you think?")
    [email] = outbox(database)
    assert (email.status, email.attempts, email.last_error) == ("pending", 0, "")


# --- sending -------------------------------------------------------------------------------


def test_the_sender_delivers_to_a_real_smtp_server(scene, database) -> None:
    thread = scene.factory.thread(scene.factory.member(), audience="public", title="Hugging clients goodbye")
    written = comment(scene.client, scene.hector, thread.id, "@amara-okafor, do you   hug your regulars?")
    with smtp_server(scene.port, Inbox()) as inbox:
        report = mail.send_pending(database, scene.settings)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [message] = inbox.messages
    assert inbox.recipients == [["amara@example.org"]]
    assert message["From"] == "forum@forum.example.org"
    assert message["Subject"] == "Hector Villanueva mentioned you in “Hugging clients goodbye”"
    [body] = inbox.bodies()
    assert "“@amara-okafor, do you hug your regulars?”" in body  # a public thread: a short excerpt
    assert f"{SITE_URL}/comments/{written['id']}" in body
    assert f"{SITE_URL}/notifications/preferences" in body
    [email] = outbox(database)
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    assert email.sent_at is not None


def test_a_members_only_posts_words_never_go_in_an_email(scene, database) -> None:
    thread = scene.factory.thread(scene.factory.member(), audience="members", title="A client asked me out")
    comment(scene.client, scene.hector, thread.id, "@amara-okafor the details of my client's situation")
    with smtp_server(scene.port, Inbox()) as inbox:
        mail.send_pending(database, scene.settings)
    [body] = inbox.bodies()
    assert "Hector Villanueva mentioned you in “A client asked me out”" in body
    assert "details" not in body and "situation" not in body


def test_a_dead_server_loses_nothing_and_delivery_resumes_when_it_is_back(scene, database) -> None:
    comment(scene.client, scene.hector, scene.factory.thread(scene.factory.member()).id, "Hello @amara-okafor.")
    now = utcnow()
    report = mail.send_pending(database, scene.settings, now=now)
    assert (report.sent, report.retrying) == (0, 1)
    [email] = outbox(database)
    assert (email.status, email.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in email.last_error
    assert email.next_attempt_at == now + mail.retry_wait(1)
    assert mail.send_pending(database, scene.settings, now=now) == mail.SendReport()  # not due yet

    with smtp_server(scene.port, Inbox()) as inbox:
        report = mail.send_pending(database, scene.settings, now=email.next_attempt_at)
    assert report.sent == 1
    assert len(inbox.messages) == 1
    assert outbox(database)[0].status == "sent"


def test_a_451_answer_keeps_the_email_until_the_server_accepts_it(scene, database) -> None:
    comment(scene.client, scene.hector, scene.factory.thread(scene.factory.member()).id, "Hello @amara-okafor.")
    now = utcnow()
    with smtp_server(scene.port, Inbox(refuse_with=REFUSAL)) as inbox:
        assert mail.send_pending(database, scene.settings, now=now).retrying == 1
        [email] = outbox(database)
        assert email.status == "pending" and "451" in email.last_error
        assert inbox.messages == []

        inbox.refuse_with = None
        assert mail.send_pending(database, scene.settings, now=email.next_attempt_at).sent == 1
    assert len(inbox.messages) == 1


def test_after_the_last_attempt_an_email_is_given_up(scene, database) -> None:
    comment(scene.client, scene.hector, scene.factory.thread(scene.factory.member()).id, "Hello @amara-okafor.")
    now = utcnow()
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        report = mail.send_pending(database, scene.settings, now=now)
        now += mail.retry_wait(attempt)
    assert (report.retrying, report.failed) == (0, 1)
    [email] = outbox(database)
    assert (email.status, email.attempts) == ("failed", mail.MAX_ATTEMPTS)
    assert mail.retry_wait(1) < mail.retry_wait(2) < mail.retry_wait(3) < mail.retry_wait(30) == mail.LONGEST_WAIT


def test_an_email_claimed_by_a_sender_that_died_is_sent_after_the_lease(scene, database) -> None:
    for _ in range(2):
        comment(scene.client, scene.hector, scene.factory.thread(scene.factory.member()).id, "Hello @amara-okafor.")
    now = utcnow()
    abandoned, in_hand = (email.id for email in outbox(database))
    with database.session(write=True) as session:
        for email_id, claimed_at in ((abandoned, now - mail.CLAIM_LEASE * 2), (in_hand, now)):
            session.execute(
                update(OutboxEmail)
                .where(col(OutboxEmail.id) == email_id)
                .values(status="sending", claimed_at=claimed_at, attempts=1)
            )
    with smtp_server(scene.port, Inbox()) as inbox:
        assert mail.send_pending(database, scene.settings, now=now).sent == 1
    assert len(inbox.messages) == 1
    assert {email.id: email.status for email in outbox(database)} == {abandoned: "sent", in_hand: "sending"}


def test_an_email_that_waited_too_long_is_dropped(scene, database) -> None:
    comment(scene.client, scene.hector, scene.factory.thread(scene.factory.member()).id, "Hello @amara-okafor.")
    with smtp_server(scene.port, Inbox()) as inbox:
        report = mail.send_pending(database, scene.settings, now=utcnow() + mail.MAX_AGE + timedelta(minutes=1))
    assert (report.sent, report.expired) == (0, 1)
    assert inbox.messages == []
    assert outbox(database)[0].status == "expired"


# --- the daily digest ----------------------------------------------------------------------


def _write_digests(database: Database, now=None) -> int:
    with database.session(write=True) as session:
        return notifications_service.write_digests(session, now=now)


def test_the_digest_gathers_unread_lines_once_a_day_then_only_news(scene, database) -> None:
    set_preferences(scene.client, scene.amara, replies="digest", mentions="email")
    first = scene.factory.thread(scene.factory.member(), title="Working from home safely")
    second = scene.factory.thread(scene.factory.member(), title="Insurance for mobile work")
    read = scene.factory.thread(scene.factory.member(), title="A thread already read")
    for thread in (first, second, read):
        comment(scene.client, scene.amara, thread.id)
    comment(scene.client, scene.hector, read.id)
    ok(scene.client.post(f"{API}/notifications/read", headers=scene.amara, json={"all": True}))
    for thread in (first, first, second):
        comment(scene.client, scene.hector, thread.id)
    assert outbox(database) == []  # a digest category sends nothing at once

    now = utcnow()
    assert _write_digests(database, now) == 1
    assert _write_digests(database, now + timedelta(hours=1)) == 0  # once a day
    with smtp_server(scene.port, Inbox()) as inbox:
        mail.send_pending(database, scene.settings, now=now)
    [message] = inbox.messages
    assert message["Subject"] == "Your daily summary: 2 notifications"
    [body] = inbox.bodies()
    assert "- Hector Villanueva replied in “Insurance for mobile work”" in body
    assert "- 2 new replies in “Working from home safely”" in body
    assert "A thread already read" not in body
    assert f"{SITE_URL}/notifications" in body

    comment(scene.client, scene.hector, first.id)
    tomorrow = now + timedelta(days=1)
    assert _write_digests(database, tomorrow) == 1
    with smtp_server(scene.port, Inbox()) as inbox:
        mail.send_pending(database, scene.settings, now=tomorrow)
    [body] = inbox.bodies()
    assert "- 3 new replies in “Working from home safely”" in body
    assert "Insurance for mobile work" not in body  # nothing new there since the last digest
    assert _write_digests(database, tomorrow + timedelta(days=1)) == 0  # nothing new at all


# --- the command line and the app's own sender -------------------------------------------


def _forum(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "forum.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def own_database(tmp_path: Path):
    """A database of its own (not the test transaction), for other processes and threads to use."""
    schema = f"{conftest.TEST_SCHEMA}_mail"
    url = fresh_database_url(tmp_path, schema)
    upgrade_to_head(url)
    database = Database(url)
    yield database
    database.dispose()
    if postgres_base_url():
        drop_postgres_schema(postgres_base_url(), schema)


def test_the_commands_queue_the_digest_and_send_the_outbox(own_database, tmp_path) -> None:
    port = free_port()
    settings = conftest.test_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_send_seconds=0
    )
    with TestClient(create_app(settings, own_database)) as client:
        lena = _join(client, "Lena Marsh", "lena@example.org")
        tessa = _join(client, "Tessa", "tessa@example.org")
        set_preferences(client, lena, replies="digest", mentions="email")
        thread = start_thread(client, lena, "Ending with a client")
        comment(client, tessa, thread["id"], "Gently, @lena-marsh.")
        comment(client, tessa, thread["id"], "And in writing.")
    env = {
        **os.environ,
        "FORUM_DATABASE_URL": own_database.url,
        "FORUM_DATA_DIR": str(tmp_path / "data"),
        "FORUM_SMTP_HOST": "127.0.0.1",
        "FORUM_SMTP_PORT": str(port),
        "FORUM_SMTP_STARTTLS": "false",
        "FORUM_SITE_URL": SITE_URL,
    }
    queued = _forum(env, "send-digest")
    assert queued.returncode == 0, queued.stderr
    assert "Queued 1 digest email" in queued.stdout

    refused = _forum(env, "send-mail")
    assert refused.returncode == 1
    assert "2 to try again later" in refused.stdout

    with own_database.session(write=True) as session:  # as if the retry time had come
        session.execute(update(OutboxEmail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    with smtp_server(port, Inbox()) as inbox:
        sent = _forum(env, "send-mail")
    assert sent.returncode == 0, sent.stderr
    assert "Sent 2;" in sent.stdout
    assert sorted(message["Subject"] for message in inbox.messages) == [
        "Tessa mentioned you in “Ending with a client”",
        "Your daily summary: 1 notification",
    ]


def test_the_commands_refuse_when_email_is_off(tmp_path) -> None:
    env = {**os.environ, "FORUM_DATA_DIR": str(tmp_path / "data")}
    env.pop("FORUM_SMTP_HOST", None)
    for command in ("send-mail", "send-digest"):
        result = _forum(env, command)
        assert result.returncode == 2
        assert "email is off" in result.stderr


def _join(client: TestClient, display_name: str, email: str) -> dict[str, str]:
    """Register through the API and return the new member's API headers."""
    password = "a long enough password"
    ok(
        client.post(f"{API}/auth/register", json={"email": email, "password": password, "display_name": display_name}),
        201,
    )
    token = ok(client.post(f"{API}/auth/token", json={"email": email, "password": password}))["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_app_sends_by_itself_when_smtp_is_configured(own_database, tmp_path) -> None:
    port = free_port()
    settings = conftest.test_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_send_seconds=0.05
    )
    with smtp_server(port, Inbox()) as inbox, TestClient(create_app(settings, own_database)) as client:
        june = _join(client, "June Nakamura", "june@example.org")
        gideon = _join(client, "Gideon Farrow", "gideon@example.org")
        set_preferences(client, june, mentions="email")
        start_thread(client, gideon, "Scope of practice", "A question for @june-nakamura.")
        assert inbox.arrived.wait(timeout=30), "the app's sender delivered nothing"
    assert [message["Subject"] for message in inbox.messages] == ["Gideon Farrow mentioned you in “Scope of practice”"]
