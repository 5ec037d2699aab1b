"""The results of a run: one row per load, the ceiling, memory, seeding, and the targets of issue 8.

Written as JSON (every figure, for comparing runs) and as a markdown table (for reading and
for pasting into an issue), both under ``bench/results/``. Throughput is given as a share of
the ceiling measured in the same run; CPU milliseconds per request are the server process
tree's CPU time divided by the requests it answered, the figure that moves least when other
work shares the machine.
"""

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.load import LoadResult

# Targets of point 2 of issue 8, measured with --full data on SQLite, 2 cores, 32 connections.
THREAD_SHARE = 0.10
THREAD_P99_MS = 50
LIST_SHARE = 0.15
LAST_PAGE_FACTOR = 1.5
WRITES_PER_S = 500
SEARCH_P95_MS = 100
RSS_MB = 150
LIST_PAGES = ("home_visitor", "home_member", "topic_first", "topic_last")
NOT_MEASURED = "n/a"


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    result: LoadResult
    cpu_ms_per_request: float | None
    note: str = ""

    def as_dict(self, ceiling_per_second: float) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "requests_per_s": round(self.result.per_second, 1),
            "share_of_ceiling": round(self.result.per_second / ceiling_per_second, 4) if ceiling_per_second else None,
            "cpu_ms_per_request": round(self.cpu_ms_per_request, 3) if self.cpu_ms_per_request is not None else None,
            "note": self.note,
        } | asdict(self.result)


@dataclass(frozen=True)
class WriteCheck:
    """Comment rows before and after the write load, against the posts the forum acknowledged.

    More may be stored than acknowledged (posts in flight when the load generator stopped, which
    the forum still stored); fewer would be posts lost.
    """

    acknowledged: int
    stored: int

    @property
    def lost(self) -> int:
        return max(0, self.acknowledged - self.stored)


@dataclass(frozen=True)
class Target:
    name: str
    figure: str
    met: bool | None  # None: not measured by the benchmark

    @property
    def verdict(self) -> str:
        return "met" if self.met else "n/a" if self.met is None else "short"


def check_targets(rows: dict[str, Row], ceiling: Row, writes: WriteCheck, peak_rss_mb: list[float]) -> list[Target]:
    """Each target met or short; a load that got no answer at all meets none of its targets.

    A latency target also needs every request answered in time: the latency of a request that
    failed or timed out is unknown, so percentiles taken without it would flatter the load.
    """

    def share(key: str) -> float:
        return rows[key].result.per_second / ceiling.result.per_second if ceiling.result.per_second else 0.0

    def target(name: str, figure: str, met: bool, *keys: str) -> Target:
        answered = all(rows[key].result.requests > 0 for key in keys) and ceiling.result.requests > 0
        return Target(name, figure if answered else f"{figure} (no answers)", met and answered)

    def latency_target(name: str, figure: str, met: bool, key: str) -> Target:
        errors = rows[key].result.errors
        measured = target(name, figure, met, key)
        if not errors:
            return measured
        return Target(name, f"{errors} requests failed or timed out: their latency is unknown", False)

    thread = rows["thread_member"]
    posting = rows["comment_posting"].result
    search = rows["search"].result
    first, last = rows["topic_first"].result, rows["topic_last"].result
    last_factor = last.p50_ms / first.p50_ms if first.p50_ms else float("inf")
    writes_per_s = posting.acknowledged / posting.seconds if posting.seconds else 0.0
    targets = [
        target(
            f"{thread.title}: at least {THREAD_SHARE:.0%} of the ceiling",
            f"{share(thread.key):.1%}",
            share(thread.key) >= THREAD_SHARE,
            thread.key,
        ),
        latency_target(
            f"{thread.title}: p99 under {THREAD_P99_MS} ms",
            f"{thread.result.p99_ms:.1f} ms",
            thread.result.p99_ms < THREAD_P99_MS,
            thread.key,
        ),
        target(f"{thread.title}: zero errors", f"{thread.result.errors} errors", thread.result.errors == 0, thread.key),
    ]
    targets += [
        target(
            f"{rows[key].title}: at least {LIST_SHARE:.0%} of the ceiling",
            f"{share(key):.1%}",
            share(key) >= LIST_SHARE,
            key,
        )
        for key in LIST_PAGES
    ]
    targets += [
        target(
            f"Last page of the largest topic within {LAST_PAGE_FACTOR}x the first page's latency (p50)",
            f"{last.p50_ms:.1f} ms vs {first.p50_ms:.1f} ms ({last_factor:.2f}x); CPU per request "
            f"{_number(rows['topic_last'].cpu_ms_per_request)} vs {_number(rows['topic_first'].cpu_ms_per_request)} ms",
            last_factor <= LAST_PAGE_FACTOR,
            "topic_first",
            "topic_last",
        ),
        target(
            f"Comment posting: at least {WRITES_PER_S} acknowledged writes/s while pages are read",
            f"{writes_per_s:.0f}/s",
            writes_per_s >= WRITES_PER_S,
            "comment_posting",
        ),
        target(
            "Comment posting: no errors and nothing lost",
            f"{posting.errors} errors; {writes.acknowledged} acknowledged, {writes.stored} stored",
            posting.errors == 0 and writes.lost == 0,
            "comment_posting",
        ),
        latency_target(
            f"Search: p95 under {SEARCH_P95_MS} ms", f"{search.p95_ms:.1f} ms", search.p95_ms < SEARCH_P95_MS, "search"
        ),
        Target(
            f"Peak RSS per worker under {RSS_MB} MB",
            f"{max(peak_rss_mb):.0f} MB" if peak_rss_mb else "not measured (install psutil)",
            max(peak_rss_mb) < RSS_MB if peak_rss_mb else None,
        ),
        Target(
            "SQL queries per page do not grow with the data", "asserted by the test suite (query-count tests)", None
        ),
    ]
    return targets


def build(
    *,
    options: dict[str, Any],
    data: dict[str, Any],
    rows: list[Row],
    ceiling: Row,
    writes: WriteCheck,
    peak_rss_mb: list[float],
    rss_mb: list[float],
    page_bytes: int,
) -> dict[str, Any]:
    by_key = {row.key: row for row in rows}
    ceiling_per_second = ceiling.result.per_second
    return {
        "options": options,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()},
        "data": data,
        "page_bytes": page_bytes,
        "rows": [row.as_dict(ceiling_per_second) for row in [*rows, ceiling]],
        "writes": asdict(writes) | {"lost": writes.lost},
        "peak_rss_mb_per_worker": peak_rss_mb,
        "rss_mb_per_worker_at_end": rss_mb,
        "targets": [asdict(t) | {"verdict": t.verdict} for t in check_targets(by_key, ceiling, writes, peak_rss_mb)],
    }


def _number(value: float | None, digits: int = 1) -> str:
    return NOT_MEASURED if value is None else f"{value:,.{digits}f}"


def _latency(row: dict[str, Any], name: str) -> str:
    """A percentile, or n/a when no request was answered in time (timeouts have no latency)."""
    return _number(row[name] if row["p50_ms"] else None)


def _at_end(sizes: list[float]) -> str:
    return f" (at the end: {', '.join(f'{mb:.0f} MB' for mb in sizes)})" if sizes else ""


def markdown(results: dict[str, Any]) -> str:
    options, data = results["options"], results["data"]
    lines = [
        f"### Forum benchmark: {options['scale']} data on {options['database']}, {options['workers']} workers, "
        f"{options['concurrency']} connections, {options['seconds']:g} s per load ({options['generator']})",
        "",
        "| Load | req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/req | share of ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["rows"]:
        silent = "(no answer in time)" if not row["requests"] else ""
        title = f"{row['title']} {row['note']} {silent}".strip()
        share = row["share_of_ceiling"]
        lines.append(
            f"| {title} | {_number(row['requests_per_s'], 0)} | {_latency(row, 'p50_ms')} | {_latency(row, 'p95_ms')} "
            f"| {_latency(row, 'p99_ms')} | {row['errors']} | {_number(row['cpu_ms_per_request'], 2)} "
            f"| {NOT_MEASURED if share is None else f'{share:.1%}'} |"
        )
    rss = results["peak_rss_mb_per_worker"]
    writes = results["writes"]
    counts = data["counts"]
    lines += [
        "",
        f"Data: {counts.get('member', 0):,} members, {counts.get('thread', 0):,} threads, "
        f"{counts.get('comment', 0):,} comments, {counts.get('report', 0):,} reports; "
        + (
            f"seeded in {data['seeding_seconds']['total']:.1f} s"
            if not data["reused"]
            else "reused from an earlier run"
        )
        + f" ({', '.join(f'{k} {v:.1f} s' for k, v in data['seeding_seconds'].items() if k != 'total')}). "
        f"Largest topic: {data['topic_pages']:,} pages for a visitor. Thread page: {results['page_bytes']:,} bytes.",
        f"Peak RSS per worker: {', '.join(f'{mb:.0f} MB' for mb in rss) if rss else 'not measured (install psutil)'}"
        f"{_at_end(results['rss_mb_per_worker_at_end'])}. "
        f"Writes: {writes['acknowledged']:,} acknowledged, {writes['stored']:,} stored, {writes['lost']} lost.",
        "",
        "| Target (issue 8, point 2) | Figure | |",
        "|---|---|---|",
    ]
    lines += [f"| {t['name']} | {t['figure']} | {t['verdict']} |" for t in results["targets"]]
    if options["database"] == "postgresql":
        lines += ["", "On PostgreSQL, CPU ms/req counts the forum's processes only, not the database server's."]
    if options["scale"] != "full" or options["database"] != "sqlite":
        lines += [
            "",
            "The targets are set for --full data on SQLite (2 cores, 32 connections); other runs are indicative.",
        ]
    return "\n".join(lines) + "\n"


def write(results: dict[str, Any], directory: Path, name: str) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = directory / f"{name}.json", directory / f"{name}.md"
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    markdown_path.write_text(markdown(results))
    return json_path, markdown_path
