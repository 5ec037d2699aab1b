"""The benchmark's data set: members, threads with topics, comments and reports, written in bulk.

The schema comes from the forum's own migrations (``upgrade_to_head``) on a fresh SQLite file
or PostgreSQL schema; the rows are then written straight into its tables, with every derived
column (comment counts, last activity, the topic index's copy of it, stored HTML) set as the
forum itself would set it. The shape aims at a real forum that has run for three years:

- members post with a long-tailed activity, a few are suspended or banned;
- a thread carries the largest topic plus up to two others, so one topic holds every thread
  (its last page is far down) while the others hold a share each;
- comments fall on threads with a Pareto tail (most threads have a few, some thousands),
  arrive after their thread, and get ids in time order, as posting gives them;
- about half the threads are members-only; a small share of posts is deleted, held, hidden
  or removed; some posts are reported, a few of those reports already resolved.
"""

import json
import random
import time
from array import array
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from argon2 import PasswordHasher
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import col

from bench.bulk import BulkWriter, indexes_set_aside
from bench.text import TextMaker, spread
from forum.accounts.models import Member, Role
from forum.config import Settings
from forum.db import alembic_config, upgrade_to_head
from forum.kit.markup import render_markdown
from forum.moderation.models import MEMBER_REASONS, SEVERITY, ItemStatus, ModerationEvent, Report, ReviewItem
from forum.threads.models import Audience, Comment, Thread, Visibility
from forum.topics import queries as topics_queries
from forum.topics.models import ThreadTopic, Topic

PASSWORD = "bench-member-password"  # noqa: S105 - every seeded member's password, for logging in under load
HISTORY = timedelta(days=3 * 365)
MEAN_REPLY_DELAY_S = 3 * 24 * 3600
COMMENTS_PER_PAGE = 50  # the thread page shows this many; showcase threads have at least as many
SHOWCASE_THREADS = 20
WRITABLE_THREADS = 2_000
LOGIN_MEMBERS = 96
RENDERING_CHECKS = 300

# Shares of posts in each state, and of members in each standing.
POST_STATES = ((Visibility.VISIBLE, 0.991), ("deleted", 0.005), (Visibility.HIDDEN, 0.002))
POST_STATES += ((Visibility.HELD, 0.001), (Visibility.REMOVED, 0.001))
MEMBERS_ONLY_SHARE = 0.5
LOCKED_SHARE = 0.01
PINNED_THREADS = 3
REPORTED_SHARE = 0.001
RESOLVED_SHARE = 0.3
SUSPENDED_SHARE = 0.005
BANNED_SHARE = 0.002
MODERATOR_SHARE = 0.001

FIRST_NAMES = (
    "Ada Bea Cal Dina Eli Fay Gus Hana Ivo Jun Kai Lena Milo Nia Omar Pia Quinn Rosa Sol Tess Uma Vik Wren Yara Zed"
)
LAST_NAMES = "Abbot Byrne Castell Duarte Ekland Farrow Garza Holm Ibsen Jansen Kowal Lund Marsh Novak Okafor Park"


@dataclass(frozen=True)
class Scale:
    name: str
    members: int
    threads: int
    comments: int

    @property
    def paragraphs(self) -> int:
        """Distinct paragraphs to render; bodies are made of them, so distinct bodies are far more."""
        return min(4_000, max(40, self.comments // 50))

    @property
    def rare_words(self) -> int:
        return min(5_000, max(300, self.comments // 400))


FULL = Scale("full", members=20_000, threads=200_000, comments=2_000_000)
QUICK = Scale("quick", members=2_000, threads=20_000, comments=200_000)


@dataclass
class SeededForum:
    """What the load needs to know about the data set, kept beside it so a later run can reuse it."""

    database_url: str
    scale: Scale
    revision: str
    password: str
    login_emails: list[str]
    big_topic_slug: str
    big_topic_threads: int
    member_threads: list[int]
    public_threads: list[int]
    comments_on_showcase_page: int
    writable_threads: list[int]
    search_queries: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> "SeededForum":
        values = json.loads(path.read_text())
        return cls(**(values | {"scale": Scale(**values["scale"])}))


def head_revision() -> str:
    """The newest migration: a data set made under another schema is made again, never reused."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def database_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no database, no schema, no table: nothing to reuse
        return None
    finally:
        engine.dispose()


_LOADED_TABLES = [t.__tablename__ for t in (Member, Thread, ThreadTopic, Comment, ReviewItem, Report, ModerationEvent)]


def seed(url: str, scale: Scale, *, rng_seed: int = 8) -> SeededForum:
    """Build the schema with the migrations and fill it; the database must be empty."""
    started = time.perf_counter()
    upgrade_to_head(url)
    migrated = time.perf_counter()
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            _speed_up_loading(connection)
            plan = _Plan(connection, scale, random.Random(rng_seed))  # noqa: S311 - reproducible data, not secrets
            with indexes_set_aside(connection, _LOADED_TABLES):
                forum = plan.write(url)
                loaded = time.perf_counter()
            # SQLite's triggers were set aside with the indexes: the topics' counts are set here, once.
            connection.execute(topics_queries.recount_threads())
            indexed = time.perf_counter()
        if engine.dialect.name == "postgresql":  # what autovacuum would soon do to a live database
            # Only the tables just loaded, in this schema: a bare VACUUM walks every schema of the database.
            tables = ", ".join(f'"{name}"' for name in [*_LOADED_TABLES, Topic.__tablename__])
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f"VACUUM ANALYZE {tables}"))
    finally:
        engine.dispose()
    finished = time.perf_counter()
    forum.seconds = {
        "migrations": round(migrated - started, 2),
        "rows": round(loaded - migrated, 2),
        "indexes": round(indexed - loaded, 2),
        "total": round(finished - started, 2),
    }
    return forum


def _speed_up_loading(connection: Connection) -> None:
    """Durability is not needed while loading: a crash means seeding again."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA journal_mode=MEMORY")  # the forum turns WAL back on when it connects
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        connection.exec_driver_sql("PRAGMA cache_size=-262144")
        connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
    else:
        connection.execute(text("SET LOCAL synchronous_commit = off"))


def _state(rng: random.Random) -> str:
    roll = rng.random()
    for state, share in POST_STATES:
        if roll < share:
            return state
        roll -= share
    return Visibility.VISIBLE


def _post_columns(state: str, now: datetime, deleted_by: int) -> dict[str, Any]:
    if state == "deleted":
        return {"visibility": Visibility.VISIBLE.value, "deleted_at": now, "deleted_by_id": deleted_by}
    return {"visibility": str(state), "deleted_at": None, "deleted_by_id": None}


class _Plan:
    """The whole data set, decided in memory as compact arrays, then written in id order."""

    def __init__(self, connection: Connection, scale: Scale, rng: random.Random) -> None:
        self.connection = connection
        self.scale = scale
        self.rng = rng
        self.writer = BulkWriter(connection)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.start = self.now - HISTORY
        self.text = TextMaker(rng, render_markdown, paragraphs=scale.paragraphs, rare_words=scale.rare_words)
        _check_rendering(self.text)

    def _next_id(self, model: Any) -> int:
        return (self.connection.execute(select(func.max(model.id))).scalar() or 0) + 1

    def write(self, url: str) -> SeededForum:
        members = self._members()
        topics = self.connection.execute(
            select(Topic.id, Topic.slug).where(col(Topic.retired_at).is_(None)).order_by(col(Topic.id))
        ).all()
        threads = self._threads(members)
        comments = self._comments(threads, members)
        self._write_threads(threads, comments, members, topics)
        self._write_comments(threads, comments, members)
        self._write_reports(threads, comments, members)
        self.writer.finish()
        shown = [comments.counted[t] for t in range(len(threads.ids))]
        member_threads = threads.showcase(shown, Audience.MEMBERS)
        public_threads = threads.showcase(shown, Audience.PUBLIC)
        writable = [threads.ids[t] for t in threads.open_indexes()]
        return SeededForum(
            database_url=url,
            scale=self.scale,
            revision=head_revision(),
            password=PASSWORD,
            login_emails=members.login_emails(self.rng),
            big_topic_slug=topics[0].slug,
            big_topic_threads=len(threads.ids),
            member_threads=[threads.ids[t] for t in member_threads],
            public_threads=[threads.ids[t] for t in public_threads],
            comments_on_showcase_page=min([COMMENTS_PER_PAGE] + [shown[t] for t in member_threads + public_threads]),
            writable_threads=self.rng.sample(writable, min(WRITABLE_THREADS, len(writable))),
            search_queries=self.text.search_queries(),
            counts=dict(self.writer.written),
        )

    # --- members ---------------------------------------------------------------------

    def _members(self) -> "_Members":
        first_id = self._next_id(Member)
        members = _Members(first_id, self.scale.members, self.rng)
        password_hash = _password_hash()
        first_names, last_names = FIRST_NAMES.split(), LAST_NAMES.split()

        def rows() -> Any:
            for index, member_id in enumerate(members.ids):
                name = (
                    f"{first_names[index % len(first_names)]} {last_names[index // len(first_names) % len(last_names)]}"
                )
                joined = self.start - timedelta(days=self.rng.uniform(0, 365))
                yield {
                    "id": member_id,
                    "email": members.email(member_id),
                    "display_name": name,
                    "handle": f"{name.lower().replace(' ', '-')}-{member_id}",
                    "password_hash": password_hash,
                    "role": members.roles[index],
                    "created_at": joined,
                    "password_changed_at": joined,
                    "suspended_until": self.now + timedelta(days=7) if members.standing[index] == "suspended" else None,
                    "banned_at": self.now - timedelta(days=3) if members.standing[index] == "banned" else None,
                }

        self.writer.insert(Member.__table__, rows())
        return members

    # --- threads ---------------------------------------------------------------------

    def _threads(self, members: "_Members") -> "_Threads":
        count = self.scale.threads
        span = HISTORY.total_seconds()
        created = array("d", sorted(self.rng.uniform(0, span) for _ in range(count)))
        threads = _Threads(self._next_id(Thread), created)
        for _ in range(count):
            threads.members_only.append(self.rng.random() < MEMBERS_ONLY_SHARE)
            threads.state.append(_state(self.rng))
            threads.locked.append(self.rng.random() < LOCKED_SHARE)
            threads.author.append(members.active_author(self.rng))
        return threads

    def _comments(self, threads: "_Threads", members: "_Members") -> "_Comments":
        count = self.scale.comments
        span = HISTORY.total_seconds()
        on_thread = self.rng.choices(range(len(threads.ids)), cum_weights=spread(self.rng, len(threads.ids)), k=count)
        at = array("d")
        for thread in on_thread:
            opened = threads.created[thread]
            delay = self.rng.expovariate(1 / MEAN_REPLY_DELAY_S)
            at.append(opened + delay if opened + delay < span else self.rng.uniform(opened, span))
        order = sorted(range(count), key=at.__getitem__)  # ids are handed out in time order, as posting does
        comments = _Comments(threads=len(threads.ids))
        for position in order:
            thread = on_thread[position]
            state = _state(self.rng)
            comments.thread.append(thread)
            comments.at.append(at[position])
            comments.state.append(state)
            comments.author.append(members.active_author(self.rng))
            if state == Visibility.VISIBLE:
                comments.counted[thread] += 1
                comments.last_activity[thread] = max(comments.last_activity[thread], at[position])
        return comments

    def _write_threads(
        self, threads: "_Threads", comments: "_Comments", members: "_Members", topics: list[Any]
    ) -> None:
        pinned = set(self.rng.sample(threads.open_indexes(Audience.PUBLIC), PINNED_THREADS))
        others = [topic.id for topic in topics[1:]]

        def thread_rows() -> Any:
            for index, thread_id in enumerate(threads.ids):
                created = self.start + timedelta(seconds=threads.created[index])
                body, body_html = self.text.body(most_paragraphs=3)
                yield {
                    "id": thread_id,
                    "author_id": threads.author[index],
                    "title": self.text.title(),
                    "body": body,
                    "body_html": body_html,
                    "audience": Audience.MEMBERS.value if threads.members_only[index] else Audience.PUBLIC.value,
                    "created_at": created,
                    "updated_at": created,
                    "last_activity_at": self._activity(threads, comments, index),
                    "comment_count": comments.counted[index],
                    "view_count": int(self.rng.expovariate(1 / (20 + 5 * comments.counted[index]))),
                    "locked": threads.locked[index],
                    "pinned": index in pinned,
                    **_post_columns(threads.state[index], created, members.moderator(self.rng)),
                }

        def topic_rows() -> Any:
            for index, thread_id in enumerate(threads.ids):
                activity = self._activity(threads, comments, index)
                for topic_id in [topics[0].id, *self.rng.sample(others, self.rng.randint(0, min(2, len(others))))]:
                    yield {"thread_id": thread_id, "topic_id": topic_id, "last_activity_at": activity}

        self.writer.insert(Thread.__table__, thread_rows())
        self.writer.insert(ThreadTopic.__table__, topic_rows())

    def _activity(self, threads: "_Threads", comments: "_Comments", index: int) -> datetime:
        return self.start + timedelta(seconds=max(threads.created[index], comments.last_activity[index]))

    def _write_comments(self, threads: "_Threads", comments: "_Comments", members: "_Members") -> None:
        first_id = self._next_id(Comment)
        comments.first_id = first_id

        def rows() -> Any:
            for position in range(len(comments.thread)):
                written = self.start + timedelta(seconds=comments.at[position])
                body, body_html = self.text.body()
                yield {
                    "id": first_id + position,
                    "thread_id": threads.ids[comments.thread[position]],
                    "author_id": comments.author[position],
                    "body": body,
                    "body_html": body_html,
                    "created_at": written,
                    "updated_at": written,
                    **_post_columns(comments.state[position], written, members.moderator(self.rng)),
                }

        self.writer.insert(Comment.__table__, rows())

    # --- reports ---------------------------------------------------------------------

    def _write_reports(self, threads: "_Threads", comments: "_Comments", members: "_Members") -> None:
        """Review items, the reports gathered in them and their log entries; some already resolved."""
        targets = [
            ("comment", comments.first_id + p, comments.author[p])
            for p in self.rng.sample(range(len(comments.thread)), max(1, int(len(comments.thread) * REPORTED_SHARE)))
        ] + [
            ("thread", threads.ids[t], threads.author[t])
            for t in self.rng.sample(range(len(threads.ids)), max(1, int(len(threads.ids) * REPORTED_SHARE * 2)))
        ]
        items, reports, events = [], [], []
        item_id, report_id, event_id = (self._next_id(m) for m in (ReviewItem, Report, ModerationEvent))
        for target_type, target_id, author_id in targets:
            reporters = self.rng.sample(members.ids, self.rng.randint(1, 3))
            reporters = [r for r in reporters if r != author_id] or [members.ids[0]]
            reasons = [self.rng.choice(MEMBER_REASONS) for _ in reporters]
            reported_at = self.now - timedelta(hours=self.rng.uniform(1, 24 * 60))
            resolved = self.rng.random() < RESOLVED_SHARE
            severity = max(SEVERITY[reason] for reason in reasons)
            items.append(
                {
                    "id": item_id,
                    "target_type": target_type,
                    "target_id": target_id,
                    "status": ItemStatus.RESOLVED.value if resolved else ItemStatus.OPEN.value,
                    "report_count": len(reporters),
                    "severity": severity,
                    "priority": len(reporters) * 10 + severity,
                    "resolved_by_id": members.moderator(self.rng) if resolved else None,
                    "resolved_at": reported_at + timedelta(hours=2) if resolved else None,
                    "resolution": "dismiss" if resolved else None,
                    "created_at": reported_at,
                    "last_reported_at": reported_at,
                }
            )
            for reporter, reason in zip(reporters, reasons, strict=True):
                reports.append(
                    {
                        "id": report_id,
                        "review_item_id": item_id,
                        "reporter_id": reporter,
                        "reason": reason.value,
                        "created_at": reported_at,
                        "closed_at": reported_at + timedelta(hours=2) if resolved else None,
                        "outcome": "dismiss" if resolved else None,
                    }
                )
                events.append(
                    {
                        "id": event_id,
                        "actor_id": reporter,
                        "action": "report",
                        "target_type": target_type,
                        "target_id": target_id,
                        "review_item_id": item_id,
                        "subject_id": author_id,
                        "reason": reason.value,
                        "created_at": reported_at,
                    }
                )
                report_id += 1
                event_id += 1
            item_id += 1
        self.writer.insert(ReviewItem.__table__, items)
        self.writer.insert(Report.__table__, reports)
        self.writer.insert(ModerationEvent.__table__, events)


def _password_hash() -> str:
    """One hash for every member (hashing is slow on purpose), made with the forum's default cost.

    Made with a hasher of its own, not the forum's module-wide one, which a test may have tuned:
    a hash of another cost would be remade, and written, at every member's first login.
    """
    defaults = Settings.model_fields
    return PasswordHasher(
        time_cost=defaults["password_hash_time_cost"].default,
        memory_cost=defaults["password_hash_memory_kib"].default,
        parallelism=defaults["password_hash_parallelism"].default,
    ).hash(PASSWORD)


def _check_rendering(maker: TextMaker) -> None:
    """A body's HTML is its paragraphs' HTML put together only while rendering works paragraph by paragraph."""
    for _ in range(RENDERING_CHECKS):
        body, body_html = maker.body()
        if render_markdown(body) != body_html:
            raise RuntimeError("render_markdown no longer renders paragraphs independently; bench/text.py must change")


class _Members:
    def __init__(self, first_id: int, count: int, rng: random.Random) -> None:
        self.ids = list(range(first_id, first_id + count))
        self._activity = spread(rng, count, alpha=1.2)
        self.roles = [Role.MEMBER.value] * count
        self.roles[0] = Role.ADMIN.value
        moderators = max(1, int(count * MODERATOR_SHARE))
        for index in range(1, 1 + moderators):
            self.roles[index] = Role.MODERATOR.value
        self.moderator_ids = self.ids[: 1 + moderators]
        self.standing = [
            "banned" if roll < BANNED_SHARE else "suspended" if roll < BANNED_SHARE + SUSPENDED_SHARE else ""
            for roll in (rng.random() for _ in range(count))
        ]
        self.standing[: 1 + moderators] = [""] * (1 + moderators)

    @staticmethod
    def email(member_id: int) -> str:
        return f"member{member_id}@example.org"

    def active_author(self, rng: random.Random) -> int:
        return rng.choices(self.ids, cum_weights=self._activity)[0]

    def moderator(self, rng: random.Random) -> int:
        return rng.choice(self.moderator_ids)

    def login_emails(self, rng: random.Random) -> list[str]:
        """Ordinary members in good standing, to log in as under load."""
        ordinary = [
            member_id
            for index, member_id in enumerate(self.ids)
            if self.roles[index] == Role.MEMBER and not self.standing[index]
        ]
        return [self.email(m) for m in rng.sample(ordinary, min(LOGIN_MEMBERS, len(ordinary)))]


class _Threads:
    def __init__(self, first_id: int, created: array) -> None:
        self.ids = list(range(first_id, first_id + len(created)))
        self.created = created
        self.members_only: list[bool] = []
        self.state: list[str] = []
        self.locked: list[bool] = []
        self.author: list[int] = []

    def open_indexes(self, audience: Audience | None = None) -> list[int]:
        """Threads anyone who may read them can comment on: visible, not deleted, not locked."""
        return [
            index
            for index in range(len(self.ids))
            if self.state[index] == Visibility.VISIBLE
            and not self.locked[index]
            and (audience is None or self.members_only[index] == (audience == Audience.MEMBERS))
        ]

    def showcase(self, shown: list[int], audience: Audience) -> list[int]:
        """The open threads of an audience with the most comments: a full first page each, when the data allows."""
        ranked = sorted(self.open_indexes(audience), key=shown.__getitem__, reverse=True)[:SHOWCASE_THREADS]
        full = [index for index in ranked if shown[index] >= COMMENTS_PER_PAGE]
        return full or ranked


class _Comments:
    def __init__(self, *, threads: int) -> None:
        self.thread = array("i")
        self.at = array("d")
        self.state: list[str] = []
        self.author = array("i")
        self.counted = [0] * threads
        self.last_activity = [0.0] * threads
        self.first_id = 0


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None
