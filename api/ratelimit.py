"""Per-key rate limit (API_RATE_LIMIT, e.g. ``600/min``), counted in Django's cache.

A fixed window per key: one atomic increment per request, so every web process counts
against the same budget. On Redis that is one round trip of INCR and EXPIRE NX (the expiry is
set by whichever request comes first, so a process dying between the two can't leave a counter
that never expires); Django's own ``cache.incr`` would send EXISTS first. The window is part
of the cache key, so a counter is never read after its window, whenever it expires.
Reference: https://redis.io/docs/latest/commands/incr/ (the rate limiter pattern)"""

import re
import time
import weakref
from functools import cache as memoize

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import BaseThrottle

from .models import APIKey

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")


@memoize
def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` -> (600, 60): requests and the window in seconds. Units: s, sec, second,
    m, min, minute, h, hour, d, day. Raises ValueError for anything else or 0 requests."""
    match = RATE.match(str(rate))
    if not match or int(match[1]) < 1:
        raise ValueError(
            f"{rate!r} is not a rate: use requests/period, such as 600/min (period s, m, h or d)."
        )
    return int(match[1]), PERIODS[match[2][0]]


# Per Redis cache backend, the client of its write server (Django builds one per command).
_redis_clients: "weakref.WeakKeyDictionary[RedisCache, object]" = weakref.WeakKeyDictionary()


def increment(backend: BaseCache, key: str, timeout: int) -> int:
    """Add 1 to the counter ``key`` of ``backend`` (created at 1, living ``timeout`` seconds)
    and return its new value."""
    if isinstance(backend, RedisCache):
        client = _redis_clients.get(backend)
        if client is None:
            client = _redis_clients[backend] = backend._cache.get_client(write=True)
        full_key = backend.make_and_validate_key(key)
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, timeout, nx=True)
        count, _ = pipeline.execute()
        return count
    try:
        return backend.incr(key)
    except ValueError:  # the window's first request (or two at once)
        return 1 if backend.add(key, 1, timeout=timeout) else backend.incr(key)


class KeyRateThrottle(BaseThrottle):
    """DRF throttle: at most API_RATE_LIMIT requests per window per API key."""

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, APIKey):
            return True
        limit, period = parse_rate(settings.API_RATE_LIMIT)
        now = time.time()
        window = int(now // period)
        count = increment(caches["default"], f"api:rate:{key.code}:{window}", period + 1)
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float:
        return self._wait
