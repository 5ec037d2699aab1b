"""Tables of the guidelines domain: documents, their sections, and every edit of a section."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from forum.kit.tables import long_text, timestamp

SLUG_MAX = 80
ANCHOR_MAX = 40
DOCUMENT_TITLE_MAX = 200
HEADING_MAX = 150
NOTE_MAX = 200


class GuidelineDocument(SQLModel, table=True):
    """One official guideline. ``updated_at`` moves whenever any of its sections is edited."""

    __tablename__ = "guideline_document"
    __table_args__ = (Index("ix_guideline_document_title", "title", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=SLUG_MAX, unique=True)
    title: str = Field(max_length=DOCUMENT_TITLE_MAX)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class GuidelineSection(SQLModel, table=True):
    """A part of a guideline with a stable anchor, shown in ``position`` order.

    ``heading`` is an editorial label for the table of contents; ``part_heading`` is
    the document's own heading, set on the first section of the part it opens.
    ``version`` goes up by one on every edit, so two admins editing at once cannot
    silently overwrite each other.
    """

    __tablename__ = "guideline_section"
    __table_args__ = (
        UniqueConstraint("document_id", "anchor", name="uq_guideline_section_document_id_anchor"),
        Index("ix_guideline_section_document", "document_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="guideline_document.id")
    anchor: str = Field(max_length=ANCHOR_MAX)
    position: int
    part_heading: str | None = Field(default=None, max_length=HEADING_MAX)
    heading: str = Field(max_length=HEADING_MAX)
    body: str = long_text()
    body_html: str = long_text()
    version: int = 1
    updated_at: datetime = timestamp()


class GuidelineRevision(SQLModel, table=True):
    """One edit of a section: who made it, when, and the text before and after. Only ever added."""

    __tablename__ = "guideline_revision"
    __table_args__ = (Index("ix_guideline_revision_section", "section_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="guideline_section.id")
    editor_id: int = Field(foreign_key="member.id")
    created_at: datetime = timestamp()
    note: str = Field(default="", max_length=NOTE_MAX)
    previous_heading: str = Field(max_length=HEADING_MAX)
    heading: str = Field(max_length=HEADING_MAX)
    previous_body: str = long_text()
    body: str = long_text()
