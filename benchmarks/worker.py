"""The Celery app the benchmark's worker runs (``celery -A benchmarks.worker``): Orgkeeper's own
app, plus a per-process SQL query counter (``connection.execute_wrapper``) that adds, after
every task, its task count, query count and time to Redis (BENCH_REDIS_URL, BENCH_RUN)."""

import json
import os
import time

from celery import signals

from config.celery import app

__all__ = ["app"]

_state = {"queries": 0, "started": 0.0, "redis": None}


def _count(execute, sql, params, many, context):
    _state["queries"] += 1
    return execute(sql, params, many, context)


def _redis():
    if _state["redis"] is None:
        import redis

        _state["redis"] = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])
    return _state["redis"]


@signals.task_prerun.connect
def _task_started(task=None, **kwargs):
    from django.db import connection

    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)
    _state["queries"] = 0
    _state["started"] = time.time()


@signals.task_postrun.connect
def _task_finished(task=None, retval=None, **kwargs):
    elapsed = time.time() - _state["started"]
    key = f"bench:{os.environ['BENCH_RUN']}"
    pipe = _redis().pipeline(transaction=False)
    pipe.hincrby(f"{key}:tasks", task.name, 1)
    pipe.hincrby(f"{key}:queries", task.name, _state["queries"])
    pipe.hincrbyfloat(f"{key}:seconds", task.name, elapsed)
    if task.name.endswith("keepalive_kickoff"):
        record = {
            "started": _state["started"],
            "seconds": elapsed,
            "queries": _state["queries"],
            "result": retval if isinstance(retval, dict) else None,
        }
        pipe.rpush(f"{key}:kickoffs", json.dumps(record))
    pipe.execute()
