"""A webhook receiver on loopback: records every request and answers with the next status of
its script (the last one repeats)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    # The receiver's secrets that verified this request when it arrived (timestamps count).
    verified_by: set[str] = field(default_factory=set)

    def verifies_with(self, secret: str) -> bool:
        """Whether the standardwebhooks library accepts the delivery with ``secret``."""
        try:
            Webhook(secret).verify(self.body, self.headers)
        except Exception:
            return False
        return True


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=lambda: [204])
    response_body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    # Hold the first request without answering until ``release`` is set.
    hold_first: bool = False
    release: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                request = Received(dict(self.headers.items()), body)
                request.verified_by = {s for s in receiver.secrets if request.verifies_with(s)}
                receiver.received.append(request)
                if receiver.hold_first and len(receiver.received) == 1:
                    receiver.release.wait(60)
                status = receiver.statuses[min(len(receiver.received), len(receiver.statuses)) - 1]
                self.send_response(status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                payload = receiver.response_body.encode()
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
