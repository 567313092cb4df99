"""Per-key rate limit (API_RATE_LIMIT, e.g. ``600/min``), counted in Django's cache.

A fixed window per key: one atomic ``incr`` per request (Redis INCR when the cache is
Redis), so every web process counts against the same budget. The window is part of the cache
key, so a counter is never read after its window, whenever it expires."""

import re
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from .models import APIKey

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` -> (600, 60): requests and the window in seconds. Units: s, sec, second,
    m, min, minute, h, hour, d, day. Raises ValueError for anything else or 0 requests."""
    match = RATE.match(str(rate))
    if not match or int(match[1]) < 1:
        raise ValueError(
            f"{rate!r} is not a rate: use requests/period, such as 600/min (period s, m, h or d)."
        )
    return int(match[1]), PERIODS[match[2][0]]


class KeyRateThrottle(BaseThrottle):
    """DRF throttle: at most API_RATE_LIMIT requests per window per API key."""

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, APIKey):
            return True
        limit, period = parse_rate(settings.API_RATE_LIMIT)
        now = time.time()
        window = int(now // period)
        cache_key = f"api:rate:{key.code}:{window}"
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the window's first request (or two at once)
            count = 1 if cache.add(cache_key, 1, timeout=period + 1) else cache.incr(cache_key)
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float:
        return self._wait
