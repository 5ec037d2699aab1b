"""notifications, preferences, follows, mutes, the email outbox, member handles

Members who joined before handles existed get one made from their display name, the way
registration makes it ("Priya Raman" is "priya-raman", a number added when taken). Posts
already visible count as announced, so the first moderation action on an old post does
not notify anyone about it; posts still held announce themselves when released.

Revision ID: 7b1d6f2a3c4e
Revises: 6a0c5e1f2b3d
Create Date: 2026-11-22 09:30:00.000000
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time

revision: str = "7b1d6f2a3c4e"
down_revision: str | None = "6a0c5e1f2b3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _handle_base(display_name: str) -> str:
    """A frozen copy of the rule in accounts.service.handle_base, as it was when this migration was written."""
    plain = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:30].strip("-") or "member"


def _give_members_handles() -> None:
    connection = op.get_bind()
    taken: set[str] = set()
    for member_id, display_name in connection.execute(sa.text("SELECT id, display_name FROM member ORDER BY id")):
        base = handle = _handle_base(display_name)
        number = 1
        while handle in taken:
            number += 1
            handle = f"{base}-{number}"
        taken.add(handle)
        connection.execute(
            sa.text("UPDATE member SET handle = :handle WHERE id = :id"), {"handle": handle, "id": member_id}
        )


def _announce_existing_posts() -> None:
    op.execute(
        "INSERT INTO announced_post (target_type, target_id, announced_at) "
        "SELECT 'thread', id, CURRENT_TIMESTAMP FROM thread WHERE visibility != 'held'"
    )
    op.execute(
        "INSERT INTO announced_post (target_type, target_id, announced_at) "
        "SELECT 'comment', id, CURRENT_TIMESTAMP FROM comment WHERE visibility != 'held'"
    )


def upgrade() -> None:
    op.create_table(
        "announced_post",
        sa.Column("target_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("announced_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target_type", "target_id", name=op.f("pk_announced_post")),
    )
    op.create_table(
        "notification_preference",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("delivery", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_notification_preference_member_id_member")),
        sa.PrimaryKeyConstraint("member_id", "category", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "outbox_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link_path", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_outbox_email_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_email")),
    )
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_email_due", ["status", "next_attempt_at", "id"], unique=False)
        batch_op.create_index("ix_outbox_email_member", ["member_id", "category", "created_at"], unique=False)

    op.create_table(
        "thread_subscription",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_thread_subscription_member_id_member")),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], name=op.f("fk_thread_subscription_thread_id_thread")),
        sa.PrimaryKeyConstraint("member_id", "thread_id", name=op.f("pk_thread_subscription")),
    )
    with op.batch_alter_table("thread_subscription", schema=None) as batch_op:
        batch_op.create_index("ix_thread_subscription_thread", ["thread_id", "state"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("group_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["member.id"], name=op.f("fk_notification_actor_id_member")),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], name=op.f("fk_notification_comment_id_comment")),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_notification_member_id_member")),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], name=op.f("fk_notification_thread_id_thread")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_member_updated", ["member_id", "updated_at", "id"], unique=False)
        batch_op.create_index(
            "uq_notification_unread_group",
            ["member_id", "group_key"],
            unique=True,
            sqlite_where=sa.text("read_at IS NULL"),
            postgresql_where=sa.text("read_at IS NULL"),
        )

    op.create_table(
        "topic_follow",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_topic_follow_member_id_member")),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"], name=op.f("fk_topic_follow_topic_id_topic")),
        sa.PrimaryKeyConstraint("member_id", "topic_id", name=op.f("pk_topic_follow")),
    )
    with op.batch_alter_table("topic_follow", schema=None) as batch_op:
        batch_op.create_index("ix_topic_follow_topic", ["topic_id"], unique=False)

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handle", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column("unread_notifications", sa.Integer(), nullable=False, server_default="0"))
    _give_members_handles()
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.alter_column("handle", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False)
        batch_op.alter_column("unread_notifications", server_default=None)
        batch_op.create_unique_constraint(batch_op.f("uq_member_handle"), ["handle"])

    _announce_existing_posts()


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_member_handle"), type_="unique")
        batch_op.drop_column("unread_notifications")
        batch_op.drop_column("handle")

    with op.batch_alter_table("topic_follow", schema=None) as batch_op:
        batch_op.drop_index("ix_topic_follow_topic")
    op.drop_table("topic_follow")

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_notification_unread_group",
            sqlite_where=sa.text("read_at IS NULL"),
            postgresql_where=sa.text("read_at IS NULL"),
        )
        batch_op.drop_index("ix_notification_member_updated")
    op.drop_table("notification")

    with op.batch_alter_table("thread_subscription", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_subscription_thread")
    op.drop_table("thread_subscription")

    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_email_member")
        batch_op.drop_index("ix_outbox_email_due")
    op.drop_table("outbox_email")

    op.drop_table("notification_preference")
    op.drop_table("announced_post")
