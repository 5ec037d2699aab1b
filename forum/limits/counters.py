"""Where the rate-limit counts live: the database by default, Redis when ``FORUM_REDIS_URL`` is set.

Both give every worker and server the same counts, and both survive a restart of the forum. The
rules (``service.py``) are written once against ``Counters``; a store only counts, reads and forgets.
A count in the database is part of the request's transaction; in Redis it stands at once.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Protocol

import redis
from sqlalchemy import case, literal
from sqlmodel import Session, col, delete, select, update

from forum.errors import ServiceUnavailable
from forum.kit.time import UTCDateTime, utcnow
from forum.kit.upsert import upsert
from forum.limits.models import RateLimit

REDIS_RETRY_AFTER_S = 5


@dataclass(frozen=True)
class Count:
    """One counter: hits in the window that started at ``window_started_at``, the last at ``last_hit_at``."""

    hits: int
    window_started_at: datetime
    last_hit_at: datetime


class Counters(Protocol):
    def hit(self, key: str, *, window: timedelta) -> Count:
        """Add one to ``key`` (starting a new window when the last one is over) and return it."""
        ...

    def read(self, keys: list[str], *, window: timedelta) -> dict[str, Count]:
        """The counters of ``keys`` whose window (the one they were counted in) is not over."""
        ...

    def take_back(self, key: str) -> None:
        """Undo one hit: an attempt that was refused does not count against the caller."""
        ...

    def forget(self, key: str) -> None: ...


class DatabaseCounters:
    """Counts as rows of ``rate_limit``, written in the request's own transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def hit(self, key: str, *, window: timedelta) -> Count:
        """One statement, so concurrent requests never lose a count."""
        now = utcnow()
        window_over = col(RateLimit.window_started_at) <= now - window
        restarted_at = literal(now, UTCDateTime())
        statement = (
            upsert(self.session, RateLimit)
            .values(key=key, window_started_at=now, hits=1, last_hit_at=now)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "hits": case((window_over, 1), else_=col(RateLimit.hits) + 1),
                    "window_started_at": case((window_over, restarted_at), else_=col(RateLimit.window_started_at)),
                    "last_hit_at": now,
                },
            )
            .returning(col(RateLimit.hits), col(RateLimit.window_started_at), col(RateLimit.last_hit_at))
        )
        return Count(*self.session.execute(statement).one())

    def read(self, keys: list[str], *, window: timedelta) -> dict[str, Count]:
        started_after = utcnow() - window
        rows = self.session.exec(
            select(RateLimit).where(col(RateLimit.key).in_(keys), col(RateLimit.window_started_at) > started_after)
        )
        return {row.key: Count(row.hits, row.window_started_at, row.last_hit_at) for row in rows}

    def take_back(self, key: str) -> None:
        self.session.execute(
            update(RateLimit).where(col(RateLimit.key) == key).values(hits=col(RateLimit.hits) - 1),
            execution_options={"synchronize_session": False},
        )

    def forget(self, key: str) -> None:
        self.session.execute(delete(RateLimit).where(col(RateLimit.key) == key))


# Atomic in Redis: count, start the window (and its expiry) on the first hit, note the time.
_HIT = """
local hits = redis.call('HINCRBY', KEYS[1], 'hits', 1)
if hits == 1 then
  redis.call('HSET', KEYS[1], 'started', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
redis.call('HSET', KEYS[1], 'last', ARGV[1])
return {hits, redis.call('HGET', KEYS[1], 'started')}
"""


class RedisCounters:
    """Counts as Redis hashes that expire with their window. Redis down is a 503, never a 500."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def hit(self, key: str, *, window: timedelta) -> Count:
        now = utcnow()
        milliseconds = _milliseconds(now)
        window_ms = int(window.total_seconds() * 1000)
        with _redis_errors():
            hits, started = self.client.eval(_HIT, 1, self.prefix + key, milliseconds, window_ms)
        return Count(int(hits), _moment(int(started)), now)

    def read(self, keys: list[str], *, window: timedelta) -> dict[str, Count]:
        with _redis_errors():
            pipeline = self.client.pipeline(transaction=False)
            for key in keys:
                pipeline.hgetall(self.prefix + key)
            found = pipeline.execute()
        return {
            key: Count(int(fields[b"hits"]), _moment(int(fields[b"started"])), _moment(int(fields[b"last"])))
            for key, fields in zip(keys, found, strict=True)
            if fields
        }

    def take_back(self, key: str) -> None:
        with _redis_errors():
            self.client.hincrby(self.prefix + key, "hits", -1)

    def forget(self, key: str) -> None:
        with _redis_errors():
            self.client.delete(self.prefix + key)


@cache
def redis_client(url: str) -> redis.Redis:
    """One client (and connection pool) per process and URL."""
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


@contextmanager
def _redis_errors() -> Iterator[None]:
    """Turns a Redis that cannot be reached into a 503 with Retry-After."""
    try:
        yield
    except redis.RedisError as error:
        message = "The forum cannot check its limits just now. Please try again in a few seconds."
        raise ServiceUnavailable(REDIS_RETRY_AFTER_S, message) from error


def _milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _moment(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, UTC)
