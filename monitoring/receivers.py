"""Signal receivers: the keep-alive's refreshes and sweeps and the webhooks' delivery
attempts feed the metrics and the heartbeat; Celery tasks bind their ID (and connection) to
the log context."""

from contextvars import Token

from celery import signals as celery_signals
from django.dispatch import receiver

from connections import signals
from webhooks.signals import delivery_attempted

from . import logs, metrics, stall
from .models import KeepaliveHeartbeat


@receiver(signals.refresh_finished)
def count_refresh(result, duration: float, **kwargs) -> None:
    metrics.observe_refresh(result, duration)


@receiver(delivery_attempted)
def count_webhook_delivery(attempt, succeeded: bool, **kwargs) -> None:
    metrics.observe_webhook_delivery(attempt, succeeded)


@receiver(signals.sweep_finished)
def beat(**kwargs) -> None:
    """Store the heartbeat; after a stall, this sweep's worker sends the recovery email."""
    KeepaliveHeartbeat.record_sweep()
    stall.notify()


# Per task ID: what the log context was before the task, restored after it (so nothing a task
# binds reaches the next task of the same process, and an eager task keeps its request's ID).
_before_task: dict[str, Token] = {}


@celery_signals.task_prerun.connect
def bind_task(task_id: str, **kwargs) -> None:
    _before_task[task_id] = logs.bind(task_id=task_id)


@celery_signals.task_postrun.connect
def unbind_task(task_id: str, **kwargs) -> None:
    token = _before_task.pop(task_id, None)
    if token is not None:
        logs.reset(token)
