"""Each topic keeps its thread counts on its own row, and database triggers keep them exact.

Whatever writes a thread or its topics (a service, a moderator, an admin merging topics, a
plain SQL statement) the counts must equal a fresh count of what a visitor and a member may read.
"""

from sqlmodel import col, select, update

from forum.accounts.models import Role
from forum.permissions import Viewer
from forum.threads.models import Audience, Thread, Visibility
from forum.topics import queries
from forum.topics import service as topics_service
from forum.topics.models import ThreadTopic, Topic

TOPICS = ("boundaries", "confidentiality", "trading-services", "dual-relationships")


def _stored_and_fresh_counts(database) -> tuple[dict, dict]:
    """Each topic's (public, member) counts as stored, and as counted afresh from the threads."""
    with database.session() as session:
        stored = {t.slug: (t.public_thread_count, t.member_thread_count) for t in session.exec(select(Topic)).all()}
        rows = session.exec(
            select(Topic.slug, Thread.audience)
            .join(ThreadTopic, col(ThreadTopic.topic_id) == Topic.id)
            .join(Thread, col(Thread.id) == ThreadTopic.thread_id)
            .where(col(Thread.deleted_at).is_(None), Thread.visibility == Visibility.VISIBLE)
        ).all()
    fresh = dict.fromkeys(stored, (0, 0))
    for slug, audience in rows:
        public, member = fresh[slug]
        fresh[slug] = (public + (audience == Audience.PUBLIC), member + 1)
    return stored, fresh


def test_counts_follow_every_kind_of_write(factory, database) -> None:
    author = factory.member()
    admin = Viewer(member=factory.member(role=Role.ADMIN))
    public = [factory.thread(author, audience="public", tags=TOPICS[:2]) for _ in range(3)]
    members_only = [factory.thread(author, audience="members", tags=TOPICS[1:3]) for _ in range(2)]
    factory.thread(author, audience="public", tags=TOPICS[2:], deleted=True)
    stored, fresh = _stored_and_fresh_counts(database)
    assert stored == fresh
    assert stored["boundaries"] == (3, 3) and stored["confidentiality"] == (3, 5)

    with database.session(write=True) as session:
        # Moderation hides one, an audience changes, one is deleted and restored, one is retagged.
        session.execute(update(Thread).where(col(Thread.id) == public[0].id).values(visibility=Visibility.HIDDEN))
        session.execute(update(Thread).where(col(Thread.id) == members_only[0].id).values(audience=Audience.PUBLIC))
        session.execute(update(Thread).where(col(Thread.id) == public[1].id).values(deleted_at=public[1].created_at))
        session.execute(update(Thread).where(col(Thread.id) == public[1].id).values(deleted_at=None))
        retagged = topics_service.topics_for_tagging(session, [TOPICS[3]])
        topics_service.set_thread_topics(session, thread=session.get(Thread, public[2].id), topics=retagged)
        topics_service.merge_topic(session, viewer=admin, slug=TOPICS[2], into=TOPICS[3])
    stored, fresh = _stored_and_fresh_counts(database)
    assert stored == fresh
    assert stored[TOPICS[2]] == (0, 0)


def test_recounting_gives_what_the_triggers_kept(factory, database) -> None:
    author = factory.member()
    for audience in ("public", "members", "public"):
        factory.thread(author, audience=audience, tags=TOPICS[:2])
    before, _fresh = _stored_and_fresh_counts(database)
    with database.session(write=True) as session:
        session.execute(update(Topic).values(public_thread_count=0, member_thread_count=0))
        session.execute(queries.recount_threads())
    after, _fresh = _stored_and_fresh_counts(database)
    assert after == before and after["boundaries"] == before["boundaries"] != (0, 0)


def test_out_of_view_threads_count_for_their_author_and_for_moderators_only(client, factory) -> None:
    author, other = factory.member(), factory.member()
    moderator = factory.member(role=Role.MODERATOR)
    factory.thread(author, audience="members", tags=("power-differential",))
    hidden = factory.thread(author, audience="members", tags=("power-differential",))
    with factory.database.session(write=True) as session:
        session.execute(update(Thread).where(col(Thread.id) == hidden.id).values(visibility=Visibility.HIDDEN))

    def count(who) -> int:
        tags = client.get("/api/v1/tags", headers=factory.headers(who) if who else {}).json()
        return next(tag["thread_count"] for tag in tags if tag["slug"] == "power-differential")

    assert (count(None), count(other), count(author), count(moderator)) == (0, 1, 2, 2)
