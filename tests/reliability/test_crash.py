"""Crash safety: a server killed mid-write restarts with every acknowledged write; a database outage is survived.

The kill runs on the run's database (SQLite, or PostgreSQL with FORUM_TEST_DATABASE_URL); the
outage needs PostgreSQL, and is simulated with a proxy the test can cut, never by stopping the
shared server.
"""

import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from forum.db import sqlite_file
from tests.conftest import postgres_base_url
from tests.reliability.server import (
    REQUEST_SECONDS,
    check_nothing_lost,
    comments_streaming,
    is_deliberate_refusal,
    running_server,
    seed_scene,
    server_env,
    sqlite_integrity,
    stored_comments,
)

WRITERS = 8
ACKNOWLEDGED_BEFORE_KILL = 40
WAIT_SECONDS = 60


def test_a_server_killed_mid_write_restarts_with_every_acknowledged_comment(
    fresh_database: str, tmp_path: Path, report_figures
) -> None:
    scene = seed_scene(fresh_database, tmp_path / "data", writers=WRITERS)
    env = server_env(fresh_database, tmp_path / "data")
    with (
        running_server(env, tmp_path / "server.log", workers=2) as server,
        comments_streaming(server.base_url, scene) as (record, _stop),
    ):
        record.wait_until(lambda r: len(r.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL, timeout=WAIT_SECONDS)
        server.kill()
        # Every writer ends on the dead server's refused connection; what it was sending may or may not be stored.
        record.wait_until(lambda r: len(r.transport_errors) == WRITERS, timeout=REQUEST_SECONDS)
    assert not record.unacceptable, f"{record.summary()}; e.g. {record.unacceptable[:3]}"

    with running_server(env, tmp_path / "restarted.log", workers=2) as restarted:
        thread = httpx.get(f"{restarted.base_url}/api/v1/threads/{scene.thread_id}", timeout=REQUEST_SECONDS)
        assert thread.status_code == 200
        after = httpx.post(
            f"{restarted.base_url}/api/v1/threads/{scene.thread_id}/comments",
            json={"body": "Written after the restart."},
            headers={"Authorization": f"Bearer {scene.tokens[0]}"},
            timeout=REQUEST_SECONDS,
        )
        assert after.status_code == 201, after.text
    record.attempted.add("Written after the restart.")

    stored = stored_comments(fresh_database, scene.thread_id)
    database_file = sqlite_file(fresh_database)
    integrity = sqlite_integrity(database_file) if database_file else "not SQLite"
    report_figures(
        f"killed after {len(record.acknowledged)} acknowledged: {record.summary()}; "
        f"stored {sum(stored.bodies.values())}, thread comment_count {stored.comment_count}; integrity {integrity}"
    )
    if database_file is not None:
        assert integrity == "ok"
    assert thread.json()["comment_count"] >= len(record.acknowledged)
    check_nothing_lost(record, stored, acknowledged={*record.acknowledged, "Written after the restart."})


class CuttableProxy:
    """A TCP proxy from a free loopback port to PostgreSQL that the test can cut and restore.

    Cut, it drops every open connection and closes each new one at once, as a PostgreSQL that
    is restarting does; the real server, shared with other test runs, is never touched.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = threading.Event()
        self.open.set()
        self.closed = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:  # the listener was closed
                return
            if not self.open.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, client: socket.socket, server: socket.socket) -> None:
        """Carry bytes both ways until either side closes or the proxy is cut."""
        pair = {client: server, server: client}
        try:
            while True:
                readable, _, _ = select.select(list(pair), [], [], 1.0)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    pair[source].sendall(data)
        except (OSError, ValueError):  # cut: the sockets were closed under us
            return
        finally:
            self._drop(client, server)

    def _drop(self, *sockets: socket.socket) -> None:
        with self._lock:
            for sock in sockets:
                self._sockets.discard(sock)
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def cut(self) -> None:
        self.open.clear()
        with self._lock:
            dropped = list(self._sockets)
        self._drop(*dropped)

    def restore(self) -> None:
        self.open.set()

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        self.cut()
        self._acceptor.join(timeout=10)


@contextmanager
def cuttable_proxy(upstream: tuple[str, int]) -> Iterator[CuttableProxy]:
    proxy = CuttableProxy(upstream)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.mark.skipif(postgres_base_url() is None, reason="needs FORUM_TEST_DATABASE_URL (PostgreSQL)")
def test_a_postgresql_outage_fails_requests_cleanly_and_the_app_recovers_without_restart(
    fresh_database: str, tmp_path: Path, report_figures
) -> None:
    scene = seed_scene(fresh_database, tmp_path / "data", writers=WRITERS)
    direct = make_url(fresh_database)
    with cuttable_proxy((direct.host or "127.0.0.1", direct.port or 5432)) as proxy:
        through_proxy = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        env = server_env(through_proxy, tmp_path / "data")
        with running_server(env, tmp_path / "server.log", workers=2) as server:
            with comments_streaming(server.base_url, scene) as (record, _stop):
                record.wait_until(lambda r: len(r.acknowledged) >= 20, timeout=WAIT_SECONDS)
                proxy.cut()
                refused_before = record.statuses[503]
                record.wait_until(lambda r: r.statuses[503] >= refused_before + 20, timeout=WAIT_SECONDS)
                page = httpx.get(f"{server.base_url}/threads/{scene.thread_id}", timeout=REQUEST_SECONDS)
                api = httpx.get(f"{server.base_url}/api/v1/threads/{scene.thread_id}", timeout=REQUEST_SECONDS)
                proxy.restore()
                acknowledged_at_restore = len(record.acknowledged)
                record.wait_until(lambda r: len(r.acknowledged) >= acknowledged_at_restore + 20, timeout=WAIT_SECONDS)
            log_tail = server.log_tail()
    stored = stored_comments(fresh_database, scene.thread_id)
    report_figures(
        f"outage during load: {record.summary()}; "
        f"stored {sum(stored.bodies.values())}, thread comment_count {stored.comment_count}"
    )
    for refused in (page, api):
        assert is_deliberate_refusal(refused) and refused.status_code == 503, f"{refused.status_code} {refused.text}"
    assert "not answering" in page.text and "not answering" in api.json()["detail"]
    assert not record.unacceptable, f"{record.summary()}; e.g. {record.unacceptable[:3]}\n{log_tail}"
    assert not record.transport_errors, f"{record.summary()}; e.g. {record.transport_errors[:3]}\n{log_tail}"
    check_nothing_lost(record, stored)
