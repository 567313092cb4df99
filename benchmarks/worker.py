"""The Celery app the benchmark's worker runs (``celery -A benchmarks.worker``): Orgkeeper's own
app, plus a per-process SQL query counter (``connection.execute_wrapper``). Each worker process
counts its tasks and their queries in memory and adds them to Redis (BENCH_REDIS_URL,
BENCH_RUN) when it exits, so the measured CPU holds no benchmark bookkeeping per task; each
kickoff's record (time, queries, result) is written at once."""

import json
import os
import time
from collections import Counter

from celery import signals

from config.celery import app

__all__ = ["app"]

_state = {"queries": 0, "started": 0.0}
_tasks: Counter = Counter()
_queries: Counter = Counter()


def _count(execute, sql, params, many, context):
    _state["queries"] += 1
    return execute(sql, params, many, context)


def _redis():
    import redis

    return redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])


def _key() -> str:
    return f"bench:{os.environ['BENCH_RUN']}"


@signals.task_prerun.connect
def _task_started(task=None, **kwargs):
    from django.db import connection

    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)
    _state["queries"] = 0
    _state["started"] = time.time()


@signals.task_postrun.connect
def _task_finished(task=None, retval=None, **kwargs):
    _tasks[task.name] += 1
    _queries[task.name] += _state["queries"]
    if task.name.endswith("keepalive_kickoff"):
        record = {
            "started": _state["started"],
            "seconds": time.time() - _state["started"],
            "queries": _state["queries"],
            "result": retval if isinstance(retval, dict) else None,
        }
        _redis().rpush(f"{_key()}:kickoffs", json.dumps(record))


@signals.worker_process_shutdown.connect
def _write_counts(**kwargs):
    """In each pool process, as it exits (a warm shutdown): add its counts to Redis."""
    pipe = _redis().pipeline(transaction=False)
    for name, count in _tasks.items():
        pipe.hincrby(f"{_key()}:tasks", name, count)
        pipe.hincrby(f"{_key()}:queries", name, _queries[name])
    pipe.execute()
