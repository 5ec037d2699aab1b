"""guidelines: documents, sections and revisions, loaded with the official stop-session text

Revision ID: c622335b17de
Revises: e382980ccbc5
Create Date: 2026-11-22 06:39:17.402647
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import forum.kit.time
from forum.guidelines.content import read_document
from forum.kit.markup import render_markdown

revision: str = "c622335b17de"
down_revision: str | None = "e382980ccbc5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The documents shipped in forum/guidelines/content/ that this migration loads.
SHIPPED_DOCUMENTS = ("stop-session",)


def upgrade() -> None:
    document_table = op.create_table(
        "guideline_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_document")),
        sa.UniqueConstraint("slug", name=op.f("uq_guideline_document_slug")),
    )
    with op.batch_alter_table("guideline_document", schema=None) as batch_op:
        batch_op.create_index("ix_guideline_document_title", ["title", "id"], unique=False)

    section_table = op.create_table(
        "guideline_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("anchor", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part_heading", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=True),
        sa.Column("heading", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["guideline_document.id"],
            name=op.f("fk_guideline_section_document_id_guideline_document"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_section")),
        sa.UniqueConstraint("document_id", "anchor", name="uq_guideline_section_document_id_anchor"),
    )
    with op.batch_alter_table("guideline_section", schema=None) as batch_op:
        batch_op.create_index("ix_guideline_section_document", ["document_id", "position"], unique=False)

    op.create_table(
        "guideline_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.kit.time.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("previous_heading", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("heading", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False),
        sa.Column("previous_body", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["editor_id"], ["member.id"], name=op.f("fk_guideline_revision_editor_id_member")),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["guideline_section.id"],
            name=op.f("fk_guideline_revision_section_id_guideline_section"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_revision")),
    )
    with op.batch_alter_table("guideline_revision", schema=None) as batch_op:
        batch_op.create_index("ix_guideline_revision_section", ["section_id", "id"], unique=False)

    for slug in SHIPPED_DOCUMENTS:
        _load_document(document_table, section_table, slug)


def _load_document(document_table: sa.Table, section_table: sa.Table, slug: str) -> None:
    """Insert one shipped document and its sections, bodies rendered as the app renders them."""
    content = read_document(slug)
    now = forum.kit.time.utcnow()
    inserted = op.get_bind().execute(
        document_table.insert().values(slug=content.slug, title=content.title, created_at=now, updated_at=now)
    )
    document_id = inserted.inserted_primary_key[0]
    op.bulk_insert(
        section_table,
        [
            {
                "document_id": document_id,
                "anchor": section.anchor,
                "position": position,
                "part_heading": section.part_heading,
                "heading": section.heading,
                "body": section.body,
                "body_html": render_markdown(section.body),
                "version": 1,
                "updated_at": now,
            }
            for position, section in enumerate(content.sections, start=1)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("guideline_revision", schema=None) as batch_op:
        batch_op.drop_index("ix_guideline_revision_section")

    op.drop_table("guideline_revision")
    with op.batch_alter_table("guideline_section", schema=None) as batch_op:
        batch_op.drop_index("ix_guideline_section_document")

    op.drop_table("guideline_section")
    with op.batch_alter_table("guideline_document", schema=None) as batch_op:
        batch_op.drop_index("ix_guideline_document_title")

    op.drop_table("guideline_document")
