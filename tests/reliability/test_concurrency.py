"""Concurrency without loss: 32 clients comment on one thread at once against a real two-worker server.

Runs on SQLite, and on PostgreSQL when FORUM_TEST_DATABASE_URL is set. Every answer must be a
201 or a deliberate 429/503 with Retry-After (never a 500, never "database is locked"), every
acknowledged comment must be stored exactly once, and the thread's count must match.
"""

import os
from pathlib import Path

from tests.reliability.server import (
    check_nothing_lost,
    comments_streaming,
    running_server,
    seed_scene,
    server_env,
    stored_comments,
)

CLIENTS = 32
# The issue asks for 10 s; the suite runs 5 s to stay quick. FORUM_LOAD_SECONDS=10 for the full run.
LOAD_SECONDS = float(os.environ.get("FORUM_LOAD_SECONDS", "5"))


def test_32_clients_commenting_on_one_thread_lose_nothing(fresh_database: str, tmp_path: Path, report_figures) -> None:
    scene = seed_scene(fresh_database, tmp_path / "data", writers=CLIENTS)
    env = server_env(fresh_database, tmp_path / "data")
    with running_server(env, tmp_path / "server.log", workers=2) as server:
        with comments_streaming(server.base_url, scene) as (record, stop):
            stop.wait(LOAD_SECONDS)  # the load lasts this long; the writers stop when the block ends
        log_tail = server.log_tail()
    stored = stored_comments(fresh_database, scene.thread_id)
    report_figures(
        f"{CLIENTS} clients for {LOAD_SECONDS:g} s: {record.summary()}; "
        f"stored {sum(stored.bodies.values())}, thread comment_count {stored.comment_count}"
    )
    assert not record.unacceptable, f"{record.summary()}; e.g. {record.unacceptable[:3]}\n{log_tail}"
    assert not record.transport_errors, f"{record.summary()}; e.g. {record.transport_errors[:3]}\n{log_tail}"
    assert record.acknowledged, f"no comment was accepted: {record.summary()}\n{log_tail}"
    check_nothing_lost(record, stored)
