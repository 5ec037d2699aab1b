"""JSON API for topics (tags)."""

from fastapi import APIRouter

from forum.deps import ApiViewerDep, SessionDep
from forum.topics import service
from forum.topics.schemas import GuidelineSectionRef, TagPublic
from forum.topics.service import TopicEntry

router = APIRouter(tags=["topics"])


def tag_public(entry: TopicEntry) -> TagPublic:
    section = None
    if entry.section is not None and entry.document is not None:
        section = GuidelineSectionRef(
            document=entry.document.slug, anchor=entry.section.anchor, heading=entry.section.heading
        )
    topic = entry.topic
    return TagPublic(
        slug=topic.slug,
        name=topic.name,
        description=topic.description,
        guideline_section=section,
        thread_count=entry.thread_count,
    )


@router.get("/tags", response_model=list[TagPublic])
def list_tags(viewer: ApiViewerDep, session: SessionDep) -> list[TagPublic]:
    """The topics on offer, each with the number of threads the caller may see."""
    return [tag_public(entry) for entry in service.list_topics(session, viewer=viewer)]
