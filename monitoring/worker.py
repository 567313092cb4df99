"""A Celery worker bootstep that watches the keep-alive's heartbeat, so a stopped beat is
emailed about (monitoring.stall) even when nothing polls /readyz.
Reference: https://docs.celeryq.dev/en/v5.6.3/userguide/extending.html#timer-scheduling-events
"""

import logging

from celery import bootsteps
from django.conf import settings
from django.db import connections

from . import stall

logger = logging.getLogger(__name__)


def check_stall() -> None:
    try:
        stall.notify()
    except Exception:
        logger.exception("Could not check whether the keep-alive stall email is owed")
    finally:
        # The main process forks pool processes: hold no database connection between checks.
        connections.close_all()


class StallWatch(bootsteps.StartStopStep):
    """Every KEEPALIVE_SWEEP_INTERVAL seconds, in the worker's main process: send the
    stalled or recovered email if owed."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_entry = None

    def start(self, worker) -> None:
        self.timer_entry = worker.timer.call_repeatedly(
            settings.KEEPALIVE_SWEEP_INTERVAL, check_stall
        )

    def stop(self, worker) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
