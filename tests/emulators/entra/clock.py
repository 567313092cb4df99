"""Emulator time: the wall clock moved forward by tests, plus a skew only reported times see."""

from __future__ import annotations

import datetime as dt
import threading
import time


class Clock:
    """`now()` drives every expiry (codes, tokens, the 90-day refresh-token lifetime).

    `skew` (seconds, may be negative) shifts only the times the emulator *reports*: `iat`, `nbf`
    and `exp` in JWTs and `timestamp` in errors, as an identity provider with a wrong clock would.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.offset = 0.0
        self.skew = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def reported(self, epoch: float | None = None) -> float:
        return (self.now() if epoch is None else epoch) + self.skew

    def advance(self, seconds: float = 0.0, days: float = 0.0) -> float:
        step = seconds + days * 86400
        if step < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self.offset += step
            return self.offset

    def reset(self) -> None:
        with self._lock:
            self.offset = 0.0
            self.skew = 0.0


def iso(epoch: float) -> str:
    """Entra's error timestamp layout, e.g. `2026-12-02 03:12:40Z` (UTC)."""
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
