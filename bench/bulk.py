"""Bulk loading: rows straight into the migrated tables, indexes built once at the end.

Inserting millions of rows one request at a time would take hours; the forum's tables are
written here directly, in batches (``executemany`` on SQLite, ``COPY`` on PostgreSQL). The
secondary indexes and the SQLite search triggers of the loaded tables are set aside while
loading and made again afterwards from their own stored definitions (and the FTS5 tables
rebuilt), which is far quicker than keeping them current row by row, and leaves exactly the
schema the migrations made.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, text

BATCH_ROWS = 5_000


def complete(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row with every column the model gives a default and the row leaves out filled in.

    COPY applies only the database's own defaults, never the model's: filling them here keeps
    the two databases' rows identical, and keeps working when a migration adds such a column.
    """
    missing = {}
    for column in table.columns:
        if column.name in row or column.default is None:
            continue
        default = column.default
        missing[column.name] = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
    return row | missing if missing else row


class BulkWriter:
    """Writes rows to tables on one connection, in the same transaction as the caller's."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.is_postgres = connection.dialect.name == "postgresql"
        self.written: dict[str, int] = {}
        self.tables_with_ids: set[Table] = set()

    def insert(self, table: Table, rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        iterator = iter(rows)
        while batch := [complete(table, row) for row in islice(iterator, BATCH_ROWS)]:
            if self.is_postgres:
                self._copy(table, batch)
            else:
                self.connection.execute(table.insert(), batch)
            count += len(batch)
        self.written[table.name] = self.written.get(table.name, 0) + count
        if count and "id" in table.c:
            self.tables_with_ids.add(table)
        return count

    def _copy(self, table: Table, batch: list[dict[str, Any]]) -> None:
        quote = self.connection.dialect.identifier_preparer.quote
        names = list(batch[0])
        statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        dbapi_connection = self.connection.connection.driver_connection
        with dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in batch:
                copy.write_row([_plain(row[name]) for name in names])

    def finish(self) -> None:
        """On PostgreSQL, move each id sequence past the ids written here, so the forum's own inserts never collide."""
        if not self.is_postgres:
            return
        for table in self.tables_with_ids:
            sequence = self.connection.execute(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
            ).scalar()
            if sequence is not None:
                quoted = self.connection.dialect.identifier_preparer.quote(table.name)
                self.connection.execute(
                    text(f"SELECT setval(:sequence, (SELECT max(id) FROM {quoted}))"),  # noqa: S608 - a model's name
                    {"sequence": sequence},
                )


def _plain(value: Any) -> Any:
    """Enum members as their text: COPY adapts values by their exact type."""
    return value.value if isinstance(value, Enum) else value


@contextmanager
def indexes_set_aside(connection: Connection, tables: list[str]) -> Iterator[None]:
    """Drop the secondary indexes (and SQLite's search triggers) of ``tables``; make them again on leaving.

    Indexes that back a primary key or a unique constraint stay, so the load is still checked.
    """
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
                "AND tablename = ANY(:tables) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)"
            ).bindparams(tables=tables)
        ).all()
        drops = [f'DROP INDEX "{name}"' for name, _definition in rows]
        rebuilds = [definition for _name, definition in rows]
    else:
        marks = ", ".join(f"'{name}'" for name in tables)  # table names come from the models, never from input
        rows = connection.exec_driver_sql(
            f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks}) "  # noqa: S608
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ).all()
        search_tables = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"
        ).scalars()
        drops = [f'DROP {kind.upper()} "{name}"' for kind, name, _sql in rows]
        rebuild = 'INSERT INTO "{0}"("{0}") VALUES (\'rebuild\')'  # FTS5's own command, on the FTS5 tables found
        rebuilds = [rebuild.format(name) for name in search_tables]
        rebuilds += [sql for _kind, _name, sql in rows]
    for statement in drops:
        connection.exec_driver_sql(statement)
    yield
    for statement in rebuilds:
        connection.exec_driver_sql(statement)
