"""denormalised counts and list indexes for speed

- ``topic.public_thread_count`` and ``topic.member_thread_count``: the threads a visitor and a
  member may read in each topic (visible, not deleted; public ones only for visitors), kept by
  triggers in the same transaction as every write to ``thread`` or ``thread_topic``, so no path
  (a service, a moderation lever, a bulk load) can leave them wrong. The home page and topic
  pages read them instead of counting every thread of every topic on each view.
- ``thread.comments_version``: moves whenever what the thread's comments show changes, so a
  page's rendered comments can be cached and shared by that number (see threads/fragments.py).
- ``ix_comment_thread`` covers what counting a member's unread comments checks.
- Partial indexes for the rare rows lists look for: pinned threads (read on every home page;
  a second one led by the audience, or SQLite would walk the visitors' audience index instead),
  and threads moderation took out of view (a moderator's or an author's share of the counts).

Revision ID: b2d4f6a8c0e3
Revises: a1f3c5e7b9d2
Create Date: 2026-11-22 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2d4f6a8c0e3"
down_revision: str | None = "a1f3c5e7b9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What one thread row adds to each count: 1 or 0, written for a row alias (NEW or OLD).
PUBLIC = "(CASE WHEN {t}.deleted_at IS NULL AND {t}.visibility = 'visible' AND {t}.audience = 'public' THEN 1 ELSE 0 END)"
MEMBER = "(CASE WHEN {t}.deleted_at IS NULL AND {t}.visibility = 'visible' THEN 1 ELSE 0 END)"


def _add_thread(sign: str, alias: str) -> str:
    """Add (or take away) the thread of a ``thread_topic`` row to (from) its topic's counts."""
    public = PUBLIC.format(t="thread")
    member = MEMBER.format(t="thread")
    return (
        f"UPDATE topic SET public_thread_count = public_thread_count {sign} "  # noqa: S608 - fixed text
        f"(SELECT {public} FROM thread WHERE thread.id = {alias}.thread_id), "
        f"member_thread_count = member_thread_count {sign} "
        f"(SELECT {member} FROM thread WHERE thread.id = {alias}.thread_id) "
        f"WHERE topic.id = {alias}.topic_id;"
    )


# A thread whose audience, visibility or deletion changes moves every one of its topics' counts.
RECOUNT_THREAD = (
    "UPDATE topic SET "  # noqa: S608 - fixed text
    f"public_thread_count = public_thread_count - {PUBLIC.format(t='OLD')} + {PUBLIC.format(t='NEW')}, "
    f"member_thread_count = member_thread_count - {MEMBER.format(t='OLD')} + {MEMBER.format(t='NEW')} "
    "WHERE topic.id IN (SELECT topic_id FROM thread_topic WHERE thread_topic.thread_id = NEW.id);"
)
THREAD_CHANGED = (
    "OLD.audience <> NEW.audience OR OLD.visibility <> NEW.visibility "
    "OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)"
)
# What counting a member's unread comments checks of each comment after their read position:
# in the thread's comment index, the count reads no comment row at all.
UNREAD_CHECKS = ["author_id", "visibility", "deleted_at"]
TRIGGERS = ("topic_count_tagged", "topic_count_untagged", "topic_count_retagged", "topic_count_thread_changed")


def upgrade() -> None:
    op.add_column("topic", sa.Column("public_thread_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("topic", sa.Column("member_thread_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("thread", sa.Column("comments_version", sa.Integer(), nullable=False, server_default="0"))
    for name, columns in (
        ("ix_thread_pinned", ["last_activity_at", "id"]),
        ("ix_thread_pinned_audience", ["audience", "last_activity_at", "id"]),
    ):
        op.create_index(name, "thread", columns, sqlite_where=sa.text("pinned = 1"), postgresql_where=sa.text("pinned"))
    op.drop_index("ix_comment_thread", table_name="comment")
    op.create_index("ix_comment_thread", "comment", ["thread_id", "id", *UNREAD_CHECKS])
    op.create_index(
        "ix_thread_out_of_view",
        "thread",
        ["author_id"],
        sqlite_where=sa.text("visibility <> 'visible'"),
        postgresql_where=sa.text("visibility <> 'visible'"),
    )
    op.create_index(
        "ix_comment_out_of_view",
        "comment",
        ["thread_id", "author_id"],
        sqlite_where=sa.text("visibility <> 'visible'"),
        postgresql_where=sa.text("visibility <> 'visible'"),
    )
    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_triggers()
    else:
        _create_postgresql_triggers()
    op.execute(
        "UPDATE topic SET "  # noqa: S608 - fixed text
        f"public_thread_count = (SELECT coalesce(sum({PUBLIC.format(t='thread')}), 0) FROM thread_topic "
        "JOIN thread ON thread.id = thread_topic.thread_id WHERE thread_topic.topic_id = topic.id), "
        f"member_thread_count = (SELECT coalesce(sum({MEMBER.format(t='thread')}), 0) FROM thread_topic "
        "JOIN thread ON thread.id = thread_topic.thread_id WHERE thread_topic.topic_id = topic.id)"
    )


def _create_sqlite_triggers() -> None:
    op.execute(f"CREATE TRIGGER topic_count_tagged AFTER INSERT ON thread_topic BEGIN {_add_thread('+', 'NEW')} END")
    op.execute(f"CREATE TRIGGER topic_count_untagged AFTER DELETE ON thread_topic BEGIN {_add_thread('-', 'OLD')} END")
    op.execute(
        "CREATE TRIGGER topic_count_retagged AFTER UPDATE OF topic_id, thread_id ON thread_topic "
        f"BEGIN {_add_thread('-', 'OLD')} {_add_thread('+', 'NEW')} END"
    )
    op.execute(
        "CREATE TRIGGER topic_count_thread_changed AFTER UPDATE OF audience, visibility, deleted_at ON thread "
        f"WHEN {THREAD_CHANGED} BEGIN {RECOUNT_THREAD} END"
    )


def _add_tagged(*tables: tuple[str, str]) -> str:
    """PostgreSQL: move each topic's counts by the threads of a statement's ``(sign, transition table)``s.

    Topics whose counts do not move are left alone (no row lock): a thread's activity time,
    copied to its topics on every comment, is an update to ``thread_topic`` too.
    """
    public, member = PUBLIC.format(t="thread"), MEMBER.format(t="thread")
    changes = " UNION ALL ".join(
        f"SELECT r.topic_id, {sign}{public} AS public, {sign}{member} AS member "  # noqa: S608 - fixed text
        f"FROM {table} AS r JOIN thread ON thread.id = r.thread_id"
        for sign, table in tables
    )
    return (
        "UPDATE topic SET public_thread_count = public_thread_count + d.public, "  # noqa: S608 - fixed text
        "member_thread_count = member_thread_count + d.member "
        f"FROM (SELECT topic_id, sum(public) AS public, sum(member) AS member FROM ({changes}) AS c "
        "GROUP BY topic_id HAVING sum(public) <> 0 OR sum(member) <> 0) AS d WHERE topic.id = d.topic_id;"
    )


def _create_postgresql_triggers() -> None:
    """Statement-level on ``thread_topic``: a merge or a bulk load moves each topic's counts once,
    where a row-level trigger would update the same topic row once per thread."""
    op.execute(
        "CREATE FUNCTION topic_count_thread_topic() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_add_tagged(('', 'added'))} "
        f"ELSIF TG_OP = 'DELETE' THEN {_add_tagged(('-', 'removed'))} "
        f"ELSE {_add_tagged(('', 'added'), ('-', 'removed'))} END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION topic_count_thread() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {RECOUNT_THREAD} RETURN NULL; END $$"
    )
    for name, event in (
        ("topic_count_tagged", "INSERT ON thread_topic REFERENCING NEW TABLE AS added"),
        ("topic_count_untagged", "DELETE ON thread_topic REFERENCING OLD TABLE AS removed"),
        ("topic_count_retagged", "UPDATE ON thread_topic REFERENCING OLD TABLE AS removed NEW TABLE AS added"),
    ):
        op.execute(f"CREATE TRIGGER {name} AFTER {event} FOR EACH STATEMENT EXECUTE FUNCTION topic_count_thread_topic()")
    op.execute(
        "CREATE TRIGGER topic_count_thread_changed AFTER UPDATE OF audience, visibility, deleted_at ON thread "
        f"FOR EACH ROW WHEN ({THREAD_CHANGED}) EXECUTE FUNCTION topic_count_thread()"
    )


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    for name in TRIGGERS:
        table = "thread" if name == "topic_count_thread_changed" else "thread_topic"
        op.execute(f"DROP TRIGGER {name}" if is_sqlite else f"DROP TRIGGER {name} ON {table}")
    if not is_sqlite:
        op.execute("DROP FUNCTION topic_count_thread_topic()")
        op.execute("DROP FUNCTION topic_count_thread()")
    op.drop_index("ix_comment_out_of_view", table_name="comment")
    op.drop_index("ix_thread_out_of_view", table_name="thread")
    op.drop_index("ix_comment_thread", table_name="comment")
    op.create_index("ix_comment_thread", "comment", ["thread_id", "id"])
    op.drop_index("ix_thread_pinned_audience", table_name="thread")
    op.drop_index("ix_thread_pinned", table_name="thread")
    op.drop_column("thread", "comments_version")
    op.drop_column("topic", "member_thread_count")
    op.drop_column("topic", "public_thread_count")
