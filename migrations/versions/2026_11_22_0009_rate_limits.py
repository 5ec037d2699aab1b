"""rate limits kept in the database

``rate_limit`` holds one counter per limited action and caller (an account, an email or an
address, always hashed), so limits hold across workers and restarts.

Revision ID: 9e1c4a7b2d60
Revises: 8c2e7a3b4d5f
Create Date: 2026-11-22 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time

revision: str = "9e1c4a7b2d60"
down_revision: str | None = "8c2e7a3b4d5f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("window_started_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("last_hit_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit")),
    )
    op.create_index(op.f("ix_rate_limit_last_hit_at"), "rate_limit", ["last_hit_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_limit_last_hit_at"), table_name="rate_limit")
    op.drop_table("rate_limit")
