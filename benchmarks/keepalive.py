"""Keep-alive benchmark: N due connections whose tokens live at the emulator, swept by beat
through a real Celery worker (2 prefork processes, Redis, PostgreSQL); then the bare baseline
on the same grants. Needs Django set up with benchmarks.settings."""

import json
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import redis
from django.db import connection as db
from django.db.models import Max
from django.utils import timezone

from accounts.models import Team
from connections.models import ClientCredentials, Connection, TokenSet
from tests.integration.helpers import rows_for_grant

from . import procs

WORKER_PROCESSES = 2
SWEEP_INTERVAL = 5  # seconds between beat's kickoffs during the benchmark
STALL_TIMEOUT = 90  # seconds without progress before giving up
KICKOFF = "connections.tasks.keepalive_kickoff"
REFRESH = "connections.tasks.refresh_connection"


@dataclass
class PipelineResult:
    connections: int
    refreshed: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    refresh_tasks: int = 0
    refresh_queries: int = 0
    kickoff: dict = field(default_factory=dict)
    kickoffs: int = 0
    worker_rss: dict = field(default_factory=dict)
    beat_rss: float = 0.0
    lost: int = 0
    double_refreshed: int = 0
    machine_busy: float = 0.0
    emulator_cpu: float = 0.0
    cpu_ms: dict = field(default_factory=dict)
    setup_seconds: float = 0.0

    @property
    def queries_per_refresh(self) -> float:
        return self.refresh_queries / max(self.refresh_tasks, 1)

    @property
    def worker_rss_total(self) -> float:
        return sum(self.worker_rss.values())


@dataclass
class BaselineResult:
    connections: int
    done: int = 0
    errors: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    machine_busy: float = 0.0
    emulator_cpu: float = 0.0
    cpu_ms: dict = field(default_factory=dict)


def reset_data() -> None:
    with db.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        cursor.execute("TRUNCATE accounts_team, connections_connection RESTART IDENTITY CASCADE")


def create_connections(emu, count: int, batch: int = 2000) -> None:
    """``count`` connected, due connections, each with its own emulator org, user and app
    (the five-grant limit is per user and app), created in bulk."""
    team = Team.objects.create(name="Keep-alive bench")
    now = timezone.now()
    last_used = now - timedelta(hours=23)  # more than KEEPALIVE_INTERVAL / 2 ago: due
    for start in range(0, count, batch):
        grants = emu.mint_grants(min(batch, count - start), separate="org")
        rows = [
            rows_for_grant(
                emu,
                team,
                f"Org {start + i:05d}",
                grant,
                last_used,
                next_refresh_at=now - timedelta(minutes=1),
            )
            for i, grant in enumerate(grants)
        ]
        connections, apps, tokens = zip(*rows, strict=True)
        Connection.objects.bulk_create(connections)
        ClientCredentials.objects.bulk_create(apps)
        TokenSet.objects.bulk_create(tokens)


def _celery_env(env: dict[str, str], run: str, workdir: Path) -> dict[str, str]:
    return {
        **env,
        "BENCH_RUN": run,
        "KEEPALIVE_SWEEP_INTERVAL": str(SWEEP_INTERVAL),
        "VAR_DIR": str(workdir),
        "PYTHONUNBUFFERED": "1",
    }


def run_pipeline(emu, count: int, env: dict[str, str], workdir: Path, say) -> PipelineResult:
    result = PipelineResult(count)
    reset_data()
    emu.reset()
    started = time.monotonic()
    create_connections(emu, count)
    result.setup_seconds = time.monotonic() - started
    say(f"  {count} connections, grants and tokens created in {result.setup_seconds:.1f} s")

    run = f"pipeline-{count}"
    broker = redis.Redis.from_url(env["BENCH_REDIS_URL"])
    broker.flushdb()
    celery_env = _celery_env(env, run, workdir)
    worker_log, beat_log = workdir / f"worker-{count}.log", workdir / f"beat-{count}.log"
    common = ["-m", "celery", "-A", "benchmarks.worker"]
    worker = procs.start(
        [
            *common,
            "worker",
            "--loglevel=INFO",
            f"--concurrency={WORKER_PROCESSES}",
            "--pool=prefork",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=bench-{count}@%h",
        ],
        celery_env,
        worker_log,
    )
    beat = None
    try:
        procs.wait_for_log(worker, worker_log, " ready.", timeout=60)
        beat = procs.start(
            [*common, "beat", "--loglevel=INFO", f"--schedule={workdir}/beat-{count}"],
            celery_env,
            beat_log,
        )
        groups = {
            "worker main": [worker.pid],
            "worker children": procs.children(worker.pid),
            "beat": [beat.pid],
            "emulator": [os.getpid()],
        }
        cpu, before = _wait_for_first_refresh(worker, groups)
        procs.wait_until(
            TokenSet.objects.filter(generation__gte=2).count,
            count,
            {"Celery worker": worker, "Celery beat": beat},
            say,
            poll=0.5,
            stall=STALL_TIMEOUT,
        )
        result.machine_busy, result.emulator_cpu = cpu.read()
        after = procs.cpu_snapshot(groups)
        done = TokenSet.objects.filter(generation__gte=2).count() - before.pop("done")
        result.cpu_ms = procs.cpu_per_item(before, after, done)
        result.worker_rss = {
            "main": procs.peak_rss_mb(worker.pid),
            **{
                f"child {i}": procs.peak_rss_mb(pid)
                for i, pid in enumerate(procs.children(worker.pid), 1)
            },
        }
        result.beat_rss = procs.peak_rss_mb(beat.pid)
    finally:
        if beat is not None:
            procs.stop(beat)
        procs.stop(worker)

    key = f"bench:{run}"
    tasks = {k.decode(): int(v) for k, v in broker.hgetall(f"{key}:tasks").items()}
    queries = {k.decode(): int(v) for k, v in broker.hgetall(f"{key}:queries").items()}
    kickoffs = [json.loads(item) for item in broker.lrange(f"{key}:kickoffs", 0, -1)]
    result.refresh_tasks = tasks.get(REFRESH, 0)
    result.refresh_queries = queries.get(REFRESH, 0)
    result.kickoffs = len(kickoffs)
    first = next((k for k in kickoffs if (k["result"] or {}).get("refresh")), None)
    if first is None:
        raise RuntimeError(f"no kickoff claimed any connection: {kickoffs}")
    result.kickoff = {**first, "queries_all": sorted({k["queries"] for k in kickoffs})}
    last = TokenSet.objects.aggregate(last=Max("refreshed_at"))["last"]
    result.refreshed = TokenSet.objects.filter(generation__gte=2).count()
    result.double_refreshed = TokenSet.objects.filter(generation__gt=2).count()
    result.seconds = last.timestamp() - first["started"]
    result.rate = result.refreshed / result.seconds
    result.lost = count_lost(emu)
    return result


def _wait_for_first_refresh(worker, groups) -> tuple:
    """Start the CPU meters when the sweep starts (beat sends its first kickoff after
    SWEEP_INTERVAL seconds)."""
    deadline = time.monotonic() + SWEEP_INTERVAL * 6
    while not TokenSet.objects.filter(generation__gte=2).exists():
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the sweep didn't start")
        time.sleep(0.05)
    before = procs.cpu_snapshot(groups)
    before["done"] = TokenSet.objects.filter(generation__gte=2).count()
    return procs.CpuMeter(), before


def count_lost(emu) -> int:
    """Connections whose stored refresh token is not the live one at the emulator."""
    tokens = TokenSet.objects.only("refresh_token").iterator(chunk_size=2000)
    return sum(1 for t in tokens if not emu.is_refresh_token_live(t.refresh_token))


def run_baseline(emu, count: int, env: dict[str, str], workdir: Path, say) -> BaselineResult:
    """The bare loop on the same grants: one process per worker process, each doing its share."""
    result = BaselineResult(count)
    create_bare_rows()
    start_at = time.time() + 2  # every loop has loaded its rows by then
    token_url = f"{emu.base_url}/services/oauth2/token"
    loops = [
        procs.start(
            [
                "-m",
                "benchmarks.baseline",
                env["DATABASE_URL"],
                token_url,
                str(i),
                str(WORKER_PROCESSES),
                str(start_at),
            ],
            env,
            workdir / f"baseline-{i}.log",
        )
        for i in range(WORKER_PROCESSES)
    ]
    groups = {"baseline loops": [loop.pid for loop in loops], "emulator": [os.getpid()]}
    try:
        time.sleep(max(0.0, start_at - time.time()))
        cpu, before = procs.CpuMeter(), procs.cpu_snapshot(groups)
        deadline = time.monotonic() + 600
        while any(loop.poll() is None for loop in loops):
            after = procs.cpu_snapshot(groups)  # while the loops still exist
            if time.monotonic() > deadline:
                raise RuntimeError("the baseline took more than 10 minutes")
            time.sleep(0.1)
        result.machine_busy, result.emulator_cpu = cpu.read()
    finally:
        for loop in loops:
            procs.stop(loop)
    outputs = []
    for i, loop in enumerate(loops):
        text = (workdir / f"baseline-{i}.log").read_text()
        if loop.returncode != 0:
            raise RuntimeError(f"baseline loop {i} failed:\n{text[-3000:]}")
        outputs.append(json.loads(text.strip().splitlines()[-1]))
    result.done = sum(o["done"] for o in outputs)
    result.errors = sum(o["errors"] for o in outputs)
    result.seconds = max(o["finished"] for o in outputs) - min(o["started"] for o in outputs)
    result.rate = result.done / result.seconds
    result.cpu_ms = procs.cpu_per_item(before, after, result.done)
    return result


def create_bare_rows() -> None:
    """The table bench_baseline of the bare loop and the Celery floor: each connection's
    consumer key and secret and its live refresh token, in plain columns."""
    with db.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        cursor.execute(
            "CREATE TABLE bench_baseline (id bigint PRIMARY KEY, consumer_key text NOT NULL,"
            " consumer_secret text NOT NULL, refresh_token text NOT NULL,"
            " access_token text NOT NULL DEFAULT '', refreshed_at timestamptz)"
        )
        rows = [
            (t.connection_id, app.consumer_key, app.consumer_secret, t.refresh_token)
            for t, app in _tokens_with_apps()
        ]
        cursor.executemany(
            "INSERT INTO bench_baseline (id, consumer_key, consumer_secret, refresh_token)"
            " VALUES (%s, %s, %s, %s)",
            rows,
        )


def _tokens_with_apps():
    apps = {a.connection_id: a for a in ClientCredentials.objects.all()}
    for tokens in TokenSet.objects.order_by("connection_id"):
        yield tokens, apps[tokens.connection_id]


def env_for_subprocesses(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "BENCH_REDIS_URL": redis_url,
    }
