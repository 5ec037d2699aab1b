"""The schema comes only from the migrations, and the models never drift from them."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from forum.db import Database, alembic_config, described_by_models, upgrade_to_head
from forum.models import metadata
from tests.conftest import drop_postgres_schema, fresh_database_url, postgres_base_url, unique_name


def test_models_and_migrations_do_not_drift(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": described_by_models}
        )
        differences = compare_metadata(context, metadata)
    assert differences == [], f"models differ from the migrations; write a migration: {differences}"


def test_migrations_build_every_table_and_go_down_and_up_again(tmp_path) -> None:
    schema = unique_name("forum_migration_check")  # two suites may run side by side on one PostgreSQL
    url = fresh_database_url(tmp_path, schema)
    try:
        upgrade_to_head(url)
        engine = create_engine(url)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        command.downgrade(alembic_config(url), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_to_head(url)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()
    finally:
        if postgres_base_url():
            drop_postgres_schema(postgres_base_url(), schema)
