"""The database: engine set-up for SQLite and PostgreSQL, the unit of work, and migrations.

``Database.session`` is the one place that commits or rolls back. Services only flush,
so a request's writes land together or not at all, and the commit happens before the
response is sent: an acknowledged post is a stored post.
"""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sqlalchemy_errors
from sqlalchemy.engine import make_url
from sqlmodel import Session

from forum.config import PROJECT_ROOT

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Sync routes and dependencies run on AnyIO's worker threads, limited to this many per worker
# (``limit_request_threads``; AnyIO's default). One pooled connection each, so a request never
# waits for a connection while its thread holds none, and a few more for the rare request that opens
# a second, short session (a session touch, a template helper, the view-count flusher).
# Not fewer: a request's commit runs on a worker thread of its own, after its route's. With 16
# threads, 32 writers on one thread's row held every thread waiting for a row lock whose holder
# could not get a thread to commit, and PostgreSQL waited for ever (SQLite gives up after its
# busy timeout). ``LOCK_TIMEOUT_MS`` bounds such a wait if it ever comes back.
REQUEST_THREADS = 40
POOL_OVERFLOW = 10
# Each SQLite connection keeps its own page cache (2 MiB by default); pages it does not keep are
# read from the kernel's cache.
SQLITE_CACHE_KIB = 512
POSTGRES_CONNECT_TIMEOUT_S = 5
# How long a PostgreSQL statement may wait for a row lock before the request is answered 503 with
# Retry-After (instead of hanging its client).
LOCK_TIMEOUT_MS = 10_000
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
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def build_engine(url: str) -> Engine:
    """The engine for ``url``. ``hide_parameters``: a logged database error never shows a post or a password hash."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # An in-memory database lives in one connection (SingletonThreadPool), which takes no sizes.
        in_memory = parsed.database in (None, "", ":memory:")
        pool_sizes = {} if in_memory else {"pool_size": REQUEST_THREADS, "max_overflow": POOL_OVERFLOW}
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True, **pool_sizes
        )
        _configure_sqlite(engine)
        return engine
    # pre_ping: after a PostgreSQL restart the pool's dead connections are replaced instead of
    # failing requests; connect_timeout: an unreachable server fails a request instead of hanging it.
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=REQUEST_THREADS,
        max_overflow=POOL_OVERFLOW,
        connect_args=connect_args,
        hide_parameters=True,
    )
    event.listen(engine, "connect", _bound_lock_waits)
    return engine


def _bound_lock_waits(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
    dbapi_connection.commit()


def limit_request_threads() -> None:
    """Call from the running event loop at start-up: at most ``REQUEST_THREADS`` requests work at once."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS


def is_unavailable(error: BaseException) -> bool:
    """True when the database could not be reached, or stayed locked past the busy timeout.

    Such a request may well succeed a moment later, so the app answers 503 with Retry-After.
    Every other database error (a bad query, a broken constraint) is a bug and stays a 500.
    """
    if isinstance(error, sqlalchemy_errors.TimeoutError):  # every pooled connection busy for pool_timeout
        return True
    if not isinstance(error, sqlalchemy_errors.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        return original.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    if isinstance(original, psycopg.OperationalError):
        # No SQLSTATE: the connection failed or was lost. 08: connection exception,
        # 53: out of resources (too many connections), 57P: the server is shutting down or starting,
        # 55P03: a row lock not granted within LOCK_TIMEOUT_MS, 40P01: chosen to break a deadlock.
        return original.sqlstate is None or original.sqlstate.startswith(("08", "53", "57P", "55P03", "40P01"))
    return False


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


class BackupError(Exception):
    """A backup or restore that was refused; the message says why and nothing was changed."""


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL; None for PostgreSQL (which has pg_dump) and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _check_forum_database(connection: sqlite3.Connection, name: Path) -> None:
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{name} is not a readable SQLite database ({error}).") from None
    if verdict != "ok":
        raise BackupError(f"{name} is damaged (SQLite integrity check: {verdict}).")
    if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone() is None:
        raise BackupError(f"{name} is not a forum database (it has no migration history).")


def backup_sqlite(database_file: Path, backup_file: Path) -> int:
    """Copy a live SQLite database to ``backup_file`` with SQLite's online backup API; returns its pages.

    One backup step copies every page inside one read transaction: in WAL mode writers carry on
    meanwhile and the copy is the database as it was at one instant, every committed write of
    that instant included. The copy is checked, made a single self-contained file, and only then
    linked into place, so ``backup_file`` is either a whole backup or absent; an existing file is
    never overwritten.
    """
    if not database_file.is_file():
        raise BackupError(f"there is no database at {database_file}.")
    if backup_file.exists():
        raise BackupError(f"{backup_file} already exists; choose a new name (a backup never overwrites).")
    partial = backup_file.with_name(f".{backup_file.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(database_file, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
            _check_forum_database(copy, database_file)
            copy.execute("PRAGMA journal_mode=DELETE")
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
        os.link(partial, backup_file)  # fails, rather than overwrites, if the name was taken meanwhile
    except FileExistsError:
        raise BackupError(f"{backup_file} already exists; choose a new name (a backup never overwrites).") from None
    finally:
        partial.unlink(missing_ok=True)
    return pages


def restore_sqlite(backup_file: Path, database_file: Path, *, replace: bool) -> None:
    """Make ``database_file`` hold exactly what ``backup_file`` holds, in one transaction.

    The backup API runs the other way, into the configured file: the file is never swapped
    under a connection that has it open, its WAL stays coherent, and a reader sees the old
    database or the restored one, never a mix. Stop the forum first all the same: anything it
    writes after the restore lands on the restored data, and anything written since the backup
    is gone. A database that already holds a forum is replaced only when ``replace`` is set.
    """
    if not backup_file.is_file():
        raise BackupError(f"there is no backup at {backup_file}.")
    with closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as backup:
        _check_forum_database(backup, backup_file)
        database_file.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database_file, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as live:
            has_tables = live.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'").fetchone()
            if has_tables and not replace:
                raise BackupError(f"{database_file} already holds a database; add --replace to overwrite it.")
            backup.backup(live)
            _check_forum_database(live, database_file)
