"""The two stores of rate-limit counts keep the same contract (``forum.limits.counters``)."""

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis

from forum.limits.counters import Counters, DatabaseCounters, RedisCounters, redis_client
from tests.limits.conftest import REDIS_URL

HOUR = timedelta(hours=1)
SHORT = timedelta(milliseconds=300)


@pytest.fixture(params=["database", "redis"])
def counters(request: pytest.FixtureRequest, database) -> Iterator[Counters]:
    if request.param == "database":
        with database.session(write=True) as session:
            yield DatabaseCounters(session)
    else:
        yield RedisCounters(redis_client(REDIS_URL), request.getfixturevalue("redis_prefix"))


def test_hits_count_up_within_a_window(counters: Counters) -> None:
    counts = [counters.hit("a", window=HOUR) for _ in range(3)]
    assert [count.hits for count in counts] == [1, 2, 3]
    assert counts[0].window_started_at == counts[2].window_started_at
    assert counts[2].last_hit_at >= counts[0].last_hit_at
    assert counters.hit("b", window=HOUR).hits == 1


def test_a_new_window_starts_once_the_last_is_over(counters: Counters) -> None:
    first = counters.hit("a", window=SHORT)
    counters.hit("a", window=SHORT)
    time.sleep(SHORT.total_seconds() + 0.2)
    again = counters.hit("a", window=SHORT)
    assert again.hits == 1
    assert again.window_started_at > first.window_started_at


def test_reading_gives_the_counters_still_in_their_window(counters: Counters) -> None:
    """Read with the window they were counted in, as the rules always do."""
    counters.hit("kept", window=HOUR)
    counters.hit("kept", window=HOUR)
    counters.hit("passing", window=SHORT)
    time.sleep(SHORT.total_seconds() + 0.2)
    found = counters.read(["kept", "never"], window=HOUR)
    assert set(found) == {"kept"}
    assert found["kept"].hits == 2
    assert counters.read(["passing"], window=SHORT) == {}


def test_a_forgotten_counter_starts_again(counters: Counters) -> None:
    counters.hit("a", window=HOUR)
    counters.forget("a")
    assert counters.read(["a"], window=HOUR) == {}
    assert counters.hit("a", window=HOUR).hits == 1


def test_a_redis_out_of_reach_is_a_503_with_retry_after_never_a_500(build_app) -> None:
    client, factory = build_app(redis_url="redis://127.0.0.1:1/0")
    thread = factory.thread(factory.member(), audience="public")
    answer = client.post(
        f"/api/v1/threads/{thread.id}/comments", headers=factory.headers(factory.member()), json={"body": "Hello"}
    )
    assert answer.status_code == 503
    assert int(answer.headers["retry-after"]) > 0
    assert "limits" in answer.json()["detail"]


def test_redis_keys_name_no_address_or_member(build_app, redis_prefix: str) -> None:
    client, factory = build_app(redis_url=REDIS_URL, redis_prefix=redis_prefix)
    thread = factory.thread(factory.member(), audience="public")
    headers = factory.headers(factory.member())
    assert client.post(f"/api/v1/threads/{thread.id}/comments", headers=headers, json={"body": "Hi"}).status_code == 201
    keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(match=redis_prefix + "*")]
    assert len(keys) == 2  # the member and the address
    assert all(len(key.removeprefix(redis_prefix)) == 64 and "testclient" not in key for key in keys)
