"""Rate limits hold across workers and restarts: the counts are in the database, not in a process.

A real two-worker server takes 16 comments at once from one member allowed 10 an hour: exactly
10 are stored, the rest answered 429 with Retry-After. After a restart the member is still held.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.reliability.server import running_server, seed_scene, server_env, stored_comments

ALLOWANCE = 10
ATTEMPTS = 16


def _post(base_url: str, token: str, thread_id: int, number: int) -> httpx.Response:
    # A client of its own per request: a new connection, which either worker may accept.
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        return client.post(f"/api/v1/threads/{thread_id}/comments", json={"body": f"Held to the limit, {number}"})


def test_a_members_allowance_holds_across_two_workers_and_a_restart(
    fresh_database: str, tmp_path: Path, report_figures
) -> None:
    scene = seed_scene(fresh_database, tmp_path / "data", writers=1)
    token = scene.tokens[0]
    env = server_env(fresh_database, tmp_path / "data", FORUM_COMMENTS_PER_HOUR=str(ALLOWANCE))
    with running_server(env, tmp_path / "first.log", workers=2) as server, ThreadPoolExecutor(ATTEMPTS) as pool:
        answers = list(pool.map(lambda n: _post(server.base_url, token, scene.thread_id, n), range(ATTEMPTS)))
    statuses = Counter(answer.status_code for answer in answers)
    refusals_say_when = all(a.headers.get("retry-after", "").isdigit() for a in answers if a.status_code == 429)
    with running_server(env, tmp_path / "second.log", workers=2) as server:
        after_restart = _post(server.base_url, token, scene.thread_id, ATTEMPTS)
    stored = stored_comments(fresh_database, scene.thread_id)
    report_figures(
        f"{ATTEMPTS} posts at once against an allowance of {ALLOWANCE}: {dict(statuses)}; "
        f"after a restart: {after_restart.status_code}; stored {sum(stored.bodies.values())}"
    )
    assert statuses == {201: ALLOWANCE, 429: ATTEMPTS - ALLOWANCE}
    assert refusals_say_when
    assert after_restart.status_code == 429
    assert sum(stored.bodies.values()) == stored.comment_count == ALLOWANCE
