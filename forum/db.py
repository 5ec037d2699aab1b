"""The database: engine set-up for SQLite and PostgreSQL, the unit of work, and migrations.

``Database.session`` is the one place that commits or rolls back. Services only flush,
so a request's writes land together or not at all, and the commit happens before the
response is sent: an acknowledged post is a stored post.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from forum.config import PROJECT_ROOT

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Database objects that no model describes, made only by migrations: the search engines'
# own tables and indexes (SQLite FTS5 tables and their shadow tables, PostgreSQL GIN indexes).
SEARCH_OBJECT_PREFIX = "search_"


def described_by_models(_object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    """Alembic's ``include_object``: leave the search engines' own objects out of model comparisons."""
    return not (name or "").startswith((SEARCH_OBJECT_PREFIX, f"ix_{SEARCH_OBJECT_PREFIX}"))


def _configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, foreign keys on, and transactions we begin ourselves.

    pysqlite's own transaction handling delays BEGIN and cannot take the write lock up
    front. We switch it off and emit BEGIN in the ``begin`` event, so a write request can
    ask for ``BEGIN IMMEDIATE`` and wait its turn (busy timeout) instead of failing with
    "database is locked" when it upgrades a read lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def build_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """An engine and the sessions made from it.

    ``bind`` may be set to an open connection (tests do, to roll every test back); the
    sessions then work in savepoints on that connection.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = build_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.bind: Connection | None = None

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A unit of work: commits when the block succeeds, rolls back when it raises."""
        with Session(
            self.bind or self.engine, expire_on_commit=False, join_transaction_mode="create_savepoint"
        ) as session:
            if write and self.is_sqlite and self.bind is None:
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


def upgrade_to_head(url: str) -> None:
    """Bring the schema to the newest migration: the only way tables are ever made."""
    command.upgrade(alembic_config(url), "head")
