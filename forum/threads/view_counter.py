"""Thread view counts that cost a page view nothing but a dictionary write.

Each page view is recorded in memory; a background thread writes the batch every
few seconds in one transaction. A viewer counts once per window, enforced by the
``thread_view`` table, so the rule holds across several workers and servers. A crash
loses at most the views of the last few seconds, never a post.
"""

import hashlib
import hmac
import logging
import threading
from collections import Counter
from datetime import datetime, timedelta

from sqlmodel import Session, col, update

from forum.db import Database
from forum.kit.time import utcnow
from forum.kit.upsert import upsert
from forum.permissions import Viewer
from forum.threads.models import Thread, ThreadView

log = logging.getLogger(__name__)


def viewer_key(viewer: Viewer, *, address: str, user_agent: str, secret: str) -> str:
    """Who is viewing, as a short key: the member id, or a keyed hash for a visitor."""
    if viewer.id is not None:
        return f"m{viewer.id}"
    digest = hmac.new(secret.encode(), f"{address}\n{user_agent}".encode(), hashlib.sha256)
    return "v" + digest.hexdigest()[:40]


class ViewCounter:
    def __init__(self, *, window: timedelta) -> None:
        self.window = window
        self._pending: dict[tuple[int, str], datetime] = {}
        self._lock = threading.Lock()

    def record(self, thread_id: int, key: str) -> None:
        with self._lock:
            self._pending.setdefault((thread_id, key), utcnow())

    def flush(self, session: Session) -> int:
        """Write the views recorded so far; returns how many counted."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        counted: Counter[int] = Counter()
        for (thread_id, key), seen_at in pending.items():
            if self._count_once(session, thread_id=thread_id, key=key, seen_at=seen_at):
                counted[thread_id] += 1
        for thread_id, views in counted.items():
            session.execute(
                update(Thread).where(col(Thread.id) == thread_id).values(view_count=col(Thread.view_count) + views),
                execution_options={"synchronize_session": False},
            )
        return sum(counted.values())

    def _count_once(self, session: Session, *, thread_id: int, key: str, seen_at: datetime) -> bool:
        """Insert or refresh the viewer's row; true if this view falls in a new window."""
        statement = upsert(session, ThreadView).values(thread_id=thread_id, viewer_key=key, counted_at=seen_at)
        statement = statement.on_conflict_do_update(
            index_elements=["thread_id", "viewer_key"],
            set_={"counted_at": statement.excluded.counted_at},
            where=col(ThreadView.counted_at) <= seen_at - self.window,
        ).returning(col(ThreadView.thread_id))
        return session.execute(statement).first() is not None


class ViewFlusher:
    """Runs ``ViewCounter.flush`` every few seconds, and once more at shutdown."""

    def __init__(self, counter: ViewCounter, database: Database, *, interval: float) -> None:
        self.counter = counter
        self.database = database
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="view-flusher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.flush_now()

    def flush_now(self) -> None:
        try:
            with self.database.session(write=True) as session:
                self.counter.flush(session)
        except Exception:  # a failed batch of view counts must never take the server down
            log.exception("could not write view counts")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush_now()
