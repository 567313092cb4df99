"""``python -m benchmarks`` (``make bench``): run the keep-alive and web benchmarks on their own
PostgreSQL database and Redis DB, print a table, exit 1 when a target is missed.

    python -m benchmarks                     # 10,000 connections (about 8 minutes on 2 cores)
    python -m benchmarks --connections 1000  # a quick run

    python -m benchmarks --only api          # one phase: keepalive, web or api

Phases: the keep-alive pipeline at 1,000 and N connections (benchmarks.keepalive), the bare
baseline (benchmarks.baseline), the Celery floor (benchmarks.floor), two more pipeline + floor
pairs at N (``--cpu-pairs``; the CPU target is on the pairs' median), the web pages
(benchmarks.web) and the connection API under gunicorn (benchmarks.api).
"""

import argparse
import atexit
import contextlib
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/orgkeeper_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
SMALL = 1000  # the second size for "independent of N" and memory growth
WEB_SIZES = (100, 1000)
PHASES = ("keepalive", "web", "api")


def parse_args(argv=None) -> argparse.Namespace:
    description = __doc__.split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=description)
    parser.add_argument("--connections", type=int, default=10_000, help="N (default 10,000)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="a database the benchmark creates and drops (env BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        help="a Redis DB of its own, flushed (env BENCH_REDIS_URL)",
    )
    parser.add_argument(
        "--cpu-pairs",
        type=int,
        default=3,
        help="pipeline + Celery floor runs whose median CPU ratio is the target (default 3)",
    )
    parser.add_argument("--skip-web", action="store_true")
    parser.add_argument(
        "--only",
        choices=PHASES,
        help="run one phase: keepalive (pipeline, baseline, floor), web, api",
    )
    parser.add_argument("--api-port", type=int, default=9161, help="gunicorn (API phase)")
    parser.add_argument(
        "--api-seconds", type=float, default=20.0, help="each API throughput run (default 20)"
    )
    parser.add_argument("--emulator-port", type=int, default=9160, help="emulator (API phase)")
    parser.add_argument(
        "--api-pairs",
        type=int,
        default=3,
        help="access-token + bare throughput runs whose median ratio is the target (default 3)",
    )
    parser.add_argument("--keep-db", action="store_true", help="don't drop the database after")
    parser.add_argument("--keep-logs", action="store_true", help="keep worker and beat logs")
    return parser.parse_args(argv)


def say(message: str) -> None:
    print(message, flush=True)


def _admin_url(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unexpected database name {name!r}")
    return parts._replace(path="/postgres").geturl(), name


def recreate_database(database_url: str) -> None:
    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(database_url: str) -> None:
    from django.db import connections

    connections.close_all()
    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def machine() -> str:
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return (
        f"{os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    from . import procs

    atexit.register(procs.stop_all)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: sys.exit(130))

    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CELERY_BROKER_URL"] = args.redis_url
    say(f"Machine: {machine()}")
    say(f"Database {args.database_url}, Redis {args.redis_url}")
    recreate_database(args.database_url)
    started = time.monotonic()
    try:
        return _run(args, started)
    finally:
        procs.stop_all()
        with contextlib.suppress(Exception):
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()
        if not args.keep_db:
            drop_database(args.database_url)


def _run(args, started: float) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests.emulators.salesforce import Emulator

    from . import api, report, web

    call_command("migrate", verbosity=0)
    env = keepalive_env(args)
    workdir = Path(tempfile.mkdtemp(prefix="orgkeeper-bench-"))
    tables, missed = [], []
    try:
        if args.only in (None, "keepalive"):
            with Emulator() as emu:
                say(f"Emulator at {emu.base_url}; logs in {workdir}")
                pipelines, baseline, celery_floor, more_pairs = _keepalive(
                    args, emu, env, workdir, settings
                )
        if args.only == "web" or (args.only is None and not args.skip_web):
            pages = web.run(WEB_SIZES, say)
        else:
            pages = []
        if args.only in (None, "keepalive"):
            elapsed = time.monotonic() - started
            tables.append(
                report.build(
                    pipelines, args.connections, baseline, celery_floor, pages, elapsed, more_pairs
                )
            )
        elif pages:
            tables.append(report.table(report.web_rows(pages)))
        if args.only in (None, "api"):
            say(f"API (gunicorn on {args.api_port}, emulator on {args.emulator_port}):")
            result = api.run(
                env,
                workdir,
                args.api_port,
                args.emulator_port,
                say,
                args.api_seconds,
                args.api_pairs,
            )
            tables.append(report.table(report.api_rows(result)))
    except BaseException:
        say(f"Failed; logs kept in {workdir}")
        raise
    if args.keep_logs:
        say(f"Logs: {workdir}")
    else:
        shutil.rmtree(workdir)
    for text, table_missed in tables:
        say("")
        say(text)
        missed += table_missed
    say("")
    say("All targets met." if not missed else "Missed: " + "; ".join(missed))
    return 1 if missed else 0


def keepalive_env(args) -> dict[str, str]:
    from . import keepalive

    return keepalive.env_for_subprocesses(args.database_url, args.redis_url)


def _keepalive(args, emu, env, workdir, settings):
    """The keep-alive pipeline at each size, the baseline, the Celery floor, and
    ``--cpu-pairs`` - 1 further (pipeline, floor) runs at N for the CPU comparison."""
    from . import floor, keepalive

    n = args.connections
    pipelines = {}
    for size in sorted({min(SMALL, n), n}):
        pipelines[size] = _pipeline(keepalive, emu, size, env, workdir)
    say(f"Baseline, {n} connections:")
    baseline = keepalive.run_baseline(emu, n, env, workdir, say)
    say(f"  {baseline.rate:.0f} refreshes/s")
    floor_config = {
        "prefetch": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
        "time_limit": settings.CELERY_TASK_TIME_LIMIT,
        "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    }
    token_url = f"{emu.base_url}/services/oauth2/token"

    def run_floor():
        say(f"Celery floor, {n} connections:")
        result = floor.run(n, token_url, floor_config, env, workdir, say)
        say(f"  {result.rate:.0f} refreshes/s")
        return result

    celery_floor = run_floor()
    more_pairs = []
    for pair in range(2, args.cpu_pairs + 1):
        say(f"CPU pair {pair} of {args.cpu_pairs}:")
        # Every other pair runs the floor first (on the rows the last floor left), so that
        # neither side always runs second.
        if pair % 2 == 0:
            floor_result = run_floor()
            pipeline = _pipeline(keepalive, emu, n, env, workdir)
        else:
            pipeline = _pipeline(keepalive, emu, n, env, workdir)
            keepalive.create_bare_rows()
            floor_result = run_floor()
        more_pairs.append((pipeline, floor_result))
    return pipelines, baseline, celery_floor, more_pairs


def _pipeline(keepalive, emu, size: int, env, workdir):
    say(f"Keep-alive pipeline, {size} connections:")
    result = keepalive.run_pipeline(emu, size, env, workdir, say)
    say(
        f"  {result.rate:.0f} refreshes/s, {result.queries_per_refresh:.2f} "
        f"queries/refresh, {result.lost} lost"
    )
    return result


if __name__ == "__main__":
    sys.exit(main())
