"""A hard deadline for one delivery attempt. Socket timeouts bound each read, not the whole
answer: a receiver trickling a header line every few seconds would hold the attempt (and a
worker thread) for as long as it likes. When the time is up, the attempt's sockets are shut
down, which ends any read in progress; the attempt is then "no answer"."""

import contextlib
import contextvars
import socket
import threading
import time

_current: contextvars.ContextVar["Deadline | None"] = contextvars.ContextVar(
    "webhook_deadline", default=None
)


class Deadline:
    """``with Deadline(seconds):`` around an attempt; connections opened inside call
    ``Deadline.watch(connection)``."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self._connections = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Deadline":
        self._token = _current.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _current.reset(self._token)

    def remaining(self) -> float:
        """Seconds left (0 when passed)."""
        return max(self.expires - time.monotonic(), 0.0)

    def passed(self) -> bool:
        return time.monotonic() >= self.expires

    @staticmethod
    def watch(connection, sock: socket.socket) -> None:
        """Shut ``connection``'s socket (``sock``, or the TLS socket wrapping it) down at the
        current deadline, if any; raises TimeoutError when it has passed already (a slow
        name lookup)."""
        deadline = _current.get()
        if deadline is None:
            return
        with deadline._lock:
            if deadline.passed():
                raise TimeoutError("The attempt's deadline has passed.")
            deadline._connections.append((connection, sock))

    def _expire(self) -> None:
        with self._lock:
            for connection, raw in self._connections:
                for sock in {connection.sock, raw} - {None}:
                    # OSError: closed, or detached by the TLS socket that wraps it.
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
