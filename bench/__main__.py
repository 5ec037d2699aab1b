"""``python -m bench --quick|--full``: seed, serve as in production, load, and report against the targets."""

import argparse
import os
import sys
from collections.abc import Sequence

from bench import load
from bench.run import Options, run
from bench.seed import FULL, QUICK
from forum.config import PROJECT_ROOT

DEFAULT_SECONDS = {"quick": 10.0, "full": 30.0}
PROFILE_CHOICES = (
    "slowest",
    "home_visitor",
    "home_member",
    "thread_member",
    "thread_visitor",
    "topic_first",
    "topic_last",
    "search",
    "api_thread",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument(
        "--quick", action="store_const", const=QUICK, dest="scale", help="2,000 members, 200,000 comments"
    )
    size.add_argument(
        "--full", action="store_const", const=FULL, dest="scale", help="20,000 members, 2,000,000 comments"
    )
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL (a schema of its own) instead of SQLite")
    parser.add_argument("--pg-schema", default="forum_bench", help="the PostgreSQL schema to make, use and drop")
    parser.add_argument("--keep-schema", action="store_true", help="leave the PostgreSQL schema for --reuse")
    parser.add_argument("--concurrency", type=int, default=32, help="open connections per load (default 32)")
    parser.add_argument("--duration", type=float, help="seconds per load (default 10 quick, 30 full)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load before each")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="uvicorn workers (default: cores)")
    parser.add_argument(
        "--generator",
        choices=("wrk", "python"),
        default=load.available_generator(),
        help="load generator (default: wrk when installed, else the Python one)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the data of an earlier run at the same schema version if any"
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="slowest",
        choices=PROFILE_CHOICES,
        help="afterwards, sample one worker with py-spy under a page's load (default: the slowest page)",
    )
    parser.add_argument("--profile-seconds", type=float, default=15.0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.generator == "python":
        print(
            "wrk not found or not chosen: the Python load generator shares the cores with the servers.", file=sys.stderr
        )
    os.chdir(PROJECT_ROOT)
    run(
        Options(
            scale=args.scale,
            postgres_url=args.postgres,
            postgres_schema=args.pg_schema,
            concurrency=args.concurrency,
            seconds=args.duration or DEFAULT_SECONDS[args.scale.name],
            warmup=args.warmup,
            workers=args.workers,
            generator=args.generator,
            reuse=args.reuse,
            keep_schema=args.keep_schema,
            profile=args.profile,
            profile_seconds=args.profile_seconds,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
