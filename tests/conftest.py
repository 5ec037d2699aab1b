"""Test fixtures: a database built by the migrations, rolled back after every test.

The suite runs on SQLite by default. With FORUM_TEST_DATABASE_URL set (CI sets it to
the local PostgreSQL) it runs on that database instead, in a schema of its own that is
dropped and rebuilt at the start, so tables left by earlier runs never matter. In CI an
unreachable database is a failure, never a skip.
"""

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from forum.app import create_app
from forum.config import Settings
from forum.db import Database, upgrade_to_head
from forum.threads.view_counter import ViewCounter
from tests.factories import Factory

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-rules"
# One schema per run on PostgreSQL; set FORUM_TEST_SCHEMA to run two suites side by side.
TEST_SCHEMA = os.environ.get("FORUM_TEST_SCHEMA", "forum_test")


def _postgres_url_in_schema(base_url: str, schema: str) -> str:
    """The same PostgreSQL database, with every table kept in ``schema``."""
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    return (
        make_url(base_url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def drop_postgres_schema(base_url: str, schema: str) -> None:
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


def postgres_base_url() -> str | None:
    return os.environ.get("FORUM_TEST_DATABASE_URL") or None


def fresh_database_url(directory: Path, name: str) -> str:
    """An empty database: a new SQLite file, or a new schema on the test PostgreSQL."""
    base = postgres_base_url()
    if base is None:
        return f"sqlite:///{directory / (name + '.db')}"
    return _postgres_url_in_schema(base, name)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = postgres_base_url()
    try:
        url = fresh_database_url(tmp_path_factory.mktemp("db"), TEST_SCHEMA)
    except Exception as error:  # an unreachable PostgreSQL must fail loudly, in CI above all
        pytest.exit(f"cannot prepare the test database at {base}: {error}", returncode=3)
    upgrade_to_head(url)
    yield url
    if base is not None:
        drop_postgres_schema(base, TEST_SCHEMA)


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def rollback(database: Database) -> Iterator[None]:
    """Every test runs in a transaction that is rolled back: each starts from the migrated schema."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        database.bind = connection
        try:
            yield
        finally:
            database.bind = None
            transaction.rollback()


def test_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "data_dir": tmp_path,
        "secret_key": TEST_SECRET,
        "view_flush_seconds": 0,
        # Real argon2id, at the lowest cost, so the suite can make thousands of members.
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 8,
        "password_hash_parallelism": 1,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def app(database: Database, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(test_settings(tmp_path_factory.mktemp("data")), database)


@pytest.fixture(autouse=True)
def fresh_view_counter(app: FastAPI) -> None:
    """Views recorded by one test must not be written into the next test's database."""
    app.state.view_counter = ViewCounter(window=app.state.view_counter.window)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def make_client(app: FastAPI) -> Iterator:
    """Several independent browsers (each with its own cookies)."""
    clients: list[TestClient] = []

    def build(base_url: str = "http://testserver") -> TestClient:
        test_client = TestClient(app, base_url=base_url, follow_redirects=False)
        clients.append(test_client)
        return test_client

    yield build
    for test_client in clients:
        test_client.close()


@pytest.fixture
def factory(database: Database, app: FastAPI) -> Factory:
    return Factory(database, app)


@pytest.fixture
def build_app(database: Database, tmp_path: Path) -> Iterator:
    """An app with settings of its own (same database, same rolled-back transaction), with a client
    and a factory: ``client, factory = build_app(comments_per_hour=3)``."""
    clients: list[TestClient] = []

    def build(**overrides: object) -> tuple[TestClient, Factory]:
        app = create_app(test_settings(tmp_path, **overrides), database)
        test_client = TestClient(app, follow_redirects=False)
        clients.append(test_client)
        return test_client, Factory(database, app)

    yield build
    for test_client in clients:
        test_client.close()


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement: str, *_args: object) -> None:
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK)", statement, re.IGNORECASE):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(database: Database) -> Iterator:
    """``with count_queries() as counter:`` counts the SQL statements run inside the block."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(database.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(database.engine, "before_cursor_execute", counter)

    return counting


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"
