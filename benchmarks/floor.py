"""The Celery floor: the baseline's work as one Celery task per connection ID, on a worker
started like the pipeline's (2 prefork processes, Redis, ``acks_late``, Orgkeeper's prefetch
multiplier and time limits, log level INFO). Each task, in one transaction, reads its row
``FOR UPDATE``, POSTs the refresh to the emulator and UPDATEs the row: no Django, no ORM, no
encryption, no crash-safety mark, no event. What one task per ID costs before any of
Orgkeeper's code runs, so the gap between the pipeline and the baseline can be split into
Celery's share and Orgkeeper's.

The worker runs ``celery -A benchmarks.floor worker -Q floor``; the orchestrator (``run``)
publishes the messages first, then starts the worker and times the first refresh to the last.
Configuration comes from the environment: BENCH_REDIS_URL, DATABASE_URL, FLOOR_TOKEN_URL and
FLOOR_CONFIG (JSON: prefetch, time_limit, soft_time_limit).
"""

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from celery import Celery

from . import procs
from .baseline import post_refresh

QUEUE = "floor"
TASK = "benchmarks.floor.refresh"
PROCESSES = 2
STALL_TIMEOUT = 90  # seconds without progress before giving up

_config = json.loads(os.environ.get("FLOOR_CONFIG", "{}"))
# fixups=[]: no Django fixup (it would set Django up and close connections around tasks).
app = Celery("floor", broker=os.environ.get("BENCH_REDIS_URL", "memory://"), fixups=[])
app.conf.update(
    task_acks_late=True,
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=_config.get("prefetch", 4),
    task_time_limit=_config.get("time_limit"),
    task_soft_time_limit=_config.get("soft_time_limit"),
    broker_connection_retry_on_startup=True,
)
_clients: dict = {}


@app.task(name=TASK)
def refresh(row_id: int) -> None:
    """Read the row FOR UPDATE, POST the refresh, UPDATE the row: one transaction."""
    if "db" not in _clients:
        _clients["db"] = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        _clients["http"] = requests.Session()
    db, http = _clients["db"], _clients["http"]
    with db.transaction():
        key, secret, refresh_token = db.execute(
            "SELECT consumer_key, consumer_secret, refresh_token FROM bench_baseline"
            " WHERE id = %s FOR UPDATE",
            (row_id,),
        ).fetchone()
        response = post_refresh(http, os.environ["FLOOR_TOKEN_URL"], key, secret, refresh_token)
        response.raise_for_status()
        body = response.json()
        db.execute(
            "UPDATE bench_baseline SET refresh_token = %s, access_token = %s,"
            " refreshed_at = clock_timestamp() WHERE id = %s",
            (body["refresh_token"], body["access_token"], row_id),
        )


@dataclass
class FloorResult:
    connections: int
    done: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    machine_busy: float = 0.0
    cpu_ms: dict = field(default_factory=dict)


def run(count: int, token_url: str, config: dict, env: dict[str, str], workdir: Path, say):
    """Refresh the ``count`` rows of bench_baseline (left by the baseline, holding live
    tokens) through the floor worker. Returns a FloorResult; raises RuntimeError when the
    worker dies or stalls."""
    result = FloorResult(count)
    database_url = env["DATABASE_URL"]
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("UPDATE bench_baseline SET refreshed_at = NULL")
        ids = [row[0] for row in db.execute("SELECT id FROM bench_baseline ORDER BY id")]
    # Orgkeeper's own publishing (the kickoff's); imported here: the worker has no Django.
    from connections.tasks import enqueue

    enqueue(refresh, ids, queue=QUEUE)
    log = workdir / f"floor-{count}.log"
    worker_env = {
        **{k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"},
        "FLOOR_TOKEN_URL": token_url,
        "FLOOR_CONFIG": json.dumps(config),
        "PYTHONUNBUFFERED": "1",
    }
    worker = procs.start(
        [
            "-m",
            "celery",
            "-A",
            "benchmarks.floor",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={PROCESSES}",
            "--pool=prefork",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            f"-Q{QUEUE}",
            f"--hostname=floor-{count}@%h",
        ],
        worker_env,
        log,
    )
    try:
        with psycopg.connect(database_url, autocommit=True) as db:
            cpu, before, first_done = _wait_for_first(db, worker, log)
            groups = _groups(worker.pid)
            procs.wait_until(
                lambda: _done(db), count, {"floor worker": worker}, say, 0.25, STALL_TIMEOUT
            )
            result.machine_busy, _ = cpu.read()
            after = procs.cpu_snapshot(groups)
            first, last = db.execute(
                "SELECT extract(epoch FROM min(refreshed_at)),"
                " extract(epoch FROM max(refreshed_at)) FROM bench_baseline"
            ).fetchone()
    finally:
        procs.stop(worker)
    result.done = count
    result.seconds = float(last) - float(first)
    result.rate = (count - 1) / result.seconds if result.seconds else 0.0
    result.cpu_ms = procs.cpu_per_item(before, after, count - first_done)
    return result


def _groups(pid: int) -> dict[str, list[int]]:
    return {"worker main": [pid], "worker children": procs.children(pid), "emulator": [os.getpid()]}


def _done(db) -> int:
    return db.execute(
        "SELECT count(*) FROM bench_baseline WHERE refreshed_at IS NOT NULL"
    ).fetchone()[0]


def _wait_for_first(db, worker, log: Path):
    """Start the meters at the first refresh (the worker's start-up isn't the floor's)."""
    deadline = time.monotonic() + 60
    while True:
        if worker.poll() is not None:
            raise RuntimeError(f"the floor worker exited:\n{log.read_text()[-3000:]}")
        if len(procs.children(worker.pid)) >= PROCESSES:
            done = _done(db)
            if done:
                before = procs.cpu_snapshot(_groups(worker.pid))
                return procs.CpuMeter(), before, done
        if time.monotonic() > deadline:
            raise RuntimeError(f"the floor worker didn't start:\n{log.read_text()[-3000:]}")
        time.sleep(0.02)
