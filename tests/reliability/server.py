"""A real forum for the reliability tests: `forum serve` in a process group of its own, and writers.

Load, crash and backup tests need what the in-process test client cannot give: several worker
processes, a server that can be killed, a database file shared with other commands. Every server
is stopped when its block ends, even when the test fails, and talks on loopback only.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from forum.app import create_app
from forum.db import Database, upgrade_to_head
from tests import conftest
from tests.factories import Factory
from tests.test_cli import FAST_HASHING

STARTUP_SECONDS = 60
STOP_SECONDS = 30
# Generous: a request queued behind SQLite's write lock may wait its busy timeout (10 s).
REQUEST_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Servers under test are not throttled unless a test asks: load tests measure the database, and the
# browser tests join and log in more often in a run than the limits let one address.
UNTHROTTLED = {
    f"FORUM_{name}": "100000"
    for name in ("COMMENTS_PER_HOUR", "THREADS_PER_HOUR", "JOINS_PER_HOUR", "LOGIN_ATTEMPTS_PER_HOUR")
}


def server_env(database_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a `forum` command on ``database_url``, with cheap password hashing and no
    throttling of posts; ``settings`` (``FORUM_*`` names) override."""
    env = {
        **os.environ,
        **FAST_HASHING,
        **UNTHROTTLED,
        **settings,
        "FORUM_DATABASE_URL": database_url,
        "FORUM_DATA_DIR": str(data_dir),
        "FORUM_ENV": "test",
        "FORUM_SECRET_KEY": conftest.TEST_SECRET,
    }
    env.pop("FORUM_TEST_DATABASE_URL", None)
    return env


def forum_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "forum.cli", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


class ForumServer:
    """One `forum serve` process group on a free loopback port."""

    def __init__(self, env: dict[str, str], log_path: Path, *, workers: int = 1) -> None:
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "forum.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            # A file, not a pipe: nobody reads the log while the test runs, and a full pipe would stall the server.
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                httpx.get(self.base_url + "/api/v1/tags", timeout=5)
                return
            except httpx.TransportError:
                assert self.process.poll() is None, f"the server exited while starting:\n{self.log_tail()}"
                assert time.monotonic() < deadline, f"no answer in {STARTUP_SECONDS} s:\n{self.log_tail()}"
                time.sleep(0.1)  # polling for start-up, not waiting for an outcome

    def kill(self) -> None:
        """SIGKILL to the whole group (supervisor and workers): no shutdown code runs."""
        self._signal_group(signal.SIGKILL)
        assert self.process is not None
        self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.process.wait(timeout=STOP_SECONDS)
        self._signal_group(signal.SIGKILL)  # a worker that outlived its supervisor

    def _signal_group(self, signum: int) -> None:
        assert self.process is not None
        with suppress(ProcessLookupError):  # every process of the group has already exited
            os.killpg(self.process.pid, signum)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running_server(env: dict[str, str], log_path: Path, *, workers: int = 1) -> Iterator[ForumServer]:
    server = ForumServer(env, log_path, workers=workers)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@dataclass
class Scene:
    """What the writers need: a public thread and one API token per writer, each a different member."""

    thread_id: int
    tokens: list[str]


def seed_scene(database_url: str, data_dir: Path, *, writers: int) -> Scene:
    """Migrate a fresh database and add the members and the thread, through the services."""
    upgrade_to_head(database_url)
    database = Database(database_url)
    try:
        factory = Factory(database, create_app(conftest.test_settings(data_dir), database))
        members = [factory.member(display_name=f"Writer {number}") for number in range(writers)]
        thread = factory.thread(members[0], title="Holding boundaries under pressure", audience="public")
        return Scene(thread_id=thread.id, tokens=[factory.token(member) for member in members])
    finally:
        database.dispose()


@dataclass
class StreamRecord:
    """Every answer the writers got. An acknowledged comment is one answered 201."""

    statuses: Counter[int] = field(default_factory=Counter)
    attempted: set[str] = field(default_factory=set)
    acknowledged: dict[str, int] = field(default_factory=dict)  # body -> comment id
    unacceptable: list[str] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + len(self.transport_errors)

    def wait_until(self, predicate: Callable[["StreamRecord"], bool], timeout: float) -> None:
        with self.changed:
            reached = self.changed.wait_for(lambda: predicate(self), timeout=timeout)
        assert reached, f"not reached within {timeout} s; so far {self.summary()}"

    def summary(self) -> str:
        return (
            f"{self.requests} requests, {dict(sorted(self.statuses.items()))} by status, "
            f"{len(self.acknowledged)} acknowledged, {len(self.unacceptable)} unacceptable answers, "
            f"{len(self.transport_errors)} transport errors"
        )


def is_deliberate_refusal(response: httpx.Response) -> bool:
    """A 429 or 503 that tells the client when to try again: a refusal, not a failure."""
    return response.status_code in (429, 503) and response.headers.get("retry-after", "").isdigit()


def stream_comments(base_url: str, scene: Scene, stop: threading.Event, record: StreamRecord) -> None:
    """Each token posts comments on the thread, as fast as answers come, until ``stop`` is set.

    A transport error (the server is gone) ends that writer; it is recorded, and whether it is
    acceptable is for the test to say.
    """

    def write(writer: int, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=REQUEST_SECONDS) as client:
            number = 0
            while not stop.is_set():
                number += 1
                body = f"Load comment from writer {writer}, message {number}: a boundary held."
                with record.changed:
                    record.attempted.add(body)
                try:
                    response = client.post(f"/api/v1/threads/{scene.thread_id}/comments", json={"body": body})
                except httpx.TransportError as error:
                    with record.changed:
                        record.transport_errors.append(f"{type(error).__name__}: {error}")
                        record.changed.notify_all()
                    return
                with record.changed:
                    record.statuses[response.status_code] += 1
                    if response.status_code == 201:
                        record.acknowledged[body] = response.json()["id"]
                    elif not is_deliberate_refusal(response):
                        record.unacceptable.append(f"{response.status_code}: {response.text[:200]}")
                    record.changed.notify_all()

    with ThreadPoolExecutor(max_workers=len(scene.tokens)) as pool:
        for future in [pool.submit(write, writer, token) for writer, token in enumerate(scene.tokens)]:
            future.result()


@contextmanager
def comments_streaming(base_url: str, scene: Scene) -> Iterator[tuple[StreamRecord, threading.Event]]:
    """Writers running in the background while the block runs; they are stopped and joined at its end."""
    record = StreamRecord()
    stop = threading.Event()
    runner = threading.Thread(target=stream_comments, args=(base_url, scene, stop, record), daemon=True)
    runner.start()
    try:
        yield record, stop
    finally:
        stop.set()
        runner.join(timeout=REQUEST_SECONDS + 10)
        assert not runner.is_alive(), "the writers did not stop"


@dataclass
class Stored:
    bodies: Counter[str]
    comment_count: int


def stored_comments(database_url: str, thread_id: int) -> Stored:
    """What the database holds for the thread, read directly: every comment body, and the thread's count."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM comment WHERE thread_id = :id"), {"id": thread_id})
            count = connection.execute(text("SELECT comment_count FROM thread WHERE id = :id"), {"id": thread_id})
            return Stored(bodies=Counter(body for (body,) in bodies), comment_count=count.scalar_one())
    finally:
        engine.dispose()


def check_nothing_lost(record: StreamRecord, stored: Stored, *, acknowledged: set[str] | None = None) -> None:
    """Every acknowledged comment stored exactly once, nothing stored that was never sent, counts right."""
    expected = set(record.acknowledged) if acknowledged is None else acknowledged
    missing = expected - set(stored.bodies)
    duplicated = {body: times for body, times in stored.bodies.items() if times > 1}
    invented = set(stored.bodies) - record.attempted
    figures = f"{record.summary()}; stored {sum(stored.bodies.values())}, thread comment_count {stored.comment_count}"
    assert not missing, f"{len(missing)} acknowledged comments are missing, e.g. {sorted(missing)[:3]}; {figures}"
    assert not duplicated, f"comments stored twice: {list(duplicated.items())[:3]}; {figures}"
    assert not invented, f"comments stored that no writer sent: {sorted(invented)[:3]}; {figures}"
    assert stored.comment_count == sum(stored.bodies.values()), f"the thread's count is wrong; {figures}"


def sqlite_integrity(database_file: Path) -> str:
    with closing(sqlite3.connect(database_file)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
