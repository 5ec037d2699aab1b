"""The rules of the official guidelines: anyone reads them, admins edit them, every edit is kept.

A section's text is stored twice: the Markdown source an admin wrote, and the sanitised
HTML made from it by ``render_markdown``. Each edit adds a revision holding the text
before and after, so the history can show who changed what, and when, as a diff.
"""

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

from sqlmodel import Session, col, select, update

from forum.accounts.models import Member
from forum.errors import Conflict
from forum.guidelines import queries
from forum.guidelines.content import DocumentContent
from forum.guidelines.models import GuidelineDocument, GuidelineRevision, GuidelineSection
from forum.guidelines.schemas import GuidelineSectionUpdate
from forum.kit.markup import render_markdown
from forum.kit.time import utcnow
from forum.permissions import Viewer, can_edit_guidelines, require, require_visible

EDIT_CONFLICT = (
    "Someone else changed this section after you opened it. Your text is kept below: "
    "compare it with the latest edit in the history, then save again."
)


@dataclass(frozen=True)
class GuidelinePart:
    """Consecutive sections under one of the document's own headings (None before the first one)."""

    heading: str | None
    sections: list[GuidelineSection]


@dataclass(frozen=True)
class GuidelineEntry:
    """A document with its sections in reading order."""

    document: GuidelineDocument
    sections: list[GuidelineSection] = field(default_factory=list)

    @property
    def parts(self) -> list[GuidelinePart]:
        parts: list[GuidelinePart] = []
        for section in self.sections:
            if not parts or section.part_heading:
                parts.append(GuidelinePart(section.part_heading, []))
            parts[-1].sections.append(section)
        return parts


@dataclass(frozen=True)
class SectionEntry:
    document: GuidelineDocument
    section: GuidelineSection


@dataclass(frozen=True)
class DiffSegment:
    kind: Literal["same", "added", "removed"]
    text: str


@dataclass(frozen=True)
class RevisionEntry:
    """One edit as the history shows it: the revision, its editor, and what changed."""

    revision: GuidelineRevision
    editor: Member
    heading_diff: list[DiffSegment] | None
    body_diff: list[DiffSegment] | None


@dataclass(frozen=True)
class SectionHistory:
    document: GuidelineDocument
    section: GuidelineSection
    revisions: list[RevisionEntry]


def section_path(document_slug: str, anchor: str) -> str:
    """Where a section is read: its document's page, at the section's anchor."""
    return f"/guidelines/{document_slug}#{anchor}"


# --- reading (public) ----------------------------------------------------------------


def list_documents(session: Session) -> list[GuidelineEntry]:
    """Every guideline document, by title, with its sections."""
    entries: dict[int, GuidelineEntry] = {}
    for document, section in session.exec(queries.all_documents_with_sections()).all():
        entry = entries.setdefault(document.id, GuidelineEntry(document))
        if section is not None:
            entry.sections.append(section)
    return list(entries.values())


def get_document(session: Session, *, slug: str) -> GuidelineEntry:
    rows = session.exec(queries.document_with_sections(slug)).all()
    require_visible(bool(rows))
    return GuidelineEntry(rows[0][0], [section for _document, section in rows if section is not None])


def find_section(session: Session, document_slug: str, anchor: str) -> GuidelineSection | None:
    """The section at ``anchor`` in the document ``document_slug``, or None: for citing a guideline in a post."""
    row = session.exec(queries.section_in_document(document_slug, anchor)).first()
    return row[1] if row is not None else None


# --- adding a document (the `forum guidelines add` command) ---------------------------


def add_document(session: Session, *, content: DocumentContent) -> GuidelineDocument:
    """Load a new guideline document; one that is already loaded is edited on the site instead."""
    if session.exec(select(GuidelineDocument).where(GuidelineDocument.slug == content.slug)).first():
        raise Conflict(f"The guideline “{content.slug}” is already loaded; edit its sections on the site.")
    now = utcnow()
    document = GuidelineDocument(slug=content.slug, title=content.title, created_at=now, updated_at=now)
    session.add(document)
    session.flush()
    for position, section in enumerate(content.sections, start=1):
        session.add(
            GuidelineSection(
                document_id=document.id,
                anchor=section.anchor,
                position=position,
                part_heading=section.part_heading,
                heading=section.heading,
                body=section.body,
                body_html=render_markdown(section.body),
                updated_at=now,
            )
        )
    session.flush()
    return document


# --- editing (admins) ----------------------------------------------------------------


def section_for_editing(session: Session, *, viewer: Viewer, slug: str, anchor: str) -> SectionEntry:
    row = session.exec(queries.section_in_document(slug, anchor)).first()
    require_visible(row is not None)
    assert row is not None
    require(can_edit_guidelines(viewer), viewer, "Only admins edit the official guidelines.")
    return SectionEntry(*row)


def edit_section(
    session: Session, *, viewer: Viewer, slug: str, anchor: str, data: GuidelineSectionUpdate
) -> SectionEntry:
    """Change a section's heading and text, keeping the change as a revision.

    The update only applies to the version the admin started from, so of two admins
    editing at once the second is told (``Conflict``) instead of silently overwriting.
    """
    entry = section_for_editing(session, viewer=viewer, slug=slug, anchor=anchor)
    section = entry.section
    if data.heading == section.heading and data.body == section.body:
        return entry
    previous_heading, previous_body = section.heading, section.body
    now = utcnow()
    result = session.execute(
        update(GuidelineSection)
        .where(col(GuidelineSection.id) == section.id, col(GuidelineSection.version) == data.version)
        .values(
            heading=data.heading,
            body=data.body,
            body_html=render_markdown(data.body),
            version=col(GuidelineSection.version) + 1,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        session.refresh(section)  # so the form shown again carries the version that won
        raise Conflict(EDIT_CONFLICT)
    session.add(
        GuidelineRevision(
            section_id=section.id,
            editor_id=viewer.id,
            created_at=now,
            note=data.note,
            previous_heading=previous_heading,
            heading=data.heading,
            previous_body=previous_body,
            body=data.body,
        )
    )
    entry.document.updated_at = now
    session.flush()
    return entry


def section_history(session: Session, *, viewer: Viewer, slug: str, anchor: str) -> SectionHistory:
    """Every edit of a section, newest first, each with its diff: for admins."""
    entry = section_for_editing(session, viewer=viewer, slug=slug, anchor=anchor)
    revisions = [
        RevisionEntry(
            revision=revision,
            editor=editor,
            heading_diff=_diff_if_changed(revision.previous_heading, revision.heading),
            body_diff=_diff_if_changed(revision.previous_body, revision.body),
        )
        for revision, editor in session.exec(queries.revisions_of_section(entry.section.id or 0)).all()
    ]
    return SectionHistory(entry.document, entry.section, revisions)


# --- diffs ---------------------------------------------------------------------------

# Words and the white space between them, so a diff of prose reads as whole words.
_TOKENS = re.compile(r"\S+|\s+")


def text_diff(before: str, after: str) -> list[DiffSegment]:
    """Word-level differences between two texts, as plain-text segments for the page to escape."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    segments: list[DiffSegment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(DiffSegment("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            segments.append(DiffSegment("removed", "".join(old[i1:i2])))
        if j2 > j1:
            segments.append(DiffSegment("added", "".join(new[j1:j2])))
    return _join_changed_phrases(segments)


def _join_changed_phrases(segments: list[DiffSegment]) -> list[DiffSegment]:
    """Fold a lone space between two changes into them: "<del>a b</del><ins>c d</ins>", not word by word."""
    joined: list[DiffSegment] = []
    removed = added = ""
    for index, segment in enumerate(segments):
        bridges_changes = (
            segment.kind == "same" and segment.text.isspace() and bool(removed or added) and index + 1 < len(segments)
        )
        if segment.kind == "removed" or bridges_changes:
            removed += segment.text
        if segment.kind == "added" or bridges_changes:
            added += segment.text
        if segment.kind == "same" and not bridges_changes:
            joined.extend(_changes(removed, added))
            removed = added = ""
            joined.append(segment)
    joined.extend(_changes(removed, added))
    return joined


def _changes(removed: str, added: str) -> list[DiffSegment]:
    return [DiffSegment(kind, text) for kind, text in (("removed", removed), ("added", added)) if text]


def _diff_if_changed(before: str, after: str) -> list[DiffSegment] | None:
    return text_diff(before, after) if before != after else None
