"""Backups: `forum backup` copies a live SQLite database under write load, `forum restore` brings it back whole."""

from pathlib import Path

import httpx
import pytest

from tests.reliability.server import (
    REQUEST_SECONDS,
    comments_streaming,
    forum_command,
    running_server,
    seed_scene,
    server_env,
    sqlite_integrity,
    stored_comments,
)

WRITERS = 8
WAIT_SECONDS = 60


def test_a_backup_taken_under_write_load_restores_every_comment_acknowledged_before_it(
    tmp_path: Path, report_figures
) -> None:
    database_url = f"sqlite:///{tmp_path / 'live' / 'forum.db'}"
    (tmp_path / "live").mkdir()
    scene = seed_scene(database_url, tmp_path / "live", writers=WRITERS)
    live_env = server_env(database_url, tmp_path / "live")
    backup_file = tmp_path / "forum-backup.db"
    with (
        running_server(live_env, tmp_path / "server.log", workers=2) as server,
        comments_streaming(server.base_url, scene) as (record, _stop),
    ):
        record.wait_until(lambda r: len(r.acknowledged) >= 30, timeout=WAIT_SECONDS)
        with record.changed:
            acknowledged_before = set(record.acknowledged)
        backed_up = forum_command(live_env, "backup", str(backup_file))
        acknowledged_at_end = len(record.acknowledged)
        # The writers carry on after the backup, so the copy is known to have been taken mid-stream.
        record.wait_until(lambda r: len(r.acknowledged) >= acknowledged_at_end + 10, timeout=WAIT_SECONDS)
    assert backed_up.returncode == 0, backed_up.stderr
    assert "integrity check ok" in backed_up.stdout
    assert not record.unacceptable, f"{record.summary()}; e.g. {record.unacceptable[:3]}"

    restored_dir = tmp_path / "restored"
    restored_env = server_env("", restored_dir)  # no URL: the SQLite file in the data directory
    restored = forum_command(restored_env, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    restored_file = restored_dir / "forum.db"
    assert sqlite_integrity(restored_file) == "ok"
    stored = stored_comments(f"sqlite:///{restored_file}", scene.thread_id)
    with running_server(restored_env, tmp_path / "restored.log") as restored_server:
        thread = httpx.get(f"{restored_server.base_url}/api/v1/threads/{scene.thread_id}", timeout=REQUEST_SECONDS)
    report_figures(
        f"{len(acknowledged_before)} acknowledged before the backup, {len(record.acknowledged)} in all: "
        f"{record.summary()}; the restored copy holds {sum(stored.bodies.values())}"
    )
    missing = acknowledged_before - set(stored.bodies)
    assert not missing, f"{len(missing)} comments acknowledged before the backup are not in it: {sorted(missing)[:3]}"
    assert max(stored.bodies.values()) == 1
    assert set(stored.bodies) <= record.attempted
    assert thread.status_code == 200
    assert thread.json()["comment_count"] == stored.comment_count == sum(stored.bodies.values())


def test_a_backup_never_overwrites_and_a_restore_never_replaces_a_forum_unasked(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'forum.db'}", tmp_path)
    assert forum_command(env, "db", "upgrade").returncode == 0
    first = forum_command(env, "backup", str(tmp_path / "copy.db"))
    assert first.returncode == 0, first.stderr
    again = forum_command(env, "backup", str(tmp_path / "copy.db"))
    assert again.returncode == 2
    assert "already exists" in again.stderr

    over_live = forum_command(env, "restore", str(tmp_path / "copy.db"))
    assert over_live.returncode == 2
    assert "--replace" in over_live.stderr
    replaced = forum_command(env, "restore", "--replace", str(tmp_path / "copy.db"))
    assert replaced.returncode == 0, replaced.stderr


def test_restore_refuses_a_file_that_is_not_a_forum_backup(tmp_path: Path) -> None:
    env = server_env("", tmp_path / "data")
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("a shopping list, not a database")
    refused = forum_command(env, "restore", str(not_sqlite))
    assert refused.returncode == 2
    assert "not a readable SQLite database" in refused.stderr
    assert not (tmp_path / "data" / "forum.db").exists()


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_on_postgresql_the_commands_point_to_pg_dump(tmp_path: Path, command: str) -> None:
    env = server_env("postgresql+psycopg://forum@127.0.0.1:5432/forum", tmp_path)
    result = forum_command(env, command, str(tmp_path / "forum.dump"))
    assert result.returncode == 2
    assert "pg_dump --format=custom" in result.stderr and "pg_restore" in result.stderr
