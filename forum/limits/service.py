"""The rate-limit rules: how often an account, an email or an address may do each action.

Counts live in the database (the ``rate_limit`` table, written in the request's own transaction)
or, when ``FORUM_REDIS_URL`` is set, in Redis (``counters.py``); either way they hold across every
worker and server and survive restarts. An attempt the limit refuses is taken back, so it counts
against nobody. Past the limit, the stores differ in one way: in the database a count is kept only
when the request's transaction commits, so a request that fails later leaves no trace (which is why
a wrong password is recorded by a route that answers without raising), while in Redis it stands.
"""

import hashlib
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, delete

from forum.config import Settings
from forum.errors import RateLimited
from forum.kit.time import utcnow
from forum.limits.counters import Count, Counters, DatabaseCounters, RedisCounters, redis_client
from forum.limits.models import RateLimit

WINDOW = timedelta(hours=1)
# Failed logins are remembered for a day, so the back-off keeps growing for a slow guesser.
FAILURE_WINDOW = timedelta(days=1)
MAX_BACKOFF_SECONDS = 3600


class Action(StrEnum):
    LOGIN = "login"
    JOIN = "join"
    THREAD = "thread"
    COMMENT = "comment"
    REPORT = "report"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an action's name, not a password)


MESSAGES = {
    Action.LOGIN: "Too many login attempts. Please wait a little and try again.",
    Action.JOIN: "Too many accounts have been opened from here this hour. Please try again later.",
    Action.THREAD: "You have started many threads this hour. Please wait before starting another.",
    Action.COMMENT: "You have posted many comments this hour. Please wait a little before the next.",
    Action.REPORT: "You have sent many reports this hour; try again later.",
    Action.PASSWORD_RESET: "Too many password reset requests. Please wait before asking again.",
}
BACKOFF_MESSAGE = "Too many wrong passwords. Please wait before trying again, or reset your password."


def allowance_per_hour(settings: Settings, action: Action) -> int:
    """How many times one account (or one email) may do ``action`` in an hour."""
    return {
        Action.LOGIN: settings.login_attempts_per_hour,
        Action.JOIN: settings.joins_per_hour,
        Action.THREAD: settings.threads_per_hour,
        Action.COMMENT: settings.comments_per_hour,
        Action.REPORT: settings.reports_per_hour,
        Action.PASSWORD_RESET: settings.password_resets_per_hour,
    }[action]


def count_attempt(
    session: Session,
    settings: Settings,
    action: Action,
    *,
    member_id: int | None = None,
    address: str | None = None,
    subject: str | None = None,
) -> None:
    """Count one attempt at ``action`` for each caller given; refuse it past any caller's allowance.

    An address may do ``address_limit_factor`` times what one account may, since members of one
    clinic or one household can share it.
    """
    counters = counters_for(session, settings)
    allowance = allowance_per_hour(settings, action)
    now = utcnow()
    counted, wait = [], 0
    for caller in _callers(member_id=member_id, subject=subject, address=address):
        key = _key(action, caller)
        count = counters.hit(key, window=WINDOW)
        counted.append(key)
        if count.hits > allowance * _factor(settings, caller):
            wait = max(wait, _seconds_until(count.window_started_at + WINDOW, now))
    if wait:
        for key in counted:  # a refused attempt counts against nobody, whichever store keeps the counts
            counters.take_back(key)
        raise RateLimited(wait, MESSAGES[action])


def check_backoff(session: Session, settings: Settings, *, subject: str, address: str | None) -> None:
    """Refuse a login while earlier wrong passwords impose a wait.

    The first ``login_failures_before_backoff`` failures are free; each one after doubles the wait,
    from ``login_backoff_seconds`` up to an hour. An address gets the factor more free failures.
    """
    keys = {_key("login_failure", caller): caller for caller in _callers(subject=subject, address=address)}
    counts = counters_for(session, settings).read(list(keys), window=FAILURE_WINDOW)
    now = utcnow()
    wait = max((_backoff_left(settings, count, keys[key], now) for key, count in counts.items()), default=0)
    if wait:
        raise RateLimited(wait, BACKOFF_MESSAGE)


def record_failure(session: Session, settings: Settings, *, subject: str, address: str | None) -> None:
    """Remember a wrong password for the account's email and for the address it came from."""
    counters = counters_for(session, settings)
    for caller in _callers(subject=subject, address=address):
        counters.hit(_key("login_failure", caller), window=FAILURE_WINDOW)


def clear_failures(session: Session, settings: Settings, *, subject: str) -> None:
    """Forget an account's wrong passwords once its owner has logged in (the address keeps its count)."""
    counters_for(session, settings).forget(_key("login_failure", ("subject", subject)))


def prune(session: Session) -> int:
    """Delete the database's counters untouched for longer than any window: they would count nothing.

    Without this the table keeps a row for every email anyone ever tried; Redis expires its own.
    """
    idle_since = utcnow() - max(WINDOW, FAILURE_WINDOW)
    return session.execute(delete(RateLimit).where(col(RateLimit.last_hit_at) < idle_since)).rowcount


def counters_for(session: Session, settings: Settings) -> Counters:
    """Redis when the forum is given one, else the request's own database session."""
    if settings.redis_url:
        return RedisCounters(redis_client(settings.redis_url), settings.redis_prefix)
    return DatabaseCounters(session)


def _backoff_left(settings: Settings, count: Count, caller: tuple[str, str], now: datetime) -> int:
    free = settings.login_failures_before_backoff * _factor(settings, caller)
    if count.hits < free:
        return 0
    backoff = min(settings.login_backoff_seconds * 2 ** (count.hits - free), MAX_BACKOFF_SECONDS)
    waits_until = count.last_hit_at + timedelta(seconds=backoff)
    return _seconds_until(waits_until, now) if waits_until > now else 0


def _callers(
    *, member_id: int | None = None, subject: str | None = None, address: str | None = None
) -> Iterable[tuple[str, str]]:
    given = (("member", member_id), ("subject", subject), ("address", address))
    return [(kind, str(value)) for kind, value in given if value is not None and value != ""]


def _factor(settings: Settings, caller: tuple[str, str]) -> int:
    return settings.address_limit_factor if caller[0] == "address" else 1


def _key(action: str, caller: tuple[str, str]) -> str:
    """A hash, so that no email or address is ever stored in clear."""
    kind, value = caller
    return hashlib.sha256(f"{action}\x00{kind}\x00{value}".encode()).hexdigest()


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))
