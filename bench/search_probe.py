"""Search, one query at a time, against a seeded data set: where its time goes, and what indexing costs writes.

The main benchmark measures the search page under load; this probe times the service call
alone for a spread of query kinds (rare, common, two words, a phrase, filters, each sort,
the second page, visitor and member), so a change can be judged per kind before the load
says whether it is enough. ``--explain`` prints the statement of each kind as the database
plans it (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).

``--writes`` times posting comments through the service, each committed as a request
commits, with the search index and without it (set aside, then made again), the figure
behind "writes stay within 20% of their speed without indexing". It writes: run it on a copy.

    python -m bench.search_probe sqlite:///bench/.data/quick.db
    python -m bench.search_probe 'postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dforum_bench'
"""

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from sqlalchemy import Connection
from sqlmodel import Session, col, func, select

from forum.accounts.models import Member, Role
from forum.db import Database
from forum.kit.time import utcnow
from forum.moderation.screening import ScreeningPolicy
from forum.permissions import VISITOR, Viewer
from forum.search import postgres_fts, queries, service, sqlite_fts
from forum.search.queries import SearchSort
from forum.search.schemas import SearchRequest
from forum.search.terms import parse_search_text
from forum.threads import service as threads_service
from forum.threads.models import Comment, Thread
from forum.threads.schemas import CommentCreate
from forum.topics import service as topics_service
from forum.topics.models import ThreadTopic, Topic

PAGE = 20  # results per page, as the search page shows
# The CPU figure is the whole search on SQLite (the database runs in this process), the Python part only on PostgreSQL.


@dataclass(frozen=True)
class Case:
    name: str
    search: SearchRequest
    member: bool = True
    second_page: bool = False
    timings_ms: list[float] = field(default_factory=list, compare=False)


def _cases(session: Session) -> list[Case]:
    """Query kinds from the data set itself: words by how many comments hold them, a busy author, a small topic."""
    author = session.exec(
        select(Comment.author_id).group_by(col(Comment.author_id)).order_by(func.count().desc()).limit(1)
    ).one()
    topic = session.exec(
        select(Topic.slug)
        .join(ThreadTopic, col(ThreadTopic.topic_id) == Topic.id)
        .group_by(col(Topic.slug))
        .order_by(func.count())
        .limit(1)
    ).one()
    relevance, newest = SearchSort.RELEVANCE, SearchSort.NEWEST
    plain = [
        ("rare word", "donadani"),
        ("common word", "client"),
        ("mid word", "records"),
        ("two mid words", "practice decision"),
        ("two words", "clients roles"),
        ("phrase", '"clients is"'),
    ]
    sorts = (relevance, newest)
    cases = [Case(f"{name}, {sort}", SearchRequest(q=q, sort=sort)) for name, q in plain for sort in sorts]
    cases += [
        Case("common word, visitor", SearchRequest(q="client"), member=False),
        Case("two mid words, visitor", SearchRequest(q="practice decision"), member=False),
        Case(f"mid word, topic {topic}", SearchRequest(q="records", tag=[topic])),
        Case("common word, busiest author", SearchRequest(q="client", author=author)),
        Case("common word, page 2", SearchRequest(q="client"), second_page=True),
        Case("mid word, newest, page 2", SearchRequest(q="records", sort=newest), second_page=True),
    ]
    return cases


def _viewers(session: Session) -> dict[bool, Viewer]:
    member = session.exec(select(Member).where(Member.role == Role.MEMBER).order_by(col(Member.id)).limit(1)).one()
    return {True: Viewer(member), False: VISITOR}


def _request(session: Session, viewer: Viewer, case: Case) -> SearchRequest:
    """The search to time: the case's own, or for a second page, with the cursor the first page gave."""
    if not case.second_page:
        return case.search
    first = service.search(session, viewer=viewer, search=case.search, limit=PAGE)
    return replace(case.search, cursor=first.next_cursor)


def time_searches(database: Database, repeats: int) -> list[Case]:
    with database.session() as session:
        cases, viewers = _cases(session), _viewers(session)
        for case in cases:
            viewer = viewers[case.member]
            search = _request(session, viewer, case)
            service.search(session, viewer=viewer, search=search, limit=PAGE)  # warm: pages cached, SQL compiled
            cpu_ms = []
            for _ in range(repeats):
                started, cpu_started = time.perf_counter(), time.process_time()
                found = len(service.search(session, viewer=viewer, search=search, limit=PAGE).items)
                case.timings_ms.append((time.perf_counter() - started) * 1000)
                cpu_ms.append((time.process_time() - cpu_started) * 1000)
            median, cpu = statistics.median(case.timings_ms), statistics.median(cpu_ms)
            print(f"{case.name:45} {median:8.1f} ms median, {cpu:8.1f} ms of this process's CPU ({found} hits)")
    return cases


def explain(database: Database) -> None:
    """Each kind's statement as the database runs it (the first page)."""
    with database.session() as session:
        cases, viewers = _cases(session), _viewers(session)
        engine = service._engine(session)  # the service's own choice, to show the statement it runs
        engine.prepare(session)
        for case in cases:
            if case.second_page:
                continue
            terms = parse_search_text(case.search.q)
            topic_ids = topics_service.topic_ids_for_filter(session, case.search.tags)
            statement = queries.search_page(
                engine,
                viewers[case.member],
                terms,
                topic_ids=topic_ids,
                author_id=case.search.author,
                sort=case.search.sort,
                after=None,
                limit=PAGE + 1,
            )
            sql = str(statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN QUERY PLAN " if database.is_sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
            print(f"\n=== {case.name}\n")
            for row in session.connection().exec_driver_sql(prefix + sql):
                print(row[-1] if database.is_sqlite else row[0])


# --- writes ---------------------------------------------------------------------------------------


def _search_index_ddl(connection: Connection) -> tuple[list[str], list[str]]:
    """The statements that take the comments' search index away, and those that put it back as it was."""
    if connection.dialect.name == "sqlite":
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_comment_%'"
        ).all()
        return [f'DROP TRIGGER "{name}"' for name, _sql in triggers], [sql for _name, sql in triggers]
    expression = connection.exec_driver_sql(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
        "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
        "WHERE d.adrelid = 'comment'::regclass AND a.attname = 'search_vector'"
    ).scalar_one()
    index = connection.exec_driver_sql(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'search_comment_vector'"
    ).scalar_one()
    column = f"ALTER TABLE comment ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED"
    return ["ALTER TABLE comment DROP COLUMN search_vector"], [column, index]


@contextmanager
def _index_set_aside(database: Database) -> Iterator[None]:
    """The comment table without its search index while the block runs, then the index made again."""
    with database.engine.begin() as connection:
        drops, rebuilds = _search_index_ddl(connection)
        for statement in drops:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        with database.engine.begin() as connection:
            for statement in rebuilds:
                connection.exec_driver_sql(statement)
            if connection.dialect.name == "sqlite":  # what was written meanwhile joins the index
                connection.exec_driver_sql("INSERT INTO search_comment(search_comment) VALUES ('rebuild')")
        if not database.is_sqlite:  # the column's return rewrote the table: settle it before the next figure
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE comment")


def _post_comments(database: Database, viewer: Viewer, thread_ids: list[int], bodies: list[str]) -> float:
    """Seconds to post each body as a comment through the service, each in its own transaction as a request."""
    policy = ScreeningPolicy()
    started = time.perf_counter()
    for thread_id, body in zip(thread_ids, bodies, strict=True):
        with database.session(write=True) as session:
            threads_service.add_comment(
                session, viewer=viewer, thread_id=thread_id, data=CommentCreate(body=body), policy=policy
            )
    return time.perf_counter() - started


def _insert_comments(database: Database, viewer: Viewer, thread_ids: list[int], bodies: list[str]) -> float:
    """Seconds to insert the comment rows alone, each committed: the index's largest possible share."""
    now = utcnow()
    started = time.perf_counter()
    for thread_id, body in zip(thread_ids, bodies, strict=True):
        with database.session(write=True) as session:
            session.add(
                Comment(
                    thread_id=thread_id, author_id=viewer.id, body=body, body_html=body, created_at=now, updated_at=now
                )
            )
    return time.perf_counter() - started


def time_writes(database: Database, count: int, rounds: int) -> None:
    """Comments written with the index and without, alternating; each is committed, as a request commits.

    This adds comments to the database and rebuilds its search index: run it on a copy.
    """
    with database.session() as session:
        viewer = _viewers(session)[True]
        threads = list(
            session.exec(
                select(Thread.id).where(col(Thread.locked).is_(False)).order_by(col(Thread.id).desc()).limit(count)
            ).all()
        )
        bodies = list(session.exec(select(Comment.body).order_by(col(Comment.id).desc()).limit(count)).all())
    for name, write in (("posting through the service", _post_comments), ("inserting the row alone", _insert_comments)):
        figures: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(rounds):
            figures[True].append(write(database, viewer, threads, bodies) * 1000 / count)
            with _index_set_aside(database):
                figures[False].append(write(database, viewer, threads, bodies) * 1000 / count)
        with_index, without = statistics.median(figures[True]), statistics.median(figures[False])
        rounds_shown = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(figures[True], figures[False], strict=True))
        print(f"{name}: {with_index:.3f} ms a comment with the search index, {without:.3f} ms without")
        print(f"  each round, with/without: {rounds_shown}")
        print(f"  indexing costs {with_index / without - 1:+.1%} ({count} comments x {rounds} rounds, medians)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search_probe", description=__doc__)
    parser.add_argument("url", help="a seeded database (see bench/run.py for where the benchmark keeps them)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--window", type=int, help="try another MATCH_WINDOW (matches ranked per kind)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--writes", action="store_true")
    parser.add_argument("--write-count", type=int, default=300)
    parser.add_argument("--write-rounds", type=int, default=5)
    args = parser.parse_args()
    database = Database(args.url)
    if args.window:
        for engine in (sqlite_fts, postgres_fts):
            engine.MATCH_WINDOW = args.window  # type: ignore[attr-defined]
    actions: list[Callable[[], object]] = [lambda: time_searches(database, args.repeats)]
    if args.explain:
        actions = [lambda: explain(database)]
    if args.writes:
        actions = [lambda: time_writes(database, args.write_count, args.write_rounds)]
    try:
        for action in actions:
            action()
    finally:
        database.dispose()


if __name__ == "__main__":
    main()
