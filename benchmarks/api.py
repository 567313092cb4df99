"""API benchmark (issue 12 §6): the connection API under gunicorn (2 sync workers, the
production server) with the Salesforce emulator in a process of its own.

- Throughput: 32 concurrent clients for 20 s on ``POST …/access-token`` (a fresh token, so no
  refresh), then on a bare view on the same server that authenticates nothing and does one
  indexed SELECT by UUID (``benchmarks.api_urls``, never in production URLs). Ratio of the rps.
- Stampede: 200 concurrent ``POST …/access-token/invalid`` with the same ``token_version``;
  the emulator must see exactly one refresh.
- Proxy: a SOQL query sent directly to the emulator and through the proxy, alternately, one at
  a time; the proxy's added latency is the difference of the medians.
"""

import asyncio
import json
import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import requests
from django.utils import timezone

from . import load, procs

HOST = "127.0.0.1"
CLIENTS = 32
DURATION = 20.0  # seconds per throughput run
# (access-token, bare) throughput pairs; the ratio's target is on their median, because one
# pair moves with the machine's speed during its 40 s (benchmarks/RESULTS.md, round 8).
PAIRS = 3
STAMPEDE = 200
PROXY_CALLS = 300
WARM_UP = 20
SOQL = "SELECT Id, Name FROM Account LIMIT 3"
API_VERSION = "v65.0"


@dataclass
class ApiResult:
    access_token: load.LoadResult
    bare: load.LoadResult
    stampede_token_calls: int
    stampede_errors: int
    stampede_versions: set[int]
    direct: load.LoadResult
    proxied: load.LoadResult
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    cpu_ms: dict[str, dict[str, float]]  # run -> process group -> CPU ms per request
    # Further (access-token, bare) throughput runs: the target is on the median ratio.
    more_pairs: list[tuple[load.LoadResult, load.LoadResult]] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[load.LoadResult, load.LoadResult]]:
        """Every (access-token, bare) throughput pair, the first pair first."""
        return [(self.access_token, self.bare), *self.more_pairs]

    @property
    def ratios(self) -> list[float]:
        """access-token rps / bare rps of each pair."""
        return [token.rps / bare.rps if bare.rps else 0.0 for token, bare in self.pairs]

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios."""
        return statistics.median(self.ratios)

    @property
    def throughput_errors(self) -> int:
        return sum(token.errors + bare.errors for token, bare in self.pairs)

    @property
    def proxy_added_ms(self) -> float:
        return self.proxied.p50 - self.direct.p50


def _start(command: list[str], env: dict, log: Path, ready: str):
    process = procs.start(command, env, log)
    procs.wait_for_log(process, log, ready, timeout=60)
    return process


def _measured(groups: dict[str, list[int]], run, requests_of) -> tuple[object, dict[str, float]]:
    """``run()``'s result and the CPU milliseconds per request of each process group."""
    before = procs.cpu_snapshot(groups)
    result = run()
    return result, procs.cpu_per_item(before, procs.cpu_snapshot(groups), requests_of(result))


def _connection(emulator_url: str):
    """A team, a connected connection holding a fresh emulator grant, and an API key with
    every scope; returns (connection, raw key)."""
    from accounts.models import Membership, Team, User
    from api.models import APIKey
    from tests.integration.helpers import rows_for_grant

    response = requests.post(f"{emulator_url}/_emulator/grants", json={"count": 1}, timeout=30)
    response.raise_for_status()
    [grant] = response.json()["grants"]
    user = User.objects.create_user("api-bench@example.com", "bench-password")
    team = Team.objects.create(name="API bench")
    Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
    emulator = SimpleNamespace(base_url=emulator_url)
    rows = rows_for_grant(emulator, team, "Bench org", grant, timezone.now())
    for row in rows:
        row.save()
    _, raw = APIKey.create(team, "Bench key", APIKey.Scope.values, created_by=user)
    return rows[0], raw


def _refreshes(emulator_url: str) -> int:
    url = f"{emulator_url}/_emulator/requests?grant_type=refresh_token"
    return len(requests.get(url, timeout=30).json()["requests"])


def _alternate(port: int, emulator_port: int, proxied: bytes, direct: bytes, count: int):
    """(direct, proxied) LoadResults of ``count`` calls each, alternating, one at a time."""

    async def run():
        results = {"direct": ([], {}), "proxied": ([], {})}
        for _ in range(count):
            for name, target, raw in (
                ("direct", emulator_port, direct),
                ("proxied", port, proxied),
            ):
                status, _, elapsed = await load.fetch(HOST, target, raw)
                latencies, statuses = results[name]
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        return results

    results = asyncio.run(run())
    return tuple(
        load.LoadResult(count, sum(latencies) / 1000, statuses, latencies)
        for latencies, statuses in results.values()
    )


def run(
    env: dict,
    workdir: Path,
    port: int,
    emulator_port: int,
    say,
    duration: float = DURATION,
    pairs: int = PAIRS,
) -> ApiResult:
    load_before = os.getloadavg()
    emulator_url = f"http://{HOST}:{emulator_port}"
    emulator = _start(
        ["-m", "tests.emulators.salesforce", "--port", str(emulator_port)],
        env,
        workdir / "emulator.log",
        "Salesforce emulator running",
    )
    connection, raw_key = _connection(emulator_url)
    web_env = {**env, "DJANGO_SETTINGS_MODULE": "benchmarks.api_settings"}
    gunicorn = _start(
        ["-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"{HOST}:{port}"],
        web_env,
        workdir / "gunicorn.log",
        "Booting worker",
    )
    host = f"{HOST}:{port}"
    base = f"/api/v1/connections/{connection.code}"
    headers = {"Authorization": f"Bearer {raw_key}", "Content-Type": "application/json"}
    token_request = load.request_bytes("POST", f"{base}/access-token", host, headers, b"{}")
    bare_request = load.request_bytes(
        "POST", f"/bench/bare/{connection.code}", host, headers, b"{}"
    )
    for raw in (token_request, bare_request):  # both workers up, caches warm
        statuses = [status for status, _, _ in load.burst(HOST, port, raw, WARM_UP)]
        if set(statuses) != {200}:
            raise RuntimeError(f"warm-up answered {statuses}; see {workdir / 'gunicorn.log'}")

    groups = {
        "gunicorn": [gunicorn.pid, *procs.children(gunicorn.pid)],
        "emulator": [emulator.pid],
        "clients": [os.getpid()],
    }
    cpu = {}
    say(f"  access-token: {CLIENTS} clients for {duration:.0f} s")
    token_load, cpu["access-token"] = _measured(
        groups, lambda: load.load(HOST, port, token_request, CLIENTS, duration), _count
    )
    say(f"  bare view: {CLIENTS} clients for {duration:.0f} s")
    bare_load, cpu["bare"] = _measured(
        groups, lambda: load.load(HOST, port, bare_request, CLIENTS, duration), _count
    )
    more_pairs = []
    for pair in range(2, pairs + 1):
        # The bare view first in every other pair, so that neither always runs second.
        order = ("bare", "access-token") if pair % 2 == 0 else ("access-token", "bare")
        runs = {}
        for name in order:
            say(f"  pair {pair} of {pairs}, {name}: {CLIENTS} clients for {duration:.0f} s")
            raw = token_request if name == "access-token" else bare_request
            runs[name] = load.load(HOST, port, raw, CLIENTS, duration)
        more_pairs.append((runs["access-token"], runs["bare"]))

    say(f"  stampede: {STAMPEDE} concurrent /invalid")
    _, response, _ = asyncio.run(load.fetch(HOST, port, token_request))
    version = json.loads(load.body_of(response))["token_version"]
    before = _refreshes(emulator_url)
    invalid = json.dumps({"token_version": version}).encode()
    invalid_request = load.request_bytes(
        "POST", f"{base}/access-token/invalid", host, headers, invalid
    )
    answers = load.burst(HOST, port, invalid_request, STAMPEDE)
    token_calls = _refreshes(emulator_url) - before
    errors = sum(1 for status, _, _ in answers if status != 200)
    versions = {
        json.loads(load.body_of(raw))["token_version"]
        for status, raw, _ in answers
        if status == 200
    }

    say(f"  proxy: {PROXY_CALLS} SOQL queries direct and through the proxy, alternately")
    _, response, _ = asyncio.run(load.fetch(HOST, port, token_request))
    access_token = json.loads(load.body_of(response))["access_token"]
    query = f"/services/data/{API_VERSION}/query?q={quote(SOQL)}"
    direct = load.request_bytes(
        "GET",
        query,
        f"{HOST}:{emulator_port}",
        {"Authorization": f"Bearer {access_token}"},
    )
    proxied = load.request_bytes(
        "GET", f"{base}/proxy{query}", host, {"Authorization": f"Bearer {raw_key}"}
    )
    _alternate(port, emulator_port, proxied, direct, WARM_UP)
    (direct_result, proxied_result), cpu["proxy + direct pair"] = _measured(
        groups, lambda: _alternate(port, emulator_port, proxied, direct, PROXY_CALLS), _pairs
    )
    return ApiResult(
        token_load,
        bare_load,
        token_calls,
        errors,
        versions,
        direct_result,
        proxied_result,
        load_before,
        os.getloadavg(),
        cpu,
        more_pairs,
    )


def _count(result: load.LoadResult) -> int:
    return result.requests


def _pairs(results: tuple[load.LoadResult, load.LoadResult]) -> int:
    return results[0].requests
