"""Celery tasks of the keep-alive. Beat runs ``keepalive_kickoff`` every
KEEPALIVE_SWEEP_INTERVAL seconds (CELERY_BEAT_SCHEDULE); it claims the due connections and
enqueues one ``refresh_connection`` task per ID, plus ``notify_connection`` for owed alerts,
and deletes expired sign-in records (``AuthorizationRequest.clear_expired``).

The kickoff publishes its messages through one pooled producer, pipelined on Redis (kombu's
``Producer.batch``): half the CPU of one ``delay()`` per message (0.3 against 0.6 ms at
10,000; benchmarks/RESULTS.md). Other brokers publish each message at once.

Every task takes IDs, re-reads the row and is idempotent (a redelivered refresh finds the
connection refreshed moments ago and skips), hence ``acks_late=True``. Only transient failures
are retried, with exponential backoff and jitter (keepalive.retry_delay).
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import alerts, keepalive, signals
from .checks import keepalive_settings_errors
from .errors import Classification, ErrorKind
from .models import AuthorizationRequest, Connection, ConnectionEvent, status_change

logger = logging.getLogger(__name__)

# Messages per pipelined write to the broker (kombu Producer.batch max_size).
PUBLISH_BATCH = 500


@shared_task(acks_late=True, ignore_result=True)
def keepalive_kickoff() -> dict:
    """Claim due connections and enqueue their refreshes; enqueue owed alert checks; delete
    a bounded number of expired sign-in records. Raises ImproperlyConfigured when the
    keep-alive settings are invalid."""
    errors = keepalive_settings_errors()
    if errors:
        raise ImproperlyConfigured("; ".join(error.msg for error in errors))
    ids = keepalive.claim_due_connections()
    enqueue(refresh_connection, ids)
    notify_ids = alerts.connections_to_notify()
    enqueue(notify_connection, notify_ids)
    if ids or notify_ids:
        logger.info(
            "Keep-alive: %d refreshes and %d alert checks enqueued", len(ids), len(notify_ids)
        )
    cleared = AuthorizationRequest.clear_expired()
    if cleared:
        logger.info("Deleted %d expired sign-in records", cleared)
    signals.send(signals.sweep_finished)
    return {"refresh": len(ids), "notify": len(notify_ids), "cleared": cleared}


def enqueue(task, connection_ids: list[int], **options) -> None:
    """Send ``task`` one message per connection ID, through one producer from Celery's pool;
    ``options`` go to ``apply_async`` (``queue=``...).
    On Redis the messages go out in pipelined writes of PUBLISH_BATCH (kombu
    ``Producer.batch``); if the broker fails mid-way, the unsent ones are dropped and the
    exception propagates: claimed connections are due again KEEPALIVE_RETRY_AFTER later.
    Eager mode (CELERY_TASK_ALWAYS_EAGER) runs each task at once, as ``delay()`` would."""
    if not connection_ids:
        return
    with (
        task.app.producer_or_acquire() as producer,
        producer.batch(max_size=PUBLISH_BATCH),
    ):
        for connection_id in connection_ids:
            task.apply_async((connection_id,), producer=producer, **options)


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=settings.KEEPALIVE_MAX_RETRIES,
)
def refresh_connection(self, connection_id: int, force: bool = False) -> str:
    """Refresh one connection (keepalive.refresh_connection); retry transient failures.
    Returns the outcome ("refreshed", "skipped", "failed")."""
    result = keepalive.refresh_connection(connection_id, force=force)
    if result.retry:
        if self.request.retries >= self.max_retries:
            # The connection stays due at next_refresh_at (KEEPALIVE_RETRY_AFTER from now).
            logger.warning(
                "Connection %s: giving up retrying until the next sweep: %s",
                connection_id,
                result.message,
            )
            record_retries_used_up(connection_id, result)
        else:
            raise self.retry(countdown=keepalive.retry_delay(self.request.retries))
    return str(result.outcome)


@shared_task(acks_late=True, ignore_result=True)
def notify_connection(connection_id: int) -> str:
    """Send the connection's owed alert email, if any (alerts.notify)."""
    return alerts.notify(connection_id)


def record_retries_used_up(connection_id: int, result: keepalive.RefreshResult) -> None:
    """The ``connection.refresh_failed`` event: a transient failure outlasted the task's
    retries (the connection stays connected; the next sweep tries again)."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None or result.busy:
        return
    connection.record(
        ConnectionEvent.Kind.REFRESH_FAILED,
        f"Retries used up; the next sweep tries again. {result.message}",
        type=ConnectionEvent.Type.CONNECTION_REFRESH_FAILED,
        **status_change(
            connection.status,
            connection.status,
            Classification(ErrorKind.TRANSIENT, result.message),
        ),
    )
