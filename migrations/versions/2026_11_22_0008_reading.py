"""unread tracking and bookmarks

``thread_read`` keeps, per member and thread, the highest comment id the member was shown;
``bookmark`` keeps the threads and comments a member saved for later. Both refer only to
``member`` and ``thread`` (and comments by id), so they stand on their own in the chain.

Revision ID: 8c2e7a3b4d5f
Revises: 7b1d6f2a3c4e
Create Date: 2026-11-22 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time

revision: str = "8c2e7a3b4d5f"
down_revision: str | None = "7b1d6f2a3c4e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "thread_read",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("last_read_comment_id", sa.Integer(), nullable=False),
        sa.Column("read_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_thread_read_member_id_member")),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], name=op.f("fk_thread_read_thread_id_thread")),
        sa.PrimaryKeyConstraint("member_id", "thread_id", name=op.f("pk_thread_read")),
    )
    op.create_table(
        "bookmark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("target_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_bookmark_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmark")),
        sa.UniqueConstraint("member_id", "target_type", "target_id", name=op.f("uq_bookmark_member_id")),
    )
    with op.batch_alter_table("bookmark", schema=None) as batch_op:
        batch_op.create_index("ix_bookmark_member", ["member_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bookmark", schema=None) as batch_op:
        batch_op.drop_index("ix_bookmark_member")
    op.drop_table("bookmark")
    op.drop_table("thread_read")
