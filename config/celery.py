"""Celery application: reads ``CELERY_*`` Django settings and discovers app tasks."""

import os

from celery import Celery, signals

from config import settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

app = Celery("orgkeeper")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers also notice a stopped beat (monitoring.stall), not only requests to /readyz.
app.steps["worker"].add("monitoring.worker.StallWatch")


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_database_connections(**kwargs) -> None:
    """Give tasks Django's request lifecycle: drop connections older than CONN_MAX_AGE or
    broken, and health-check the rest (CONN_HEALTH_CHECKS). See CELERY_DB_REUSE_MAX."""
    from django.db import close_old_connections

    close_old_connections()


@signals.setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Worker and beat log through Django's LOGGING (LOG_FORMAT, the log context) instead
    of Celery's own handlers. A receiver of this signal replaces Celery's logging setup."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.celeryd_init.connect
def no_banner_in_json_logs(instance, **kwargs) -> None:
    """With LOG_FORMAT=json the worker's startup banner (not a log record) would be the one
    non-JSON output: leave it out, as ``celery --quiet`` does. Beat prints its banner before
    any signal: run it with ``celery --quiet beat``."""
    from django.conf import settings

    if settings.LOG_FORMAT == "json":
        instance.quiet = True


@signals.beat_init.connect
def sweep_at_start(sender, **kwargs) -> None:
    """Start a keep-alive sweep as soon as beat starts: the schedule's first one would wait
    a whole KEEPALIVE_SWEEP_INTERVAL, and the heartbeat (readiness) with it."""
    sender.app.send_task("connections.tasks.keepalive_kickoff")
