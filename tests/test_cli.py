"""The ``forum`` command, run as a real process against a fresh database."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from forum.db import Database
from forum.kit.time import utcnow
from forum.limits.models import RateLimit
from tests.conftest import drop_postgres_schema, fresh_database_url, postgres_base_url, unique_name

FAST_HASHING = {
    "FORUM_PASSWORD_HASH_TIME_COST": "1",
    "FORUM_PASSWORD_HASH_MEMORY_KIB": "8",
    "FORUM_PASSWORD_HASH_PARALLELISM": "1",
}


@pytest.fixture
def cli_env(tmp_path: Path):
    schema = unique_name("forum_cli_test")  # two suites may run side by side on one PostgreSQL
    env = {
        **os.environ,
        **FAST_HASHING,
        "FORUM_DATABASE_URL": fresh_database_url(tmp_path, schema),
        "FORUM_DATA_DIR": str(tmp_path / "data"),
        "FORUM_ENV": "development",
    }
    env.pop("FORUM_SECRET_KEY", None)
    yield env
    if postgres_base_url():
        drop_postgres_schema(postgres_base_url(), schema)


def forum(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "forum.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_db_upgrade_then_create_user_then_log_in_with_it(cli_env, tmp_path) -> None:
    assert forum(cli_env, "db", "upgrade").returncode == 0
    created = forum(
        cli_env,
        "create-user",
        "--email",
        "Mod@Example.org",
        "--password",
        "moderator password",
        "--display-name",
        "Morgan Mod",
        "--role",
        "moderator",
    )
    assert created.returncode == 0, created.stderr
    assert "moderator Morgan Mod <mod@example.org>" in created.stdout
    again = forum(
        cli_env,
        "create-user",
        "--email",
        "mod@example.org",
        "--password",
        "another password",
        "--display-name",
        "Someone Else",
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_create_user_explains_bad_input(cli_env) -> None:
    result = forum(cli_env, "create-user", "--email", "nope", "--password", "short", "--display-name", "X")
    assert result.returncode == 2
    assert "email is not a valid email address" in result.stderr
    assert "password must be at least 10 characters" in result.stderr


def test_seed_demo_adds_content_once_and_prints_the_logins(cli_env) -> None:
    first = forum(cli_env, "seed-demo")
    assert first.returncode == 0, first.stderr
    assert "Demo content added." in first.stdout
    assert "demo-admin-pass" in first.stdout and "demo-moderator-pass" in first.stdout
    second = forum(cli_env, "seed-demo")
    assert "already there" in second.stdout


def test_seed_demo_refuses_a_production_forum(cli_env) -> None:
    env = {**cli_env, "FORUM_ENV": "production", "FORUM_SECRET_KEY": "x" * 48}
    result = forum(env, "seed-demo")
    assert result.returncode == 2
    assert "not for a production forum" in result.stderr


def test_production_refuses_to_start_without_a_strong_secret(cli_env) -> None:
    result = forum({**cli_env, "FORUM_ENV": "production", "FORUM_SECRET_KEY": "changethis"}, "db", "upgrade")
    assert result.returncode == 2
    assert "FORUM_SECRET_KEY" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """Run ``forum serve`` on a free port until the block ends; yields its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "forum.cli", "serve", "--port", str(port)]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as server:
        try:
            base_url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base_url + "/", timeout=2)
                    break
                except httpx.TransportError:
                    assert server.poll() is None, server.stdout.read() if server.stdout else "the server exited"
                    assert time.monotonic() < deadline, "the server did not answer within 60 s"
                    time.sleep(0.2)
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_serve_migrates_on_start_and_answers(cli_env) -> None:
    with serving(cli_env) as base_url:
        home = httpx.get(base_url + "/")
        assert home.status_code == 200
        assert "Latest discussions" in home.text
        joined = httpx.post(
            base_url + "/api/v1/auth/register",
            json={"email": "new@example.org", "password": "a long password", "display_name": "New Member"},
        )
        assert joined.status_code == 201


def test_development_secret_is_generated_once_and_kept_across_restarts(cli_env, tmp_path) -> None:
    key_file = tmp_path / "data" / "secret_key"
    with serving(cli_env):
        assert key_file.exists()
        first = key_file.read_text()
    assert len(first) >= 32
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    with serving(cli_env):
        assert key_file.read_text() == first


DRAPING_GUIDELINE = '''
slug = "draping"
title = "Draping and Consent"

[[section]]
anchor = "consent-before-work"
heading = "Consent before each area"
body = """
Ask before working on any area the client did not name, and accept a "no" without question.
"""
'''


def test_a_new_guideline_is_added_from_a_file_without_code_changes(cli_env, tmp_path) -> None:
    document = tmp_path / "draping.toml"
    document.write_text(DRAPING_GUIDELINE, encoding="utf-8")
    added = forum(cli_env, "guidelines", "add", str(document))
    assert added.returncode == 0, added.stderr
    assert "/guidelines/draping" in added.stdout
    again = forum(cli_env, "guidelines", "add", str(document))
    assert again.returncode == 1
    assert "already loaded" in again.stderr
    with serving(cli_env) as base_url:
        assert "Draping and Consent" in httpx.get(base_url + "/guidelines").text
        page = httpx.get(base_url + "/guidelines/draping")
        assert 'id="consent-before-work"' in page.text
        assert "accept a" in page.text


def test_a_file_that_is_not_a_guideline_is_refused_with_the_reason(cli_env, tmp_path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('slug = "Bad Slug"\ntitle = "x"\n[[section]]\nanchor = "a"\nheading = "h"\nbody = "b"\n')
    result = forum(cli_env, "guidelines", "add", str(broken))
    assert result.returncode == 2
    assert "lower-case" in result.stderr
    missing = forum(cli_env, "guidelines", "add", str(tmp_path / "absent.toml"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_prune_limits_deletes_only_counters_no_window_needs(cli_env) -> None:
    assert forum(cli_env, "db", "upgrade").returncode == 0
    database = Database(cli_env["FORUM_DATABASE_URL"])
    now = utcnow()
    with database.session(write=True) as session:
        for key, last_hit_at in (("a" * 64, now - timedelta(days=2)), ("b" * 64, now - timedelta(minutes=5))):
            session.add(RateLimit(key=key, window_started_at=last_hit_at, hits=3, last_hit_at=last_hit_at))
    pruned = forum(cli_env, "prune-limits")
    assert pruned.returncode == 0, pruned.stderr
    assert "Deleted 1 rate-limit counter" in pruned.stdout
    with database.session() as session:
        assert session.exec(select(RateLimit.key)).all() == ["b" * 64]
    database.dispose()
