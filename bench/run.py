"""One whole benchmark run: data, the forum under load, the ceiling, the report.

The order matters on a shared machine: the forum's loads run one after another against one
server (each after a short warm-up that is not measured), then the ceiling runs in the same
session, so every ratio compares figures taken minutes apart rather than on different days.
"""

import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import load, profile, report, scenarios
from bench.ceiling import SIZE_VARIABLE
from bench.report import Row, WriteCheck
from bench.seed import Scale, SeededForum, database_revision, head_revision, seed
from bench.server import Server, production_env

BENCH_ROOT = Path(__file__).resolve().parent
DATA_DIR = BENCH_ROOT / ".data"
RESULTS_DIR = BENCH_ROOT / "results"
FORUM_APP = "forum.app:create_app"
CEILING_APP = "bench.ceiling:create_app"
PROFILE_CONNECTIONS = 4


@dataclass(frozen=True)
class Options:
    scale: Scale
    postgres_url: str | None
    postgres_schema: str
    concurrency: int
    seconds: float
    warmup: float
    workers: int
    generator: str
    reuse: bool
    keep_schema: bool
    profile: str | None
    profile_seconds: float

    @property
    def database(self) -> str:
        return "postgresql" if self.postgres_url else "sqlite"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the data set ------------------------------------------------------------------------


def _in_schema(base_url: str, schema: str) -> str:
    """The PostgreSQL URL with every table looked up in (and made in) ``schema``."""
    return make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def _recreate_schema(base_url: str, schema: str, *, drop_only: bool = False) -> None:
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            if not drop_only:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()


def prepare_data(options: Options) -> tuple[SeededForum, bool]:
    """The seeded forum, and whether it was reused from an earlier run (only with --reuse, and the same schema)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if options.postgres_url:
        url = _in_schema(options.postgres_url, options.postgres_schema)
        manifest = DATA_DIR / f"{options.scale.name}-postgresql-{options.postgres_schema}.json"
    else:
        database_file = DATA_DIR / f"{options.scale.name}.db"
        url = f"sqlite:///{database_file}"
        manifest = DATA_DIR / f"{options.scale.name}-sqlite.json"
    if options.reuse and manifest.exists() and database_revision(url) == head_revision():
        forum = SeededForum.load(manifest)
        if forum.revision == head_revision() and forum.database_url == url:
            return forum, True
    if options.postgres_url:
        _recreate_schema(options.postgres_url, options.postgres_schema)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database_file}{suffix}").unlink(missing_ok=True)
    say(f"Seeding {options.scale.name} data ({options.scale.comments:,} comments) on {options.database}...")
    forum = seed(url, options.scale)
    forum.save(manifest)
    say(f"  seeded in {forum.seconds['total']:.1f} s")
    return forum, False


# --- measuring ---------------------------------------------------------------------------


def warm_up(server: Server, loads: list[load.Load], options: Options) -> None:
    """A short unmeasured load first: caches filled, connections pooled, code paths compiled."""
    if options.warmup > 0:
        load.run(server.base_url, loads, options.warmup, options.generator)
        server.wait_idle()


def measure(
    server: Server, loads: list[load.Load], seconds: float, generator: str
) -> tuple[list[load.LoadResult], float | None]:
    """Run the loads together; the results, and the server's CPU milliseconds per answered request."""
    before = server.cpu_seconds()
    results = load.run(server.base_url, loads, seconds, generator)
    after = server.cpu_seconds()  # at once: the requests still queued at the deadline are not counted either
    server.wait_idle()
    answered = sum(result.requests for result in results)
    cpu_ms = (after - before) * 1000 / answered if before is not None and after is not None and answered else None
    return results, cpu_ms


def _page_bytes(base_url: str, request: load.Request) -> int:
    answer = httpx.get(base_url + request.path, headers=request.headers, timeout=60)
    if answer.status_code != 200:
        raise RuntimeError(f"{request.path} answered {answer.status_code} to a logged-in member")
    return len(answer.content)


def _show(row: Row) -> None:
    result = row.result
    cpu = f"{row.cpu_ms_per_request:.2f} CPU ms/req" if row.cpu_ms_per_request is not None else ""
    say(
        f"  {row.title}: {result.per_second:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"{result.errors} errors {cpu}"
    )


@dataclass(frozen=True)
class ForumFigures:
    rows: list[Row]
    writes: WriteCheck
    page_bytes: int
    topic_pages: int
    peak_rss_mb: list[float]
    rss_mb: list[float]
    reads: list[scenarios.Scenario]


def load_forum(server: Server, forum: SeededForum, options: Options) -> ForumFigures:
    """Every forum load, one after another, then writes with reads alongside."""
    say("Logging members in...")
    signed_in = scenarios.sign_in(server.base_url, forum)
    cursor, topic_pages = scenarios.last_topic_page(forum.database_url, forum.big_topic_slug)
    scenarios.check_last_page(server.base_url, forum.big_topic_slug, cursor)
    reads = scenarios.read_scenarios(forum, signed_in, cursor, options.concurrency)
    reading = next(s for s in reads if s.key == "thread_member")
    page_bytes = _page_bytes(server.base_url, reading.load.requests[0])
    rows = []
    for scenario in reads:
        warm_up(server, [scenario.load], options)
        [result], cpu_ms = measure(server, [scenario.load], options.seconds, options.generator)
        rows.append(Row(scenario.key, scenario.title, result, cpu_ms))
        _show(rows[-1])

    writers = max(1, options.concurrency // 2)
    posting = scenarios.comment_posting(forum, signed_in, writers, random.Random(options.concurrency))  # noqa: S311
    reading_load = load.Load(reading.load.requests, max(1, options.concurrency - writers))
    warm_up(server, [posting, reading_load], options)
    before = scenarios.count_comments(forum.database_url)
    (written, read), cpu_ms = measure(server, [posting, reading_load], options.seconds, options.generator)
    stored = scenarios.count_comments(forum.database_url) - before
    note = "(CPU: the whole phase)"
    rows.append(Row("comment_posting", f"Comment posting, {writers} connections (token)", written, cpu_ms, note))
    rows.append(Row("thread_during_writes", f"{reading.title}, during the posting", read, cpu_ms, note))
    for row in rows[-2:]:
        _show(row)
    return ForumFigures(
        rows=rows,
        writes=WriteCheck(acknowledged=written.acknowledged, stored=stored),
        page_bytes=page_bytes,
        topic_pages=topic_pages,
        peak_rss_mb=server.peak_rss_mb(),
        rss_mb=server.rss_mb(),
        reads=reads,
    )


def load_ceiling(page_bytes: int, options: Options, log_path: Path) -> Row:
    env = production_env("", DATA_DIR / "forum") | {SIZE_VARIABLE: str(page_bytes)}
    ceiling_load = load.Load([load.Request("GET", "/")], options.concurrency)
    with Server(CEILING_APP, workers=options.workers, env=env, log_path=log_path, access_log=False) as server:
        warm_up(server, [ceiling_load], options)
        [result], cpu_ms = measure(server, [ceiling_load], options.seconds, options.generator)
    row = Row("ceiling", f"Ceiling: bare Starlette, fixed {page_bytes:,}-byte page", result, cpu_ms)
    _show(row)
    return row


def run(options: Options) -> dict[str, Any]:
    started = datetime.now(UTC)
    name = f"{started:%Y%m%d-%H%M%S}-{options.scale.name}-{options.database}"
    logs = DATA_DIR / "logs"
    try:
        forum, reused = prepare_data(options)
        env = production_env(forum.database_url, DATA_DIR / "forum")
        say(f"Starting the forum ({options.workers} workers) and loading it with {options.generator}...")
        with Server(FORUM_APP, workers=options.workers, env=env, log_path=logs / f"{name}-forum.log") as server:
            measured = load_forum(server, forum, options)
        say("Loading the ceiling...")
        ceiling = load_ceiling(measured.page_bytes, options, logs / f"{name}-ceiling.log")
        results = report.build(
            options={
                "scale": options.scale.name,
                "database": options.database,
                "workers": options.workers,
                "concurrency": options.concurrency,
                "seconds": options.seconds,
                "warmup_seconds": options.warmup,
                "generator": options.generator,
                "started_at": started.isoformat(timespec="seconds"),
            },
            data={
                "counts": forum.counts,
                "seeding_seconds": forum.seconds,
                "reused": reused,
                "topic_pages": measured.topic_pages,
                "comments_on_thread_page": forum.comments_on_showcase_page,
            },
            rows=measured.rows,
            ceiling=ceiling,
            writes=measured.writes,
            peak_rss_mb=measured.peak_rss_mb,
            rss_mb=measured.rss_mb,
            page_bytes=measured.page_bytes,
        )
        json_path, markdown_path = report.write(results, RESULTS_DIR, name)
        print(report.markdown(results))
        say(f"Written: {json_path.relative_to(BENCH_ROOT.parent)} and {markdown_path.relative_to(BENCH_ROOT.parent)}")
        if options.profile:
            _profile(options, env, measured, logs / f"{name}-profile.log", RESULTS_DIR / f"{name}-profile")
        return results
    finally:
        if options.postgres_url and not options.keep_schema:
            _recreate_schema(options.postgres_url, options.postgres_schema, drop_only=True)
            for manifest in DATA_DIR.glob(f"*-postgresql-{options.postgres_schema}.json"):
                manifest.unlink()


def _profile(options: Options, env: dict[str, str], measured: ForumFigures, log: Path, out: Path) -> None:
    """Sample one worker under a page: the one asked for, or the page costing the most CPU per request."""
    reads = {s.key: s for s in measured.reads}
    if options.profile == "slowest":
        costs = {r.key: r.cpu_ms_per_request or float("inf") for r in measured.rows if r.key in reads}
        chosen = reads[max(costs, key=costs.__getitem__)]
    else:
        chosen = reads[options.profile]
    say(f"Profiling {chosen.title} on one worker with py-spy...")
    if profile.py_spy() is None:
        say("  py-spy is not installed (pip install -e '.[bench]'); no profile taken")
        return
    # A few connections keep one worker busy without piling requests up on its connection pool.
    sampled_load = load.Load(chosen.load.requests, min(PROFILE_CONNECTIONS, chosen.load.connections))
    with Server(FORUM_APP, workers=1, env=env, log_path=log) as server:
        summary = profile.record(server, sampled_load, options.profile_seconds, options.generator, out)
    print(f"\n#### Profile of {chosen.title} (one worker, py-spy)\n\n{summary}")
