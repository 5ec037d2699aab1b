"""Where a page's time goes: py-spy samples one forum worker while the page is loaded.

py-spy (from PyPI, in the ``bench`` extra) reads the worker's stacks from outside, without
changing the code it samples. The raw samples are kept (``*-profile.txt``, one stack per line,
for flamegraph tools) and summarised here: the share of samples each function was on the
stack (inclusive), the share it was running itself, and the share per library. Samples of threads waiting for
work (idle pool threads, the event loop in ``select``) are left out; time spent waiting for
the database, or for a pooled connection, stays in.
"""

import shutil
import subprocess
import sys
from collections import Counter
from math import ceil
from pathlib import Path

from bench import load
from bench.server import Server
from forum.config import PROJECT_ROOT

SAMPLES_PER_S = 200
SHOWN = 20
# Self time is put under the first of these found in the frame's file path.
LIBRARIES = (
    ("templates (Jinja2)", ("templates/", "jinja2/", "markupsafe/")),
    ("SQLAlchemy / SQLModel", ("sqlalchemy/", "sqlmodel/")),
    ("database driver", ("sqlite3/", "psycopg/", "psycopg_binary/")),
    ("pydantic", ("pydantic/", "pydantic_core/")),
    ("FastAPI / Starlette / uvicorn", ("fastapi/", "starlette/", "uvicorn/", "anyio/", "httptools/", "h11/")),
    ("forum code", ("forum/",)),
    ("Python itself", ("python3", "<frozen")),
)
# Threads parked in these (the thread pool's idle workers, the event loop waiting for sockets) are not working.
WAITING_IN = ("(threading.py)", "(queue.py)", "(selectors.py)")


def py_spy() -> str | None:
    """py-spy from PATH, or beside this interpreter (a virtual environment that is not activated)."""
    beside = Path(sys.executable).with_name("py-spy")
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


def record(server: Server, page_load: load.Load, seconds: float, generator: str, stem: Path) -> str:
    """Sample the server's worker for ``seconds`` under ``page_load``; write and return the summary."""
    load.run(server.base_url, [page_load], min(3.0, seconds), generator)  # warm-up, not sampled
    raw = stem.with_name(stem.name + ".txt")
    [pid] = server.worker_pids()[:1]
    command = [
        py_spy() or "py-spy",
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(ceil(seconds)),
        "--rate",
        str(SAMPLES_PER_S),
    ]
    command += ["--format", "raw", "--output", str(raw)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # noqa: S603
    result = load.run(server.base_url, [page_load], seconds + 1, generator)[0]
    _output, errors = spy.communicate()
    if spy.returncode != 0 or not raw.exists():
        return f"py-spy failed: {errors.strip()}"
    summary = f"{result.per_second:,.0f} req/s on one worker while sampled.\n\n" + summarise(raw.read_text())
    stem.with_name(stem.name + ".md").write_text(summary)
    return summary


def _function(frame: str) -> str:
    """``name (path:line)`` without the line, and with the path cut to the package that holds it."""
    name, _, location = frame.partition(" (")
    path = location.rsplit(":", 1)[0].removeprefix(f"{PROJECT_ROOT}/")
    for marker in ("site-packages/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def _library(function: str) -> str:
    for library, markers in LIBRARIES:
        if any(marker in function for marker in markers):
            return library
    return "other"


def summarise(raw: str) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    total = waiting = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        functions = [_function(frame) for frame in stack.split(";")]
        if functions[-1].endswith(WAITING_IN) and not any("forum/" in f or "sqlalchemy/" in f for f in functions):
            waiting += count
            continue
        total += count
        for function in set(functions):
            inclusive[function] += count
        own[functions[-1]] += count
        libraries[_library(functions[-1])] += count
    if not total:
        return "No samples: the worker was idle or could not be read."

    def table(title: str, counter: Counter[str], shown: int) -> list[str]:
        rows = [f"| {title} | share of samples |", "|---|---:|"]
        return rows + [f"| `{name}` | {count / total:.1%} |" for name, count in counter.most_common(shown)]

    interesting = Counter({f: c for f, c in inclusive.items() if "forum/" in f or "templates/" in f})
    lines = [f"{total:,} samples of working threads ({waiting:,} more of threads waiting for work left out).", ""]
    lines += [*table("Own time by library", libraries, len(libraries)), ""]
    lines += [*table("Forum code and templates on the stack (inclusive)", interesting, SHOWN), ""]
    lines += table("Functions running themselves (own time)", own, SHOWN)
    return "\n".join(lines) + "\n"
