"""At least once: the worker process delivering a webhook is SIGKILLed while the receiver
holds the request; the message comes back (acks_late, reject_on_worker_lost), waits out the
dead attempt's claim, and the receiver gets the same webhook-id again, signed."""

import os
import random

import pytest
import redis

from events.models import Event
from tests.celery_worker import CeleryWorker, wait_for, worker_database_url
from tests.reliability.test_it_survives_killed_workers import KillableWorker
from tests.webhooks.helpers import Receiver
from webhooks import tasks
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class WebhookWorker(KillableWorker):
    def __init__(self, base):
        CeleryWorker.__init__(
            self, "tests.integration.worker_settings", base, worker_database_url(), "hooks-rel", 1
        )
        self.env["WEBHOOK_TIMEOUT"] = "3"  # a dead attempt's claim lasts 8 s
        self.broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])


def test_a_killed_delivery_is_redelivered_with_the_same_webhook_id(
    tmp_path, team, alice, monkeypatch
):
    monkeypatch.setattr(tasks.dispatch_events, "delay", lambda ids: None)
    with Receiver(hold_first=True) as receiver, WebhookWorker(tmp_path) as worker:
        monkeypatch.setattr(
            tasks,
            "_enqueue",
            lambda ids: [tasks.deliver.apply_async((i,), queue=worker.queue) for i in ids],
        )
        _, secret = Endpoint.create(team, receiver.url, [], alice)
        receiver.secrets.append(secret)
        (delivery_id,) = tasks.dispatch()

        wait_for(lambda: receiver.received, what="the first attempt to arrive")
        assert worker.kill_a_child(random.Random(1))
        receiver.release.set()

        wait_for(
            lambda: Delivery.objects.get(pk=delivery_id).status == Delivery.Status.SUCCEEDED,
            timeout=40,
            what="the redelivery",
        )
    delivery = Delivery.objects.get(pk=delivery_id)
    ids = [request.headers["webhook-id"] for request in receiver.received]
    assert ids == [delivery.message_id, delivery.message_id]
    assert all(request.verified_by == {secret} for request in receiver.received)
    assert delivery.event.type == Event.Type.WEBHOOK_CREATED
