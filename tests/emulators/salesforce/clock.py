"""The emulator clock: real time plus an offset that tests move forward instead of sleeping."""

import threading
import time


class Clock:
    """Emulator time = `time.time()` + offset; codes, idle TTL and session timeout all read it."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        return self._offset

    def now(self) -> float:
        return time.time() + self._offset

    def now_ms(self) -> str:
        """`issued_at` as Salesforce sends it: epoch milliseconds as a string
        (docs/salesforce-protocol.md, "Token responses")."""
        return str(int(self.now() * 1000))

    def advance(self, seconds: float = 0, days: float = 0) -> float:
        if seconds < 0 or days < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._offset += seconds + days * 86400
            return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
