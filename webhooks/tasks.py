"""Celery tasks of the webhooks: at least once delivery.

``dispatch_events`` fans newly committed events out to the endpoints that want them (one
Delivery each); ``deliver`` makes one attempt and retries a failure on RETRY_SCHEDULE (the
retries reach more than 24 h). Every attempt claims its delivery with a conditional UPDATE,
so duplicate messages never send twice at once; a message lost with a killed worker is
requeued (acks_late, reject_on_worker_lost) or found by ``webhooks_kickoff``, which beat runs
every minute, as are events whose fan-out message was lost. Every attempt of a delivery
carries the same ``webhook-id``.
"""

import json
import logging
import uuid
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.models import VERSION, Event

from . import sending
from .models import DISABLE_AFTER, Delivery, Endpoint
from .signals import delivery_attempted

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd... failed attempt (Standard Webhooks' suggested shape): the last
# retry comes 27 h 35 min after the first attempt.
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
SWEEP_BATCH = 1000
# A retry may start this much before its next_attempt_at (countdowns are rounded).
EARLY_ALLOWED = timedelta(seconds=5)


# An attempt ends by its deadline (WEBHOOK_TIMEOUT, webhooks.deadline) except for the name
# lookup before connecting, which no socket timeout covers: the resolver gives up after
# 30 s at most (timeout 5 s x attempts 2 x 3 name servers, resolv.conf(5)).
LOOKUP_ALLOWANCE = timedelta(seconds=30)


def claim_time() -> timedelta:
    """How long an attempt holds its delivery: longer than the longest attempt, so two
    attempts of one delivery never overlap (the sweep waits for the claim to end)."""
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT) + LOOKUP_ALLOWANCE + timedelta(seconds=5)


def dispatch(event_ids=None) -> list[int]:
    """Create the deliveries of undispatched events (these, or all) and enqueue them after
    the commit; returns the new delivery IDs. Events being dispatched elsewhere are skipped
    (row locks, SKIP LOCKED)."""
    with transaction.atomic():
        pending = Event.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            dispatched_at__isnull=True
        )
        pending = pending.exclude(type="").select_related("team", "actor", "actor_key")
        if event_ids is not None:
            pending = pending.filter(pk__in=event_ids)
        found = list(pending.order_by("pk")[:SWEEP_BATCH])
        if not found:
            return []
        endpoints = list(
            Endpoint.objects.filter(team__in={event.team_id for event in found}, enabled=True)
        )
        deliveries = Delivery.objects.bulk_create(
            Delivery.for_event(endpoint, event)
            for event in found
            for endpoint in endpoints
            if endpoint.team_id == event.team_id and endpoint.wants(event.type)
        )
        Event.objects.filter(pk__in=[event.pk for event in found]).update(
            dispatched_at=timezone.now()
        )
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return ids


def _enqueue(delivery_ids) -> None:
    for delivery_id in delivery_ids:
        deliver.delay(delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def dispatch_events(event_ids: list[int]) -> int:
    """Fan these events out (``dispatch``); returns how many deliveries were created."""
    return len(dispatch(event_ids))


def attempt_delivery(delivery_id: int) -> timedelta | None:
    """Make one attempt of a pending delivery and record it. Returns how long to wait before
    the next attempt (claimed elsewhere: until that claim ends), or None when nothing more
    is to be done (succeeded, given up, endpoint disabled, or not due)."""
    now = timezone.now()
    due = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    pending = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, endpoint__enabled=True
    )
    # A copy of a retry's message that arrives early (Redis hands unacknowledged messages
    # out again after its visibility timeout, an hour) leaves the attempt to its original.
    pending = pending.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + EARLY_ALLOWED)
    )
    if not pending.filter(due).update(claimed_until=now + claim_time()):
        held = pending.exclude(due).values_list("claimed_until", flat=True).first()
        return held - now if held else None
    delivery = Delivery.objects.select_related("endpoint__team").get(pk=delivery_id)
    attempt = sending.attempt(delivery)
    attempt.save()
    endpoint = delivery.endpoint
    wait = None
    with transaction.atomic():
        if attempt.succeeded and not attempt.error:
            delivery.status = Delivery.Status.SUCCEEDED
            delivery.next_attempt_at = None
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            delivery.failures += 1
            Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
                failing_since=attempt.created
            )
            endpoint.refresh_from_db(fields=["failing_since"])
            if attempt.created - endpoint.failing_since >= DISABLE_AFTER:
                days = DISABLE_AFTER.days
                endpoint.disable(f"every delivery failed for {days} days in a row.")
                delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
            elif delivery.failures > len(RETRY_SCHEDULE):
                delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
            else:
                wait = RETRY_SCHEDULE[delivery.failures - 1]
                delivery.next_attempt_at = attempt.created + wait
        delivery.claimed_until = None
        delivery.save(
            update_fields=["status", "failures", "next_attempt_at", "claimed_until", "updated"]
        )
    delivery_attempted.send(
        sender=Delivery,
        endpoint=endpoint,
        delivery=delivery,
        attempt=attempt,
        succeeded=delivery.status == Delivery.Status.SUCCEEDED,
    )
    return wait


# max_retries=None: RETRY_SCHEDULE (in attempt_delivery) decides when to stop, not Celery's
# default of 3 retries.
@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None
)
def deliver(self, delivery_id: int) -> None:
    """One attempt of a delivery; a failure is retried on RETRY_SCHEDULE."""
    wait = attempt_delivery(delivery_id)
    if wait is not None:
        raise self.retry(countdown=max(wait.total_seconds(), 1))


def due_deliveries(now=None) -> list[int]:
    """Pending deliveries whose attempt is overdue by more than a claim's time: their
    message was lost (a killed worker, a broker restart)."""
    now = now or timezone.now()
    overdue = now - claim_time()
    return list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING,
            endpoint__enabled=True,
            next_attempt_at__lte=overdue,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


@shared_task(acks_late=True, ignore_result=True)
def webhooks_kickoff() -> dict:
    """Beat's sweep: fan out events whose message was lost and requeue overdue deliveries."""
    created = dispatch()
    overdue = due_deliveries()
    _enqueue(overdue)
    return {"dispatched": len(created), "requeued": len(overdue)}


def send_test_event(endpoint: Endpoint, actor) -> Delivery:
    """A ``webhook.test`` delivery to ``endpoint`` (not an event of the team's stream),
    delivered after the commit like any other."""
    code = uuid.uuid4()
    payload = {
        "id": str(code),
        "type": Event.Type.WEBHOOK_TEST.value,
        "version": VERSION,
        "created": timezone.now().isoformat(),
        "team": endpoint.team.slug,
        "actor": {"type": "user", "email": actor.email},
        "connection": None,
        "data": {"message": "A test event from Orgkeeper.", **endpoint.event_data()},
    }
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        code=code,
        message_id=f"msg_{code.hex}",
        event_type=Event.Type.WEBHOOK_TEST,
        payload=json.dumps(payload, separators=(",", ":")),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: deliver.delay(delivery.pk), robust=True)
    return delivery


def redeliver(delivery: Delivery) -> None:
    """Start the delivery over (same ``webhook-id`` and body), after the commit."""
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING,
        failures=0,
        next_attempt_at=timezone.now(),
        claimed_until=None,
        updated=timezone.now(),
    )
    transaction.on_commit(lambda: deliver.delay(delivery.pk), robust=True)
