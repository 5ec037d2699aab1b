"""Server processes under test: started as in production, measured from outside.

The forum runs under the uvicorn command line ``forum serve`` uses (``--workers``,
``--proxy-headers``, log level ``info`` with the access log), one worker per core by default.
The bare ceiling endpoint runs under the same command line without the access log: writing
a log line costs about as much as the whole bare request, and the ceiling is meant to be the
fastest a page can be served here (for a forum page the log line is a few per cent at most).

CPU time is read for the whole process tree (the supervisor and its workers) before and after
a load, so "CPU milliseconds per request" counts everything the server spent, whatever the
machine's other tenants were doing meanwhile.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from forum.config import PROJECT_ROOT

try:  # optional (the `bench` extra): without it, CPU and memory are not reported
    import psutil
except ImportError:  # pragma: no cover - depends on the installation
    psutil = None

READY_TIMEOUT_S = 90
STOP_TIMEOUT_S = 20
IDLE_TIMEOUT_S = 300
IDLE_STEP_S = 0.25


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One uvicorn server: ``app`` is a factory path such as ``forum.app:create_app``."""

    def __init__(self, app: str, *, workers: int, env: dict[str, str], log_path: Path, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log
        self.workers = workers
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log_start = 0

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            self.app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--proxy-headers",
            "--log-level",
            "info",
            *([] if self.access_log else ["--no-access-log"]),
        ]

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *_exception: object) -> None:
        self.stop()

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._log_start = log.tell()
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.command(), env=self.env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        with httpx.Client(base_url=self.base_url, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"{self.app} exited while starting; see {self.log_path}")
                try:
                    if self._all_workers_started() and client.get("/").status_code < 500:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.app} did not answer within {READY_TIMEOUT_S} s; see {self.log_path}")

    def _all_workers_started(self) -> bool:
        """Every worker has run its start-up: uvicorn logs one line each."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_start)
            return log.read().count(b"Application startup complete") >= self.workers

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            for pid in self.worker_pids():
                _kill(pid)
            self.process.kill()
            self.process.wait()

    # --- measurements ----------------------------------------------------------------

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: uvicorn's workers, or the server itself with one worker."""
        if self.process is None or psutil is None:
            return []
        try:
            children = psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []
        workers = [c.pid for c in children if "spawn_main" in " ".join(_cmdline(c))]
        return workers or [self.process.pid]

    def cpu_seconds(self) -> float | None:
        """User and system CPU time of the whole process tree so far."""
        if self.process is None or psutil is None:
            return None
        try:
            root = psutil.Process(self.process.pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return None
        total = 0.0
        for process in tree:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def wait_idle(self, timeout: float = IDLE_TIMEOUT_S) -> None:
        """Wait until the server has finished every request a load generator left behind at its deadline.

        A slow page leaves requests the server still works on, or waits on (a lock, a pooled
        connection), after the generator hung up; the next load must not start behind them.
        Idle: no client connection open on the server's port, and under a tenth of a core used.
        """
        previous = self.cpu_seconds()
        if previous is None:
            time.sleep(IDLE_STEP_S * 8)
            return
        deadline = time.monotonic() + timeout
        quiet_steps = 0
        while quiet_steps < 2 and time.monotonic() < deadline:
            time.sleep(IDLE_STEP_S)
            current = self.cpu_seconds() or previous
            quiet = current - previous < IDLE_STEP_S * 0.1 and not self._client_connections()
            quiet_steps = quiet_steps + 1 if quiet else 0
            previous = current

    def _client_connections(self) -> int:
        """Connections to the server's port not yet closed by the server (open, or half-closed by the client)."""
        count = 0
        for pid in self.worker_pids():
            try:
                connections = psutil.Process(pid).net_connections(kind="tcp")
            except psutil.Error:
                continue
            count += sum(1 for c in connections if c.laddr and c.laddr.port == self.port and c.status != "LISTEN")
        return count

    def peak_rss_mb(self) -> list[float]:
        """Each worker's peak resident memory so far (the kernel's high-water mark where it keeps one)."""
        return [round(_peak_rss_bytes(pid) / 2**20, 1) for pid in self.worker_pids()]

    def rss_mb(self) -> list[float]:
        """Each worker's resident memory now: with the peak, it tells a lasting size from a passing spike."""
        sizes = []
        for pid in self.worker_pids():
            with contextlib.suppress(psutil.Error):
                sizes.append(round(psutil.Process(pid).memory_info().rss / 2**20, 1))
        return sizes


def _cmdline(process: "psutil.Process") -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _kill(pid: int) -> None:
    with contextlib.suppress(psutil.Error):
        psutil.Process(pid).kill()


def _peak_rss_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status")
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return 0


# Rate limits as high as the settings allow: the load comes from a few members on one address,
# and the benchmark measures what the forum can do, not how soon it says "slow down".
UNTHROTTLED = {
    "FORUM_LOGIN_ATTEMPTS_PER_HOUR": "100000",
    "FORUM_THREADS_PER_HOUR": "100000",
    "FORUM_COMMENTS_PER_HOUR": "100000",
    "FORUM_REPORTS_PER_HOUR": "100000",
    "FORUM_ADDRESS_LIMIT_FACTOR": "1000",
}


def production_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production forum: FORUM_ENV=production, a fresh 48-character secret, no throttling."""
    env = dict(os.environ)
    env.update(
        **UNTHROTTLED,
        FORUM_ENV="production",
        FORUM_SECRET_KEY=secrets.token_urlsafe(36),
        FORUM_DATABASE_URL=database_url,
        FORUM_DATA_DIR=str(data_dir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")])),
        **extra,
    )
    env.pop("FORUM_SMTP_HOST", None)  # the benchmark sends no email
    return env
