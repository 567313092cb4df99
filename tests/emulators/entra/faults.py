"""Injected faults: the next N matching calls hang, drop the connection, or answer an error status.

Targets: "token" (the token endpoint), "dataverse" (Global Discovery and the environments' Web
API) or "any" (every call except the control API and the status page).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

TARGETS = ("token", "dataverse", "any")


@dataclass(frozen=True)
class Fault:
    """status None answers normally after `hang` seconds; `retry_after` (seconds) sets the header,
    and a 429 without it gets `Retry-After: 1`; `body` None picks the service's own error body."""

    status: int | None = 503
    target: str = "token"
    retry_after: int | None = None
    body: Any = None
    hang: float = 0.0
    drop: bool = False

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {', '.join(TARGETS)}")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"bad HTTP status {self.status}")
        if self.hang < 0:
            raise ValueError("hang must be >= 0")

    def matches(self, target: str) -> bool:
        return self.target in ("any", target)


class Faults:
    """A thread-safe FIFO; each matching call takes the first fault whose target fits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []

    def add(self, count: int, fault: Fault) -> None:
        if count < 0:
            raise ValueError("count must be >= 0")
        with self._lock:
            self._queue.extend([fault] * count)

    def take(self, target: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self._queue):
                if fault.matches(target):
                    return self._queue.pop(index)
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._queue]
