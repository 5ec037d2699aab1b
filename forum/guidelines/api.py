"""JSON API for the official guidelines: public, read-only (admins edit them on the pages)."""

from fastapi import APIRouter

from forum.deps import SessionDep
from forum.guidelines import service
from forum.guidelines.paths import DocumentSlug
from forum.guidelines.schemas import (
    GuidelinePublic,
    GuidelineSectionLink,
    GuidelineSectionPublic,
    GuidelineSummary,
)
from forum.guidelines.service import GuidelineEntry

router = APIRouter(tags=["guidelines"])


def guideline_public(entry: GuidelineEntry) -> GuidelinePublic:
    return GuidelinePublic(
        slug=entry.document.slug,
        title=entry.document.title,
        updated_at=entry.document.updated_at,
        sections=[
            GuidelineSectionPublic(
                anchor=section.anchor,
                heading=section.heading,
                part_heading=section.part_heading,
                body_html=section.body_html,
            )
            for section in entry.sections
        ],
    )


def guideline_summary(entry: GuidelineEntry) -> GuidelineSummary:
    return GuidelineSummary(
        slug=entry.document.slug,
        title=entry.document.title,
        updated_at=entry.document.updated_at,
        sections=[GuidelineSectionLink(anchor=s.anchor, heading=s.heading) for s in entry.sections],
    )


@router.get("/guidelines", response_model=list[GuidelineSummary])
def list_guidelines(session: SessionDep) -> list[GuidelineSummary]:
    """Every guideline document by title, with its sections' anchors and headings."""
    return [guideline_summary(entry) for entry in service.list_documents(session)]


@router.get(
    "/guidelines/{slug}",
    response_model=GuidelinePublic,
    responses={404: {"description": "No guideline document has this slug"}},
)
def get_guideline(slug: DocumentSlug, session: SessionDep) -> GuidelinePublic:
    """One guideline document: its official text, section by section, in reading order."""
    return guideline_public(service.get_document(session, slug=slug))
