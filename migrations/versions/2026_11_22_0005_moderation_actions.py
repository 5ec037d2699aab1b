"""moderation actions: post visibility, member standing, warnings, watched words, undo links

Columns added to existing tables get a server default for the rows already there,
which is dropped again so the models stay the only source of new values.

Revision ID: 0005a7c3d9e1
Revises: 1d234ae37e86
Create Date: 2026-11-22 08:50:28.184165
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time

revision: str = "0005a7c3d9e1"
down_revision: str | None = "1d234ae37e86"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watched_word",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrase", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["member.id"], name=op.f("fk_watched_word_added_by_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watched_word")),
        sa.UniqueConstraint("phrase", name=op.f("uq_watched_word_phrase")),
    )
    op.create_table(
        "member_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retracted_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["moderation_event.id"], name=op.f("fk_member_notice_event_id_moderation_event")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_member_notice_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_notice")),
    )
    with op.batch_alter_table("member_notice", schema=None) as batch_op:
        batch_op.create_index("ix_member_notice_member", ["member_id", "id"], unique=False)

    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "visibility", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="visible"
            )
        )

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_until", forum.kit.time.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("banned_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "standing_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("warning_pending", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("moderation_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("lever", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("undoes_event_id", sa.Integer(), nullable=True))
        batch_op.alter_column(
            "state_before",
            existing_type=sa.VARCHAR(length=64),
            type_=sqlmodel.sql.sqltypes.AutoString(length=300),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "state_after",
            existing_type=sa.VARCHAR(length=64),
            type_=sqlmodel.sql.sqltypes.AutoString(length=300),
            existing_nullable=False,
        )
        batch_op.create_index("ix_moderation_event_action", ["action", "id"], unique=False)
        batch_op.create_index("ix_moderation_event_subject", ["subject_id", "id"], unique=False)
        batch_op.create_unique_constraint("uq_moderation_event_undoes_event_id", ["undoes_event_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_event_undoes_event_id_moderation_event"),
            "moderation_event",
            ["undoes_event_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_moderation_event_subject_id_member"), "member", ["subject_id"], ["id"]
        )

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.alter_column("reporter_id", existing_type=sa.INTEGER(), nullable=True)

    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "visibility", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="visible"
            )
        )

    for table, columns in (
        ("thread", ["visibility"]),
        ("comment", ["visibility"]),
        ("member", ["standing_reason", "warning_pending"]),
        ("moderation_event", ["lever"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.drop_column("visibility")

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.alter_column("reporter_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("moderation_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_moderation_event_subject_id_member"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_moderation_event_undoes_event_id_moderation_event"), type_="foreignkey")
        batch_op.drop_constraint("uq_moderation_event_undoes_event_id", type_="unique")
        batch_op.drop_index("ix_moderation_event_subject")
        batch_op.drop_index("ix_moderation_event_action")
        batch_op.alter_column(
            "state_after",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=300),
            type_=sa.VARCHAR(length=64),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "state_before",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=300),
            type_=sa.VARCHAR(length=64),
            existing_nullable=False,
        )
        batch_op.drop_column("undoes_event_id")
        batch_op.drop_column("lever")
        batch_op.drop_column("subject_id")

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("warning_pending")
        batch_op.drop_column("standing_reason")
        batch_op.drop_column("banned_at")
        batch_op.drop_column("suspended_until")

    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_column("visibility")

    with op.batch_alter_table("member_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_member_notice_member")

    op.drop_table("member_notice")
    op.drop_table("watched_word")
