"""The rate limit's counter on Redis: one round trip per request (INCR and EXPIRE NX), a
counter shared with Django's cache API, and never a counter without an expiry."""

import pytest
from django.core.cache import caches
from redis.client import Pipeline

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


def test_each_request_is_one_round_trip(redis_cache, monkeypatch):
    increment(redis_cache, "test:counter", 30)
    trips = []
    original = Pipeline.execute
    client = redis_cache._cache.get_client(write=True)
    with monkeypatch.context() as patch:
        patch.setattr(Pipeline, "execute", lambda self, *a: trips.append(1) or original(self, *a))
        patch.setattr(type(client), "execute_command", lambda *a, **k: pytest.fail("not piped"))
        assert increment(redis_cache, "test:counter", 30) == 2
    assert trips == [1]


def test_a_counter_that_lost_its_expiry_gets_one(redis_cache):
    """A process that died between INCR and EXPIRE left a counter without a TTL."""
    client = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_and_validate_key("test:counter")
    client.incr(key)
    assert client.ttl(key) == -1
    assert increment(redis_cache, "test:counter", 30) == 2
    assert 0 < client.ttl(key) <= 30
