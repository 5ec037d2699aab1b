"""Query builders for guideline documents, sections and revisions.

A document and its sections come back from one query (an outer join ordered by
position), so a page costs the same however many sections a document has.
"""

from typing import Any

from sqlmodel import col, select

from forum.accounts.models import Member
from forum.guidelines.models import GuidelineDocument, GuidelineRevision, GuidelineSection


def _documents_with_sections() -> Any:
    return select(GuidelineDocument, GuidelineSection).outerjoin(
        GuidelineSection, col(GuidelineSection.document_id) == GuidelineDocument.id
    )


def all_documents_with_sections() -> Any:
    """Every document by title, each followed by its sections in order."""
    return _documents_with_sections().order_by(
        col(GuidelineDocument.title), col(GuidelineDocument.id), col(GuidelineSection.position)
    )


def document_with_sections(slug: str) -> Any:
    return (
        _documents_with_sections()
        .where(GuidelineDocument.slug == slug)
        .order_by(col(GuidelineSection.position), col(GuidelineSection.id))
    )


def section_in_document(document_slug: str, anchor: str) -> Any:
    return (
        select(GuidelineDocument, GuidelineSection)
        .join(GuidelineSection, col(GuidelineSection.document_id) == GuidelineDocument.id)
        .where(GuidelineDocument.slug == document_slug, GuidelineSection.anchor == anchor)
    )


def revisions_of_section(section_id: int) -> Any:
    """A section's edits with their editors, newest first."""
    return (
        select(GuidelineRevision, Member)
        .join(Member, col(Member.id) == GuidelineRevision.editor_id)
        .where(GuidelineRevision.section_id == section_id)
        .order_by(col(GuidelineRevision.id).desc())
    )
