"""A small HTTP/1.1 load generator on asyncio streams: N concurrent clients, each sending one
request per TCP connection (``Connection: close``, as gunicorn's sync workers answer anyway)
and reading to EOF. Cheap per request, so on 2 cores it leaves the CPU to the server."""

import asyncio
import statistics
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    """``statuses``: how many answers of each HTTP status; latencies in milliseconds."""

    requests: int
    seconds: float
    statuses: dict[int, int]
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if not 200 <= status < 300)

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


def request_bytes(
    method: str, url_path: str, host: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {url_path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def fetch(host: str, port: int, raw: bytes) -> tuple[int, bytes, float]:
    """(status, whole response, milliseconds) of one request on a new connection."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    elapsed = (time.perf_counter() - started) * 1000
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    return status, data, elapsed


def body_of(response: bytes) -> bytes:
    """The body of a ``fetch`` response (chunked transfer coding undone)."""
    head, _, body = response.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" not in head.lower():
        return body
    out, rest = b"", body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


async def _load(host: str, port: int, raw: bytes, clients: int, duration: float) -> LoadResult:
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    deadline = time.monotonic() + duration

    async def client() -> None:
        while time.monotonic() < deadline:
            try:
                status, _, elapsed = await fetch(host, port, raw)
            except OSError:
                status, elapsed = 0, 0.0
            statuses[status] = statuses.get(status, 0) + 1
            if status:
                latencies.append(elapsed)

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    seconds = time.monotonic() - started
    return LoadResult(sum(statuses.values()), seconds, statuses, latencies)


def load(host: str, port: int, raw: bytes, clients: int, duration: float) -> LoadResult:
    """``clients`` concurrent clients sending ``raw`` for ``duration`` seconds."""
    return asyncio.run(_load(host, port, raw, clients, duration))


def burst(host: str, port: int, raw: bytes, count: int) -> list[tuple[int, bytes, float]]:
    """``count`` requests sent at once; their (status, response, ms)."""

    async def run() -> list[tuple[int, bytes, float]]:
        return await asyncio.gather(*(fetch(host, port, raw) for _ in range(count)))

    return asyncio.run(run())


def sequential(host: str, port: int, raw: bytes, count: int) -> LoadResult:
    """``count`` requests one after another (latency without queueing)."""

    async def run() -> LoadResult:
        statuses: dict[int, int] = {}
        latencies = []
        started = time.monotonic()
        for _ in range(count):
            status, _, elapsed = await fetch(host, port, raw)
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(elapsed)
        return LoadResult(count, time.monotonic() - started, statuses, latencies)

    return asyncio.run(run())
