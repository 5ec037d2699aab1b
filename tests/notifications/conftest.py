"""Fixtures for the notifications tests: API helpers, and a real SMTP server on loopback.

The SMTP server is aiosmtpd's, listening on 127.0.0.1 on a free port; its handler keeps
every message it accepts, or answers with a temporary failure (451) when told to.
"""

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from forum.app import create_app
from forum.config import Settings
from forum.db import Database
from tests import conftest
from tests.factories import Factory

API = "/api/v1"
SITE_URL = "https://forum.example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it accepts, or refuses everything with ``refuse_with``."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    refuse_with: str | None = None
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:  # noqa: N802 - aiosmtpd's name
        if self.refuse_with:
            return self.refuse_with
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[attr-defined,arg-type]
        self.recipients.append(list(envelope.rcpt_tos))  # type: ignore[attr-defined]
        self.arrived.set()
        return "250 Message accepted for delivery"

    def bodies(self) -> list[str]:
        return [message.get_body(("plain",)).get_content() for message in self.messages]  # type: ignore[union-attr]


@contextmanager
def smtp_server(port: int, inbox: Inbox) -> Iterator[Inbox]:
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class MailWorld:
    """An app configured to send email through ``port``, with a client and a factory on the test database."""

    settings: Settings
    client: TestClient
    factory: Factory
    port: int


@pytest.fixture
def build_mail_app(database: Database, tmp_path: Path) -> Iterator[Callable[..., MailWorld]]:
    clients: list[TestClient] = []

    def build(port: int | None = None, **overrides: object) -> MailWorld:
        port = port or free_port()
        values: dict[str, object] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "smtp_from": "forum@forum.example.org",
            "site_url": SITE_URL,
            "mail_send_seconds": 0,
            **overrides,
        }
        settings = conftest.test_settings(tmp_path, **values)
        app = create_app(settings, database)
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        return MailWorld(settings, client, Factory(database, app), port)

    yield build
    for client in clients:
        client.close()


# --- API helpers -------------------------------------------------------------------------


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def comment(client: TestClient, headers: dict, thread_id: int, body: str = "A thoughtful reply.", **extra) -> dict:
    return ok(client.post(f"{API}/threads/{thread_id}/comments", headers=headers, json={"body": body, **extra}), 201)


def start_thread(client: TestClient, headers: dict, title: str, body: str = "What would you do?", **extra) -> dict:
    payload = {"title": title, "body": body, "tags": ["boundaries"], **extra}
    return ok(client.post(f"{API}/threads", headers=headers, json=payload), 201)


def lines(client: TestClient, headers: dict) -> list[dict]:
    return ok(client.get(f"{API}/notifications", headers=headers))["items"]


def unread(client: TestClient, headers: dict) -> int:
    return ok(client.get(f"{API}/notifications/unread-count", headers=headers))["unread_count"]


def set_preferences(client: TestClient, headers: dict, **choices: str) -> dict:
    return ok(client.put(f"{API}/notifications/preferences", headers=headers, json=choices))


def moderate(client: TestClient, headers: dict, path: str, action: str, **extra) -> dict:
    body = {"action": action, "reason": "Checked against the community guidelines.", **extra}
    return ok(client.post(f"{API}/moderation/{path}/actions", headers=headers, json=body))
