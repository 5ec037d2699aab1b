"""password resets and named tokens

``password_reset`` keeps the hash of each emailed reset link, when it expires and when it
was used. Named tokens need no change: ``auth_session.name`` already exists.

Revision ID: a1f3c5e7b9d2
Revises: 9e1c4a7b2d60
Create Date: 2026-11-22 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time

revision: str = "a1f3c5e7b9d2"
down_revision: str | None = "9e1c4a7b2d60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_password_reset_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_reset_member_id"), ["member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_member_id"))
    op.drop_table("password_reset")
