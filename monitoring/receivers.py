"""Signal receivers: the keep-alive's refreshes and sweeps feed the metrics and the
heartbeat; Celery tasks bind their ID (and connection) to the log context."""

from celery import signals as celery_signals
from django.dispatch import receiver

from connections import signals

from . import logs, metrics, stall
from .models import KeepaliveHeartbeat


@receiver(signals.refresh_finished)
def count_refresh(result, duration: float, **kwargs) -> None:
    metrics.observe_refresh(result, duration)


@receiver(signals.sweep_finished)
def beat(**kwargs) -> None:
    """Store the heartbeat; after a stall, this sweep's worker sends the recovery email."""
    KeepaliveHeartbeat.record_sweep()
    stall.notify()


@celery_signals.task_prerun.connect
def bind_task(task_id: str, **kwargs) -> None:
    logs.clear()
    logs.bind(task_id=task_id)


@celery_signals.task_postrun.connect
def unbind_task(**kwargs) -> None:
    logs.clear()
