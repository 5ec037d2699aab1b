"""topics: the ethics taxonomy, topic aliases and thread tagging, seeded with the community's topics

Revision ID: 5d0c1a7e2b31
Revises: c622335b17de
Create Date: 2026-11-22 07:10:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time

revision: str = "5d0c1a7e2b31"
down_revision: str | None = "c622335b17de"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The taxonomy every install starts with, drawn from the community's real discussions:
# (slug, name, one-line description, keywords that suggest it, stop-session guideline anchor).
TOPICS = [
    (
        "dual-relationships",
        "Dual relationships",
        "When a client is also a friend, colleague, landlord, customer or anything else.",
        "dual relationship relationships roles role colleague neighbour neighbor landlord",
        None,
    ),
    (
        "friendships-with-clients",
        "Friendships with clients",
        "Becoming friends with clients, seeing them socially, and keeping the work professional.",
        "friend friends friendship friendships social socially party invite invited invitation",
        None,
    ),
    (
        "dating-clients-and-the-law",
        "Dating clients and the law",
        "Romantic interest from or in a client, and what the law and codes of ethics say.",
        "date dating romantic romance attraction attracted asked out sexual relationship",
        None,
    ),
    (
        "trading-services",
        "Trading services and bartering",
        "Trading massages with colleagues, bartering bodywork for other services.",
        "trade trading traded trades barter bartering exchange swap swapping",
        None,
    ),
    (
        "friends-and-family-as-clients",
        "Friends and family as clients",
        "Treating your partner, relatives and friends: discounts, boundaries and expectations.",
        "family relative relatives mother father sister brother partner spouse cousin",
        None,
    ),
    (
        "power-differential",
        "Power differential",
        "The imbalance of power between practitioner and client, and how to hold it well.",
        "power differential imbalance vulnerable vulnerability authority",
        None,
    ),
    (
        "transference-and-countertransference",
        "Transference and countertransference",
        "Feelings clients project onto practitioners, and practitioners onto clients.",
        "transference countertransference projection projecting feelings attachment",
        None,
    ),
    (
        "boundaries",
        "Boundaries",
        "Setting, explaining and keeping professional boundaries.",
        "boundary boundaries limit limits line lines personal professional",
        None,
    ),
    (
        "cancellations-and-billing",
        "Cancellations and billing",
        "Late cancellations, no-shows, fees, refunds and charging for shortened sessions.",
        "cancel cancellation cancellations cancelled fee fees charge charged billing refund payment no-show",
        None,
    ),
    (
        "licensing-and-state-law",
        "Licensing and state law",
        "Licences, state boards, reciprocity and what the law requires of practitioners.",
        "license licence licensing licensed board state law laws legal statute reciprocity",
        None,
    ),
    (
        "stopping-a-session",
        "Stopping a session",
        "When a client wants to stop, for any reason, and what the practitioner must do.",
        "stop stopped stopping end ended ending early halfway mid-session",
        "stop-any-reason",
    ),
    (
        "appointment-changes",
        "Appointment changes",
        "Shortening, moving or changing an appointment, and the client's right to keep reasons private.",
        "appointment appointments reschedule shorten shorter shortened change changed modify",
        "appointment-changes",
    ),
    (
        "illness-and-emergencies",
        "Illness and emergencies during a session",
        "A client who becomes ill or learns of an emergency on the table.",
        "ill illness sick dizzy faint nausea emergency emergencies unwell medical ambulance 911",
        "illness",
    ),
    (
        "illicit-requests-and-safety",
        "Illicit requests and safety",
        "Requests for sexual or illegal services, and keeping the practitioner safe.",
        "illicit sexual sex inappropriate unsafe safety harassment proposition police",
        "illicit-request",
    ),
    (
        "scope-of-practice",
        "Scope of practice",
        "What is and is not within a massage therapist's training and licence.",
        "scope diagnose diagnosis prescribe treatment medical advice refer referral",
        None,
    ),
    (
        "confidentiality",
        "Confidentiality",
        "Keeping what clients share private, in the room, online and in this forum.",
        "confidential confidentiality privacy private identify identifying records notes",
        None,
    ),
    (
        "ethics-education",
        "Ethics education",
        "What massage schools and continuing education teach about ethics, and what they miss.",
        "school schools taught teach teaching education class classes course curriculum training",
        None,
    ),
]


def upgrade() -> None:
    topic_table = op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("keywords", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("guideline_section_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", forum.kit.time.UTCDateTime(timezone=True), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guideline_section_id"],
            ["guideline_section.id"],
            name=op.f("fk_topic_guideline_section_id_guideline_section"),
        ),
        sa.ForeignKeyConstraint(["merged_into_id"], ["topic.id"], name=op.f("fk_topic_merged_into_id_topic")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
        sa.UniqueConstraint("name", name=op.f("uq_topic_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_topic_slug")),
    )
    op.create_table(
        "topic_alias",
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"], name=op.f("fk_topic_alias_topic_id_topic")),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_topic_alias")),
    )
    with op.batch_alter_table("topic_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_alias_topic_id"), ["topic_id"], unique=False)
    op.create_table(
        "thread_topic",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("last_activity_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["thread.id"], name=op.f("fk_thread_topic_thread_id_thread")),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"], name=op.f("fk_thread_topic_topic_id_topic")),
        sa.PrimaryKeyConstraint("thread_id", "topic_id", name=op.f("pk_thread_topic")),
    )
    with op.batch_alter_table("thread_topic", schema=None) as batch_op:
        batch_op.create_index("ix_thread_topic_activity", ["topic_id", "last_activity_at", "thread_id"], unique=False)

    sections = _stop_session_sections()
    now = datetime.now(UTC)
    op.bulk_insert(
        topic_table,
        [
            {
                "slug": slug,
                "name": name,
                "description": description,
                "keywords": keywords,
                "guideline_section_id": sections.get(anchor) if anchor else None,
                "created_at": now,
            }
            for slug, name, description, keywords, anchor in TOPICS
        ],
    )


def _stop_session_sections() -> dict[str, int]:
    """Section ids of the stop-session guideline by anchor, as the previous migration loaded them."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT s.anchor, s.id FROM guideline_section s JOIN guideline_document d ON d.id = s.document_id "
            "WHERE d.slug = 'stop-session'"
        )
    )
    return {anchor: section_id for anchor, section_id in rows}


def downgrade() -> None:
    with op.batch_alter_table("thread_topic", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_topic_activity")
    op.drop_table("thread_topic")
    with op.batch_alter_table("topic_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_alias_topic_id"))
    op.drop_table("topic_alias")
    op.drop_table("topic")
