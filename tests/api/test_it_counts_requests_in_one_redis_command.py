"""The rate limit's counter on Redis: one INCR per request (an EXPIRE too on a window's first
request), a counter shared with Django's cache API, limits as on any cache."""

import pytest
from django.core.cache import caches

from api.ratelimit import increment

pytestmark = pytest.mark.services


@pytest.fixture
def redis_cache():
    backend = caches["default"]
    if type(backend).__name__ != "RedisCache":
        pytest.fail("the services settings should use Redis as the cache")
    backend.delete("test:counter")
    yield backend
    backend.delete("test:counter")


def test_a_counter_starts_at_one_and_expires(redis_cache):
    assert [increment(redis_cache, "test:counter", 30) for _ in range(3)] == [1, 2, 3]
    assert redis_cache.get("test:counter") == 3
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.ttl(redis_cache.make_and_validate_key("test:counter")) <= 30


def test_each_request_sends_one_command(redis_cache, monkeypatch):
    increment(redis_cache, "test:counter", 30)
    sent = []
    client = redis_cache._cache.get_client(write=True)
    original = type(client).execute_command
    monkeypatch.setattr(
        type(client),
        "execute_command",
        lambda self, *a, **k: sent.append(a[0]) or original(self, *a, **k),
    )
    increment(redis_cache, "test:counter", 30)
    assert sent == ["INCRBY"]  # redis-py sends INCR as INCRBY 1
