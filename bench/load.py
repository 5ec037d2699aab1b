"""Load generation at a fixed concurrency: wrk when it is installed, else a Python generator.

wrk (Debian's ``wrk`` package) is a C program and costs the shared cores little; it runs the
script ``wrk.lua`` to send a list of prepared requests in turn and to count every answer with
an unexpected status as an error. Without wrk, an asyncio HTTP/1.1 client with keep-alive
does the same job; it needs more CPU per request than wrk, so on a small machine it lowers
what the servers can reach. Ratios measured in one run stay comparable either way; the
results say which generator ran.

Several loads can run at the same time (comment posting while pages are read); each gets its
own connections and its own figures.
"""

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
REQUEST_TIMEOUT_S = 10  # a request unanswered this long counts as an error (wrk's --timeout, and the Python one)
HEADER_SEPARATOR = "\x1f"
RESULT_MARK = "BENCH_RESULT "


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True)
class Load:
    """Requests sent in turn over ``connections`` open connections; each answer should have ``expected_status``."""

    requests: list[Request]
    connections: int
    expected_status: int = 200


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int  # failed connections, reads, writes, timeouts, and answers with an unexpected status
    unexpected_status: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    generator: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def acknowledged(self) -> int:
        """Answers with the expected status (for writes: stored posts)."""
        return self.requests - self.unexpected_status


def available_generator() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def run(base_url: str, loads: list[Load], seconds: float, generator: str | None = None) -> list[LoadResult]:
    """Run every load at the same time for ``seconds``; one result per load, in order."""
    generator = generator or available_generator()
    if generator == "wrk":
        return _run_wrk(base_url, loads, seconds)
    # In a thread of its own: asyncio.run needs a thread where no event loop is running already.
    with ThreadPoolExecutor(1) as runner:
        return runner.submit(asyncio.run, _run_python(base_url, loads, seconds)).result()


# --- wrk -------------------------------------------------------------------------------


def _request_line(request: Request) -> str:
    for text in (request.path, request.body, *request.headers.values()):
        if any(c in text for c in "\t\n\r" + HEADER_SEPARATOR):
            raise ValueError(f"a request for wrk cannot hold tabs or line breaks: {request.path}")
    headers = HEADER_SEPARATOR.join(f"{name}: {value}" for name, value in request.headers.items())
    return f"{request.method}\t{request.path}\t{headers}\t{request.body}"


def _run_wrk(base_url: str, loads: list[Load], seconds: float) -> list[LoadResult]:
    threads_each = max(1, (os.cpu_count() or 1) // len(loads))
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as directory:
        processes = []
        for number, load in enumerate(loads):
            request_file = Path(directory) / f"requests-{number}.tsv"
            request_file.write_text("\n".join(_request_line(r) for r in load.requests) + "\n")
            command = [
                "wrk",
                f"-t{min(threads_each, load.connections)}",
                f"-c{load.connections}",
                f"-d{max(1, round(seconds))}s",
                f"--timeout={REQUEST_TIMEOUT_S}s",
                "-s",
                str(WRK_SCRIPT),
                base_url,
                "--",
                str(request_file),
                str(load.expected_status),
            ]
            processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))  # noqa: S603
        return [_wrk_result(*process.communicate()) for process in processes]


def _wrk_result(output: str, errors: str) -> LoadResult:
    line = next((line for line in output.splitlines() if line.startswith(RESULT_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{output}\n{errors}")
    raw = json.loads(line.removeprefix(RESULT_MARK))
    failures = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    return LoadResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors=failures + raw["unexpected_status"],
        unexpected_status=raw["unexpected_status"],
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        mean_ms=raw["mean_us"] / 1000,
        generator="wrk",
    )


# --- Python ----------------------------------------------------------------------------


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    unexpected_status: int = 0

    def result(self, seconds: float) -> LoadResult:
        ordered = sorted(self.latencies)

        def percentile(share: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2) if ordered else 0.0

        return LoadResult(
            requests=len(ordered),
            seconds=seconds,
            errors=self.failures + self.unexpected_status,
            unexpected_status=self.unexpected_status,
            p50_ms=percentile(0.50),
            p95_ms=percentile(0.95),
            p99_ms=percentile(0.99),
            max_ms=round(ordered[-1] * 1000, 2) if ordered else 0.0,
            mean_ms=round(sum(ordered) / len(ordered) * 1000, 2) if ordered else 0.0,
            generator="python",
        )


def _encode(request: Request, host: str) -> bytes:
    body = request.body.encode()
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; its status, and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    headers = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    elif status >= 200 and status not in (204, 304):
        await reader.read()  # the body runs to the end of the connection
        return status, False
    return status, headers.get("connection") != "close"


async def _connection(
    host: str, port: int, raw: list[bytes], start: int, expected: int, deadline: float, tally: _Tally
) -> None:
    writer: asyncio.StreamWriter | None = None
    index = start
    while time.perf_counter() < deadline:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                tally.failures += 1
                await asyncio.sleep(0.05)  # the server refuses connections: do not spin
                continue
        request = raw[index % len(raw)]
        index += 1
        sent = time.perf_counter()
        try:
            writer.write(request)
            status, keep_open = await asyncio.wait_for(_read_answer(reader), REQUEST_TIMEOUT_S)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):  # OSError: timeouts too
            tally.failures += 1
            writer.close()
            writer = None
            continue
        tally.latencies.append(time.perf_counter() - sent)
        if status != expected:
            tally.unexpected_status += 1
        if not keep_open:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def _run_python(base_url: str, loads: list[Load], seconds: float) -> list[LoadResult]:
    address = urlsplit(base_url)
    host, port = address.hostname or "127.0.0.1", address.port or 80

    async def one(load: Load) -> LoadResult:
        raw = [_encode(r, f"{host}:{port}") for r in load.requests]
        tally = _Tally()
        started = time.perf_counter()
        deadline = started + seconds
        step = max(1, len(raw) // load.connections)
        await asyncio.gather(
            *(
                _connection(host, port, raw, n * step, load.expected_status, deadline, tally)
                for n in range(load.connections)
            )
        )
        return tally.result(time.perf_counter() - started)

    return list(await asyncio.gather(*(one(load) for load in loads)))
