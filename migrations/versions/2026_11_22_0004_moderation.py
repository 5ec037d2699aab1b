"""moderation reports review items events

Revision ID: 1d234ae37e86
Revises: 5d0c1a7e2b31
Create Date: 2026-11-22 08:04:57.878548
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time

revision: str = "1d234ae37e86"
down_revision: str | None = "5d0c1a7e2b31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_reported_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claimed_by_id"], ["member.id"], name=op.f("fk_review_item_claimed_by_id_member")),
        sa.ForeignKeyConstraint(["resolved_by_id"], ["member.id"], name=op.f("fk_review_item_resolved_by_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_item")),
        sa.UniqueConstraint("target_type", "target_id", name="uq_review_item_target"),
    )
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.create_index("ix_review_item_queue", ["status", "priority", "id"], unique=False)

    op.create_table(
        "moderation_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("target_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("review_item_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("state_before", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state_after", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["member.id"], name=op.f("fk_moderation_event_actor_id_member")),
        sa.ForeignKeyConstraint(
            ["review_item_id"], ["review_item.id"], name=op.f("fk_moderation_event_review_item_id_review_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_event")),
    )
    with op.batch_alter_table("moderation_event", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_event_actor", ["actor_id", "id"], unique=False)
        batch_op.create_index("ix_moderation_event_target", ["target_type", "target_id", "id"], unique=False)

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_item_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("details", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(["reporter_id"], ["member.id"], name=op.f("fk_report_reporter_id_member")),
        sa.ForeignKeyConstraint(
            ["review_item_id"], ["review_item.id"], name=op.f("fk_report_review_item_id_review_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index("ix_report_item", ["review_item_id", "id"], unique=False)
        batch_op.create_index("ix_report_reporter", ["reporter_id", "created_at"], unique=False)
        batch_op.create_index(
            "uq_report_open_per_reporter",
            ["review_item_id", "reporter_id"],
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_report_open_per_reporter",
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
        batch_op.drop_index("ix_report_reporter")
        batch_op.drop_index("ix_report_item")

    op.drop_table("report")
    with op.batch_alter_table("moderation_event", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_event_target")
        batch_op.drop_index("ix_moderation_event_actor")

    op.drop_table("moderation_event")
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_index("ix_review_item_queue")

    op.drop_table("review_item")
