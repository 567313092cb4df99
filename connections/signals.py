"""Signals the keep-alive sends, so other apps (monitoring) can observe it without the
keep-alive knowing about them.

- ``refresh_finished``: after every ``keepalive.refresh_connection`` call; kwargs
  ``connection_id``, ``result`` (a ``keepalive.RefreshResult``), ``duration`` (seconds).
- ``sweep_finished``: after a beat kickoff (``tasks.keepalive_kickoff``) completed.
"""

import logging
import time
from functools import wraps

from django.dispatch import Signal

logger = logging.getLogger(__name__)

refresh_finished = Signal()
sweep_finished = Signal()


def send(signal: Signal, **kwargs) -> None:
    """Send ``signal``; a failing receiver is logged and never fails the keep-alive."""
    for receiver, outcome in signal.send_robust(sender=None, **kwargs):
        if isinstance(outcome, Exception):
            logger.error("%s failed", receiver.__qualname__, exc_info=outcome)


def announces_refresh(refresh):
    """Decorate ``refresh(connection_id, **options)`` to send ``refresh_finished`` after it."""

    @wraps(refresh)
    def wrapper(connection_id: int, **options):
        started = time.monotonic()
        result = refresh(connection_id, **options)
        send(
            refresh_finished,
            connection_id=connection_id,
            result=result,
            duration=time.monotonic() - started,
        )
        return result

    return wrapper
