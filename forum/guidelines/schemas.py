"""Shapes of the guidelines API and the rules for editing a section."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from forum.guidelines.models import HEADING_MAX, NOTE_MAX
from forum.kit.text import Body, bounded_text

# ``version`` is a 32-bit integer column: a larger number is refused as invalid, not a 500.
VERSION_MAX = 2**31 - 1

Heading = bounded_text(min_length=3, max_length=HEADING_MAX)
EditNote = bounded_text(min_length=0, max_length=NOTE_MAX)


class GuidelineSectionUpdate(BaseModel):
    """An admin's edit of one section. ``version`` is the one the edit started from."""

    model_config = ConfigDict(extra="forbid")

    heading: Heading
    body: Body
    note: EditNote = ""
    version: int = Field(ge=1, le=VERSION_MAX)


class GuidelineSectionPublic(BaseModel):
    anchor: str = Field(description="Stable id of the section: link to /guidelines/{slug}#{anchor}")
    heading: str = Field(description="Editorial label of the section, as shown in the table of contents")
    part_heading: str | None = Field(
        description="The document's own heading, on the first section of the part it opens; otherwise null"
    )
    body_html: str = Field(description="The official text as sanitised HTML")


class GuidelinePublic(BaseModel):
    """A guideline document with every section in order."""

    slug: str
    title: str
    updated_at: datetime = Field(description="When any section was last edited")
    sections: list[GuidelineSectionPublic]


class GuidelineSectionLink(BaseModel):
    anchor: str
    heading: str


class GuidelineSummary(BaseModel):
    """A guideline document in a list: its sections by anchor and heading, without their text."""

    slug: str
    title: str
    updated_at: datetime
    sections: list[GuidelineSectionLink]
