"""full-text search indexes (SQLite FTS5, PostgreSQL GIN)

SQLite: external-content FTS5 tables over ``thread(title, body)`` and ``comment(body)``,
with the porter stemmer, kept in step by triggers so an insert or an edit reaches the
index in the same transaction as the write. Only the text is indexed: who may see a post
(deleted, moderated, members-only) is read from the posts themselves at search time, so
soft deletes and moderation need no index change and can never leave it stale.

PostgreSQL: a stored generated ``tsvector`` column on each table (english configuration,
the title weighted above the body) with a GIN index. The database keeps it current itself.

Every object here is named ``search_...``: no model describes them, and the drift check
(``forum.db.described_by_models``) leaves them out.

Revision ID: 6a0c5e1f2b3d
Revises: 0005a7c3d9e1
Create Date: 2026-11-22 09:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "6a0c5e1f2b3d"
down_revision: str | None = "0005a7c3d9e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (FTS5 table, content table, indexed columns)
SQLITE_INDEXES = (
    ("search_thread", "thread", ("title", "body")),
    ("search_comment", "comment", ("body",)),
)

# (table, the text it is searched by): titles weigh most, bodies of threads and comments alike.
POSTGRES_VECTORS = (
    ("thread", "setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')"),
    ("comment", "setweight(to_tsvector('english', body), 'B')"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for index, content, columns in SQLITE_INDEXES:
            _create_sqlite_index(index, content, columns)
    else:
        for table, vector in POSTGRES_VECTORS:
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED")
            op.execute(f"CREATE INDEX search_{table}_vector ON {table} USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for index, _content, _columns in SQLITE_INDEXES:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {index}_after_{event}")
            op.execute(f"DROP TABLE {index}")
    else:
        for table, _vector in POSTGRES_VECTORS:
            op.execute(f"DROP INDEX search_{table}_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")


def _create_sqlite_index(index: str, content: str, columns: tuple[str, ...]) -> None:
    # Every name below comes from SQLITE_INDEXES, never from input.
    names = ", ".join(columns)
    new_values = ", ".join(f"new.{c}" for c in columns)
    old_values = ", ".join(f"old.{c}" for c in columns)
    # An external-content table forgets a row only when told the exact text it indexed.
    forget_old = f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {old_values});"  # noqa: S608
    index_new = f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {new_values});"  # noqa: S608
    op.execute(
        f"CREATE VIRTUAL TABLE {index} USING fts5({names}, content='{content}', content_rowid='id', "
        "tokenize='porter unicode61')"
    )
    op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")  # noqa: S608
    op.execute(f"CREATE TRIGGER {index}_after_insert AFTER INSERT ON {content} BEGIN {index_new} END")
    op.execute(f"CREATE TRIGGER {index}_after_delete AFTER DELETE ON {content} BEGIN {forget_old} END")
    op.execute(
        f"CREATE TRIGGER {index}_after_update AFTER UPDATE OF {names} ON {content} BEGIN {forget_old} {index_new} END"
    )
