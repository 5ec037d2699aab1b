"""Which database errors are a moment's unavailability (503, try again) and which are bugs (500).

Each error here is raised for real by the drivers: a write lock held by another connection, a
table that does not exist, a PostgreSQL port where nothing listens.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from forum import db
from forum.app import create_app
from forum.db import Database, build_engine, is_unavailable
from forum.deps import SessionDep
from tests import conftest
from tests.reliability.server import free_port


def raised_by(
    url: str, statement: str, parameters: dict[str, str] | None = None, *, busy_timeout_ms: int | None = None
) -> SQLAlchemyError:
    """The error the app's own engine raises for ``statement``."""
    engine = build_engine(url)
    try:
        with pytest.raises(SQLAlchemyError) as raised, engine.connect() as connection:
            if busy_timeout_ms is not None:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={busy_timeout_ms}")
            connection.execute(text(statement), parameters or {})
        return raised.value
    finally:
        engine.dispose()


def test_an_sqlite_database_locked_past_the_busy_timeout_is_unavailable(tmp_path: Path) -> None:
    database_file = tmp_path / "forum.db"
    with closing(sqlite3.connect(database_file, isolation_level=None)) as other_writer:
        other_writer.execute("PRAGMA journal_mode=WAL")
        other_writer.execute("CREATE TABLE note (body TEXT)")
        other_writer.execute("BEGIN IMMEDIATE")
        error = raised_by(f"sqlite:///{database_file}", "INSERT INTO note VALUES ('x')", busy_timeout_ms=0)
    assert "locked" in str(error)
    assert is_unavailable(error)


@pytest.mark.skipif(conftest.postgres_base_url() is None, reason="needs FORUM_TEST_DATABASE_URL (PostgreSQL)")
def test_a_postgresql_row_lock_held_past_the_lock_timeout_is_unavailable(tmp_path: Path, monkeypatch) -> None:
    """A request never waits for ever on a row another transaction holds: it is a 503, try again."""
    monkeypatch.setattr(db, "LOCK_TIMEOUT_MS", 200)
    schema = conftest.unique_name("forum_lock_timeout")
    url = conftest.fresh_database_url(tmp_path, schema)
    holder = build_engine(url)
    try:
        with holder.begin() as setup:
            setup.execute(text("CREATE TABLE note (body TEXT)"))
            setup.execute(text("INSERT INTO note VALUES ('x')"))
        with holder.begin() as other_writer:
            other_writer.execute(text("SELECT body FROM note FOR UPDATE"))
            error = raised_by(url, "UPDATE note SET body = 'y'")
        assert "lock timeout" in str(error)
        assert is_unavailable(error)
    finally:
        holder.dispose()
        conftest.drop_postgres_schema(conftest.postgres_base_url() or "", schema)


def test_a_bad_query_is_a_bug_not_unavailability(tmp_path: Path) -> None:
    error = raised_by(f"sqlite:///{tmp_path / 'forum.db'}", "SELECT * FROM no_such_table")
    assert not is_unavailable(error)


def test_a_postgresql_that_does_not_answer_is_unavailable() -> None:
    error = raised_by(f"postgresql+psycopg://forum@127.0.0.1:{free_port()}/forum", "SELECT 1")
    assert is_unavailable(error)


def test_database_errors_never_show_their_parameters(tmp_path: Path) -> None:
    """A logged error must not carry a post's text or a password hash."""
    url = f"sqlite:///{tmp_path / 'forum.db'}"
    error = raised_by(url, "INSERT INTO no_such_table VALUES (:body)", {"body": "my client Jane Doe"})
    assert "no_such_table" in str(error)
    assert "Jane Doe" not in str(error)


def test_requests_to_an_unreachable_database_get_a_503_with_retry_after_at_once(tmp_path: Path) -> None:
    unreachable = Database(f"postgresql+psycopg://forum@127.0.0.1:{free_port()}/forum")
    app = create_app(conftest.test_settings(tmp_path), unreachable)
    with TestClient(app, follow_redirects=False) as client:
        api = client.get("/api/v1/threads")
        page = client.get("/")
    assert api.status_code == page.status_code == 503
    assert api.headers["retry-after"] == page.headers["retry-after"] == "5"
    assert "not answering just now" in api.json()["detail"]
    assert "not answering just now" in page.text


def test_a_database_error_that_is_a_bug_stays_a_500(database: Database, tmp_path: Path) -> None:
    app = create_app(conftest.test_settings(tmp_path), database)

    @app.get("/api/v1/broken-query")
    def broken_query(session: SessionDep) -> None:
        session.execute(text("SELECT * FROM no_such_table"))

    with TestClient(app, raise_server_exceptions=False) as client:
        broken = client.get("/api/v1/broken-query")
    assert broken.status_code == 500
    assert "retry-after" not in broken.headers
    assert "no_such_table" not in broken.text
