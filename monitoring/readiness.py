"""The readiness checks behind ``/readyz``: each returns "ok" or what is wrong, in words."""

from datetime import datetime, timedelta

from django.conf import settings

from config.views import broker_ok, database_ok
from connections import keepalive

from .models import KeepaliveHeartbeat, stall_limit

OK = "ok"
# How far past its next_refresh_at a connection may be, on top of one sweep interval.
BACKLOG_GRACE = timedelta(hours=1)


def backlog_limit() -> timedelta:
    return timedelta(seconds=settings.KEEPALIVE_SWEEP_INTERVAL) + BACKLOG_GRACE


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def heartbeat_status(heartbeat: KeepaliveHeartbeat, now: datetime) -> str:
    if not heartbeat.is_stalled(now):
        return OK
    since = "since installation" if heartbeat.last_sweep_at is None else "for"
    return (
        f"stalled: no keep-alive sweep completed {since} {_minutes(heartbeat.age(now))} "
        f"(limit {_minutes(stall_limit())}); check that Celery beat and the worker run"
    )


def backlog_status(now: datetime) -> str:
    overdue = keepalive.due_connections(now - backlog_limit()).count()
    if not overdue:
        return OK
    return (
        f"behind: {overdue} connection(s) more than {_minutes(backlog_limit())} past "
        "their refresh time; the workers are not keeping up or are stopped"
    )


def check(now: datetime) -> dict[str, str]:
    """``{"database", "broker", "keepalive", "backlog"}`` → "ok" or the problem. The
    keep-alive checks need the database: without it they say so."""
    status = {
        "database": OK if database_ok() else "down",
        "broker": OK if broker_ok() else "down",
    }
    if status["database"] != OK:
        status["keepalive"] = status["backlog"] = "unknown: the database is down"
        return status
    status["keepalive"] = heartbeat_status(KeepaliveHeartbeat.load(), now)
    status["backlog"] = backlog_status(now)
    return status
