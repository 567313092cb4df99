"""Fault injection for the token endpoint: the next N calls fail, hang, or lose their connection."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Fault:
    """What to do to one token call.

    status None = answer normally (after `hang`); `drop` closes the socket without an answer;
    `commit` lets the request take effect first (e.g. the refresh token rotates) and then spoils the
    answer, the "response lost after Salesforce committed" case of
    docs/salesforce-protocol.md, "Refresh token rotation".
    """

    status: int | None = 503
    body: Any = None
    hang: float = 0.0
    drop: bool = False
    commit: bool = False

    def describe(self) -> str:
        parts = []
        if self.hang:
            parts.append(f"hang {self.hang:g}s")
        if self.drop:
            parts.append("drop")
        elif self.status is not None:
            parts.append(f"status {self.status}")
        if self.commit:
            parts.append("after commit")
        return ", ".join(parts) or "none"


class FaultQueue:
    """A thread-safe queue of faults, consumed one per token call in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()

    def add(self, count: int, fault: Fault) -> None:
        if count < 0:
            raise ValueError("count must be >= 0")
        if fault.status is not None and not 100 <= fault.status <= 599:
            raise ValueError(f"bad HTTP status {fault.status}")
        if fault.hang < 0:
            raise ValueError("hang must be >= 0")
        with self._lock:
            self._queue.extend([fault] * count)

    def take(self) -> Fault | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._queue]
