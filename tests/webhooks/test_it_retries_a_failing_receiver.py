"""A failing receiver: every retry carries the same webhook-id and verifies; the retries follow
RETRY_SCHEDULE past 24 h (fake clock); the delivery log keeps each attempt; after 3 days of
failures the endpoint is disabled, owners and admins are emailed and webhook.disabled is
recorded; Redeliver sends the same webhook-id again."""

from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from webhooks import tasks
from webhooks.models import RESPONSE_KEPT, Delivery, Endpoint

pytestmark = pytest.mark.django_db


def test_it_retries_on_the_schedule_with_the_same_webhook_id(team, receiver, endpoint):
    endpoint, secret = endpoint
    receiver.statuses = [500]
    receiver.response_body = "x" * 5000
    (delivery_id,) = tasks.dispatch()
    start = timezone.now()
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        while (wait := tasks.attempt_delivery(delivery_id)) is not None:
            waits.append(wait)
            clock.shift(wait)

    assert tuple(waits) == tasks.RETRY_SCHEDULE
    assert sum(waits, timedelta()) >= timedelta(hours=24)
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts.count() == len(tasks.RETRY_SCHEDULE) + 1
    ids = {request.headers["webhook-id"] for request in receiver.received}
    assert ids == {delivery.message_id}
    assert all(request.verified_by == {secret} for request in receiver.received)
    attempt = delivery.attempts.first()
    assert (attempt.status_code, len(attempt.response_body)) == (500, RESPONSE_KEPT)
    endpoint.refresh_from_db()
    assert endpoint.enabled  # 27.6 h of failures: not yet 3 days


def test_three_days_of_failures_disable_the_endpoint(
    team, alice, bob, receiver, endpoint, django_capture_on_commit_callbacks
):
    endpoint, _ = endpoint
    receiver.statuses = [503]
    start = timezone.now()
    with (
        time_machine.travel(start, tick=False) as clock,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for _ in range(4):  # a failing delivery a day
            team.invite("dora@example.com", "viewer", alice)
            for delivery_id in tasks.dispatch():
                tasks.attempt_delivery(delivery_id)
            clock.shift(timedelta(days=1))

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "3 days" in endpoint.disabled_reason
    disabled = Event.objects.get(type=Event.Type.WEBHOOK_DISABLED)
    assert disabled.data["webhook"]["id"] == str(endpoint.code)
    (email,) = mail.outbox
    assert sorted(email.to) == sorted([alice.email, bob.email])
    assert endpoint.url in email.subject
    # Nothing more goes to a disabled endpoint.
    sent = len(receiver.received)
    tasks.dispatch()
    assert not Delivery.objects.filter(event=disabled).exists()
    assert len(receiver.received) == sent


def test_redeliver_sends_the_same_webhook_id(
    alice_client, team, receiver, endpoint, deliver_now, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint
    receiver.statuses = [500, 500, 200]
    (delivery_id,) = tasks.dispatch()
    tasks.attempt_delivery(delivery_id)
    delivery = Delivery.objects.get(pk=delivery_id)

    url = reverse("webhooks:redeliver", args=[team.slug, endpoint.code, delivery.code])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert alice_client.post(url).status_code == 302

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.message_id] * 3
    assert all(r.verified_by == {secret} for r in receiver.received)
    assert list(delivery.attempts.values_list("status_code", flat=True)) == [200, 500, 500]


def test_a_disabled_endpoint_is_not_redelivered(alice_client, team, receiver, endpoint):
    endpoint, _ = endpoint
    (delivery_id,) = tasks.dispatch()
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    delivery = Delivery.objects.get(pk=delivery_id)
    url = reverse("webhooks:redeliver", args=[team.slug, endpoint.code, delivery.code])
    page = alice_client.post(url, follow=True).content.decode()
    assert "Enable the webhook first" in page
    assert tasks.attempt_delivery(delivery_id) is None
    assert receiver.received == []


def test_celery_keeps_retrying_as_long_as_the_schedule_says(team, receiver, endpoint):
    """The task's own limit doesn't cut the schedule short (Celery's default is 3 retries)."""
    receiver.statuses = [500]
    (delivery_id,) = tasks.dispatch()
    Delivery.objects.filter(pk=delivery_id).update(failures=len(tasks.RETRY_SCHEDULE) - 1)
    tasks.deliver.push_request(
        id="retry-6",
        args=[delivery_id],
        kwargs={},
        retries=len(tasks.RETRY_SCHEDULE) - 1,
        called_directly=False,
    )
    try:
        with pytest.raises(Retry) as retry:
            tasks.deliver.run(delivery_id)
    finally:
        tasks.deliver.pop_request()
    assert retry.value.when == tasks.RETRY_SCHEDULE[-1].total_seconds()


def test_an_early_copy_of_a_retry_sends_nothing(team, receiver, endpoint):
    receiver.statuses = [500]
    (delivery_id,) = tasks.dispatch()
    Delivery.objects.filter(pk=delivery_id).update(failures=1)  # the next wait is 5 min
    wait = tasks.attempt_delivery(delivery_id)
    assert wait == tasks.RETRY_SCHEDULE[1]
    assert tasks.attempt_delivery(delivery_id) is None  # the same message, redelivered at once
    assert len(receiver.received) == 1
    with time_machine.travel(timezone.now() + wait):
        assert tasks.attempt_delivery(delivery_id) == tasks.RETRY_SCHEDULE[2]
    assert len(receiver.received) == 2
