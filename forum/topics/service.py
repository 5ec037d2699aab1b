"""The rules of topics: choosing them for a thread, suggesting them, and keeping the taxonomy.

Admins add, rename, describe, merge and retire topics. Nothing is ever deleted: a
renamed topic's old slug becomes an alias that redirects, a merged topic is retired and
points at its target, and a retired topic stays on the threads that already carry it.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, col, func, select, update

from forum.errors import Conflict, InvalidInput, NotFound
from forum.guidelines import service as guidelines_service
from forum.guidelines.models import GuidelineDocument, GuidelineSection
from forum.kit.time import utcnow
from forum.permissions import Viewer, can_manage_topics, require
from forum.threads.models import Thread
from forum.topics import queries
from forum.topics.models import ThreadTopic, Topic, TopicAlias
from forum.topics.schemas import MAX_TOPICS, TopicFields

SUGGESTION_LIMIT = 3
_WORD = re.compile(r"[a-z0-9']+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class TopicEntry:
    """A topic with the guideline section it relates to and how many threads the viewer may see in it."""

    topic: Topic
    section: GuidelineSection | None = None
    document: GuidelineDocument | None = None
    thread_count: int = 0

    @property
    def guideline_path(self) -> str | None:
        if self.section is None or self.document is None:
            return None
        return guidelines_service.section_path(self.document.slug, self.section.anchor)


# --- reading -----------------------------------------------------------------------


def list_topics(
    session: Session, *, viewer: Viewer, include_retired: bool = False, topic_id: int | None = None
) -> list[TopicEntry]:
    """Topics by name with their guideline sections and the threads the viewer may read in each (all, or just one).

    The counts come from the topic rows (kept by triggers), plus for a member the few threads out
    of everyone's view they still see: exact, without counting a topic's threads on each view.
    """
    statement = queries.topics_with_sections(include_retired=include_retired, one=topic_id is not None)
    rows = session.exec(statement, params={"topic_id": topic_id}).all()
    extra = {}
    if viewer.is_member:
        counts = queries.out_of_view_thread_counts(moderator=viewer.is_moderator)
        extra = dict(session.exec(counts, params={"member_id": viewer.id}).all())
    return [
        TopicEntry(topic, section, document, _thread_count(topic, viewer) + extra.get(topic.id, 0))
        for topic, section, document in rows
    ]


def _thread_count(topic: Topic, viewer: Viewer) -> int:
    """The threads in a topic that everyone of the viewer's kind may read, from the topic's own row."""
    return topic.member_thread_count if viewer.is_member else topic.public_thread_count


def resolve_slug(session: Session, slug: str) -> tuple[Topic, bool]:
    """The topic a slug names, and whether the slug is an old one that should redirect.

    A merged topic leads to the topic it was merged into.
    """
    topic = session.exec(select(Topic).where(Topic.slug == slug)).first()
    moved = False
    if topic is None:
        alias = session.get(TopicAlias, slug)
        if alias is None:
            raise NotFound("There is no such topic.")
        topic, moved = session.get(Topic, alias.topic_id), True
    while topic is not None and topic.merged_into_id is not None:
        topic, moved = session.get(Topic, topic.merged_into_id), True
    if topic is None:
        raise NotFound("There is no such topic.")
    return topic, moved


def get_topic(session: Session, *, viewer: Viewer, topic: Topic) -> TopicEntry:
    """One topic with its visible thread count and guideline section."""
    entries = list_topics(session, viewer=viewer, include_retired=True, topic_id=topic.id)
    if not entries:
        raise NotFound("There is no such topic.")
    return entries[0]


def topics_by_thread(session: Session, thread_ids: list[int]) -> dict[int, list[TopicEntry]]:
    """The topics of many threads in one query (for lists: no query per thread)."""
    found: dict[int, list[TopicEntry]] = defaultdict(list)
    if thread_ids:
        rows = session.exec(queries.topics_of_threads(), params={"thread_ids": thread_ids})
        for thread_id, topic, section, document in rows.all():
            found[thread_id].append(TopicEntry(topic, section, document))
    return found


def topic_ids_for_filter(session: Session, slugs: list[str]) -> list[int]:
    """The topics a list is filtered by; an unknown slug is a clear 404."""
    ids = []
    for slug in dict.fromkeys(slugs):
        topic, _moved = resolve_slug(session, slug)
        ids.append(topic.id)
    return ids


def suggest(session: Session, text: str, *, limit: int = SUGGESTION_LIMIT) -> list[Topic]:
    """Topics whose keywords appear in the text, best match first (only topics still offered)."""
    words = Counter(_stem(word) for word in _WORD.findall(text.lower()))
    scored = []
    for topic in session.exec(select(Topic).where(col(Topic.retired_at).is_(None))).all():
        keywords = {_stem(k) for k in topic.keywords.split()} | {_stem(w) for w in _WORD.findall(topic.name.lower())}
        score = sum(words[k] for k in keywords if len(k) > 2)
        if score:
            scored.append((score, topic.name, topic))
    return [topic for _score, _name, topic in sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]]


def _stem(word: str) -> str:
    """A light English stemmer: enough that "trading", "trades" and "traded" meet "trade"."""
    for suffix in ("ings", "ing", "ied", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e") if len(word) > 3 else word


# --- tagging threads ---------------------------------------------------------------


def topics_for_tagging(session: Session, slugs: list[str], *, already: set[int] | None = None) -> list[Topic]:
    """The topics behind the chosen slugs; each must exist and still be offered.

    A retired topic a thread already carries may stay on it (``already``).
    """
    if not 1 <= len(slugs) <= MAX_TOPICS:
        raise InvalidInput({"tags": f"choose between 1 and {MAX_TOPICS} topics"})
    topics = session.exec(select(Topic).where(col(Topic.slug).in_(slugs))).all()
    by_slug = {topic.slug: topic for topic in topics}
    unknown = [slug for slug in slugs if slug not in by_slug]
    if unknown:
        raise InvalidInput({"tags": f"has topics that do not exist: {', '.join(unknown)}"})
    retired = [t.slug for t in topics if t.is_retired and t.id not in (already or set())]
    if retired:
        raise InvalidInput({"tags": f"has topics that are no longer offered: {', '.join(retired)}"})
    return [by_slug[slug] for slug in slugs]


def set_thread_topics(session: Session, *, thread: Thread, topics: list[Topic]) -> None:
    session.execute(delete(ThreadTopic).where(col(ThreadTopic.thread_id) == thread.id))
    session.execute(
        insert(ThreadTopic),
        [{"thread_id": thread.id, "topic_id": t.id, "last_activity_at": thread.last_activity_at} for t in topics],
    )


def topic_ids_of(session: Session, thread_id: int) -> set[int]:
    return set(session.exec(select(ThreadTopic.topic_id).where(ThreadTopic.thread_id == thread_id)).all())


def record_activity(session: Session, *, thread_id: int, at: datetime) -> None:
    """Keep each topic's copy of the thread's latest activity in step (see ThreadTopic)."""
    session.execute(
        update(ThreadTopic).where(col(ThreadTopic.thread_id) == thread_id).values(last_activity_at=at),
        execution_options={"synchronize_session": False},
    )


# --- the taxonomy ------------------------------------------------------------------


def ensure_can_manage(viewer: Viewer) -> None:
    """Checked before a form is read: only admins keep the taxonomy."""
    require(can_manage_topics(viewer), viewer)


def topics_for_managing(session: Session, *, viewer: Viewer) -> list[TopicEntry]:
    """Every topic, retired and merged ones too, for the admins' page."""
    ensure_can_manage(viewer)
    return list_topics(session, viewer=viewer, include_retired=True)


def topic_for_managing(session: Session, *, viewer: Viewer, slug: str) -> Topic:
    ensure_can_manage(viewer)
    topic = session.exec(select(Topic).where(Topic.slug == slug)).first()
    if topic is None:
        raise NotFound("There is no such topic.")
    return topic


def add_topic(session: Session, *, viewer: Viewer, fields: TopicFields) -> Topic:
    ensure_can_manage(viewer)
    topic = Topic(slug=fields.slug, name=fields.name)
    _apply(session, topic, fields)
    session.add(topic)
    session.flush()
    return topic


def change_topic(session: Session, *, viewer: Viewer, slug: str, fields: TopicFields) -> Topic:
    """Rename and describe a topic; an old slug keeps working as a redirect."""
    topic = topic_for_managing(session, viewer=viewer, slug=slug)
    old_slug = topic.slug
    _apply(session, topic, fields)
    if fields.slug != old_slug:
        session.execute(delete(TopicAlias).where(col(TopicAlias.slug) == fields.slug))
        session.add(TopicAlias(slug=old_slug, topic_id=topic.id))
    session.flush()
    return topic


def _apply(session: Session, topic: Topic, fields: TopicFields) -> None:
    _require_unused(session, topic, fields)
    topic.slug = fields.slug
    topic.name = fields.name
    topic.description = fields.description
    topic.keywords = fields.keywords
    topic.guideline_section_id = _section_id(session, fields.guideline_section)


def _require_unused(session: Session, topic: Topic, fields: TopicFields) -> None:
    """Slugs (current or old) and names, ignoring case, belong to one topic each."""
    slug_owner = session.exec(select(Topic).where(Topic.slug == fields.slug)).first()
    alias = session.get(TopicAlias, fields.slug)
    owner_id = slug_owner.id if slug_owner else (alias.topic_id if alias else None)
    if owner_id is not None and owner_id != topic.id:
        raise Conflict(f"The address “{fields.slug}” is already used by another topic.")
    named = session.exec(select(Topic).where(func.lower(Topic.name) == fields.name.lower())).first()
    if named is not None and named.id != topic.id:
        raise Conflict(f"A topic named “{named.name}” already exists.")


def _section_id(session: Session, reference: str) -> int | None:
    if not reference:
        return None
    document_slug, anchor = reference.split("/", 1)
    section = guidelines_service.find_section(session, document_slug, anchor)
    if section is None:
        raise InvalidInput({"guideline_section": "is not a section of a guideline"})
    return section.id


def merge_topic(session: Session, *, viewer: Viewer, slug: str, into: str) -> Topic:
    """Move every thread of one topic to another, then retire it pointing at the target."""
    source = topic_for_managing(session, viewer=viewer, slug=slug)
    target = topic_for_managing(session, viewer=viewer, slug=into)
    if source.id == target.id:
        raise InvalidInput({"into": "must be another topic"})
    if target.is_retired:
        raise InvalidInput({"into": "is retired; restore it first"})
    already_in_target = select(ThreadTopic.thread_id).where(ThreadTopic.topic_id == target.id)
    session.execute(
        delete(ThreadTopic).where(
            col(ThreadTopic.topic_id) == source.id, col(ThreadTopic.thread_id).in_(already_in_target)
        )
    )
    session.execute(update(ThreadTopic).where(col(ThreadTopic.topic_id) == source.id).values(topic_id=target.id))
    session.execute(update(TopicAlias).where(col(TopicAlias.topic_id) == source.id).values(topic_id=target.id))
    source.merged_into_id = target.id
    source.retired_at = source.retired_at or utcnow()
    session.flush()
    return target


def retire_topic(session: Session, *, viewer: Viewer, slug: str) -> Topic:
    topic = topic_for_managing(session, viewer=viewer, slug=slug)
    topic.retired_at = topic.retired_at or utcnow()
    session.flush()
    return topic


def restore_topic(session: Session, *, viewer: Viewer, slug: str) -> Topic:
    topic = topic_for_managing(session, viewer=viewer, slug=slug)
    if topic.merged_into_id is not None:
        raise Conflict("A merged topic cannot be restored: its threads now belong to another topic.")
    topic.retired_at = None
    session.flush()
    return topic
