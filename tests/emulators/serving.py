"""The emulators' HTTP server: threaded werkzeug on a daemon thread. Shared by
tests/emulators/salesforce and tests/emulators/entra (neither imports the product)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from werkzeug.serving import WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from collections.abc import Callable


class QuietRequestHandler(WSGIRequestHandler):
    """No per-request access log: it costs throughput and floods test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class BackgroundServer:
    """A threaded werkzeug server running `serve_forever` on a daemon thread."""

    def __init__(self, app: Callable, host: str, port: int, verbose: bool = False) -> None:
        handler = WSGIRequestHandler if verbose else QuietRequestHandler
        self.server = make_server(host, port, app, threaded=True, request_handler=handler)
        self.server.socket.listen(1024)  # a deeper accept backlog for benchmark bursts
        self.host = host
        self.port: int = self.server.server_port
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host  # noqa: S104 - mapping only
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def wait(self) -> None:
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            self.stop()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)
