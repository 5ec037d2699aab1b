"""members threads comments

Revision ID: e382980ccbc5
Revises:
Create Date: 2026-11-22 06:22:10.811772
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time

revision: str = "e382980ccbc5"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("credentials", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("email", name=op.f("uq_member_email")),
    )
    op.create_table(
        "auth_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_auth_session_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_session_token_hash")),
    )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_session_member_id"), ["member_id"], unique=False)

    op.create_table(
        "thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["member.id"], name=op.f("fk_thread_author_id_member")),
        sa.ForeignKeyConstraint(["deleted_by_id"], ["member.id"], name=op.f("fk_thread_deleted_by_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread")),
    )
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.create_index("ix_thread_activity", ["last_activity_at", "id"], unique=False)
        batch_op.create_index("ix_thread_audience_activity", ["audience", "last_activity_at", "id"], unique=False)
        batch_op.create_index("ix_thread_author", ["author_id", "id"], unique=False)

    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["member.id"], name=op.f("fk_comment_author_id_member")),
        sa.ForeignKeyConstraint(["deleted_by_id"], ["member.id"], name=op.f("fk_comment_deleted_by_id_member")),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], name=op.f("fk_comment_thread_id_thread")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index("ix_comment_author", ["author_id", "id"], unique=False)
        batch_op.create_index("ix_comment_thread", ["thread_id", "id"], unique=False)

    op.create_table(
        "thread_view",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("viewer_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("counted_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], name=op.f("fk_thread_view_thread_id_thread")),
        sa.PrimaryKeyConstraint("thread_id", "viewer_key", name=op.f("pk_thread_view")),
    )
    op.create_table(
        "post_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("previous_title", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=True),
        sa.Column("previous_body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], name=op.f("fk_post_revision_comment_id_comment")),
        sa.ForeignKeyConstraint(["editor_id"], ["member.id"], name=op.f("fk_post_revision_editor_id_member")),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], name=op.f("fk_post_revision_thread_id_thread")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_revision")),
    )
    with op.batch_alter_table("post_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_revision_comment_id"), ["comment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_post_revision_thread_id"), ["thread_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_revision_thread_id"))
        batch_op.drop_index(batch_op.f("ix_post_revision_comment_id"))

    op.drop_table("post_revision")
    op.drop_table("thread_view")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_thread")
        batch_op.drop_index("ix_comment_author")

    op.drop_table("comment")
    with op.batch_alter_table("thread", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_author")
        batch_op.drop_index("ix_thread_audience_activity")
        batch_op.drop_index("ix_thread_activity")

    op.drop_table("thread")
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_session_member_id"))

    op.drop_table("auth_session")
    op.drop_table("member")
