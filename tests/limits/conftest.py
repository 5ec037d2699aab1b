"""The limits are tested on both stores: the database, and Redis as ``FORUM_REDIS_URL`` configures it.

Redis is the one at ``FORUM_TEST_REDIS_URL`` (default: the local one). Where none answers the Redis
cases skip, except in CI (``CI=true``), where that is a failure. Each test counts under keys of its own.
"""

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis

REDIS_URL = os.environ.get("FORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """Keys of this test's own under the test Redis, deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"no Redis at {REDIS_URL} ({error}); in CI the Redis store must be tested")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"forum-test:{uuid.uuid4().hex}:"
    yield prefix
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["database", "redis"])
def build_limited_app(request: pytest.FixtureRequest, build_app: Callable) -> Callable:
    """``build_app`` keeping its counts in the database, or in Redis."""
    if request.param == "database":
        return build_app
    prefix = request.getfixturevalue("redis_prefix")
    return lambda **overrides: build_app(redis_url=REDIS_URL, redis_prefix=prefix, **overrides)
