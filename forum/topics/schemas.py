"""Shapes of the topics API, and the rules for choosing topics and editing the taxonomy."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from forum.kit.text import bounded_text
from forum.topics.models import DESCRIPTION_MAX, KEYWORDS_MAX, NAME_MAX, SLUG_MAX

MIN_TOPICS = 1
MAX_TOPICS = 5

TopicSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=SLUG_MAX)]


def _no_repeats(slugs: list[str]) -> list[str]:
    if len(set(slugs)) != len(slugs):
        raise ValueError("lists the same topic twice")
    return slugs


TopicChoice = Annotated[
    list[TopicSlug], Field(min_length=MIN_TOPICS, max_length=MAX_TOPICS), AfterValidator(_no_repeats)
]
TopicName = bounded_text(min_length=2, max_length=NAME_MAX)
TopicDescription = bounded_text(min_length=0, max_length=DESCRIPTION_MAX)
TopicKeywords = bounded_text(min_length=0, max_length=KEYWORDS_MAX)
# "document/anchor" of a guideline section, or empty for none.
SectionReference = Annotated[str, StringConstraints(pattern=r"^([a-z0-9-]+/[a-z0-9-]+)?$", max_length=130)]


class TopicFields(BaseModel):
    """What an admin sets when adding or changing a topic."""

    model_config = ConfigDict(extra="forbid")

    slug: TopicSlug
    name: TopicName
    description: TopicDescription = ""
    keywords: TopicKeywords = ""
    guideline_section: SectionReference = ""


class TopicMerge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: TopicSlug


class GuidelineSectionRef(BaseModel):
    document: str
    anchor: str
    heading: str


class TagPublic(BaseModel):
    slug: str
    name: str
    description: str
    guideline_section: GuidelineSectionRef | None
    thread_count: int
