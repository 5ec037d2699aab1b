"""Alembic environment: the schema's only source. Reads every model and the URL."""

from alembic import context
from sqlalchemy import Connection, text

from forum.config import get_settings
from forum.db import build_engine, described_by_models
from forum.models import metadata

config = context.config
MIGRATION_LOCK_KEY = 7_461_002  # any fixed number; it names the lock


def _database_url() -> str:
    return config.attributes.get("database_url") or get_settings().resolved_database_url


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = build_engine(_database_url())
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=described_by_models,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several app servers may start at once: one migrates, the others wait here.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
