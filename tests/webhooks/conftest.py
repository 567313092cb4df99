"""Webhook fixtures: a receiver on loopback and an endpoint of the team pointing at it."""

import pytest

from webhooks import tasks
from webhooks.models import Endpoint

from .helpers import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint(team, alice, receiver) -> tuple[Endpoint, str]:
    """The team's endpoint for every event type, and its signing secret (which the receiver
    verifies every request with)."""
    endpoint, secret = Endpoint.create(team, receiver.url, [], alice)
    receiver.secrets.append(secret)
    return endpoint, secret


@pytest.fixture
def deliver_now(monkeypatch):
    """Deliveries enqueued after a commit run at once, one attempt each (no broker)."""
    attempted = []

    def delay(delivery_id):
        attempted.append(delivery_id)
        tasks.attempt_delivery(delivery_id)

    monkeypatch.setattr(tasks.deliver, "delay", delay)
    return attempted
