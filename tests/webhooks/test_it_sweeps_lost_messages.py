"""Beat's webhooks_kickoff: events whose fan-out message was lost are dispatched, deliveries
whose message was lost are requeued once their attempt is overdue; the on-commit path
dispatches at once."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Membership
from events.models import Event
from webhooks import tasks
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.deliver, "delay", sent.append)
    return sent


def test_it_dispatches_events_the_signal_missed(
    team, alice, endpoint, enqueued, django_capture_on_commit_callbacks
):
    team.invite("dora@example.com", Membership.Role.VIEWER, alice)  # no commit: no signal
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.webhooks_kickoff()
    assert result["dispatched"] == 2  # webhook.created and member.invited
    assert not Event.objects.published().filter(dispatched_at__isnull=True).exists()
    assert sorted(enqueued) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert tasks.webhooks_kickoff() == {"dispatched": 0, "requeued": 0}


def test_it_requeues_overdue_deliveries_only(team, endpoint, enqueued):
    (delivery_id,) = tasks.dispatch()
    enqueued.clear()
    assert tasks.webhooks_kickoff()["requeued"] == 0  # its message may still be on its way
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert tasks.webhooks_kickoff()["requeued"] == 1
    assert enqueued == [delivery_id]


def test_a_committed_event_is_dispatched_at_once(
    team, alice, receiver, endpoint, monkeypatch, django_capture_on_commit_callbacks
):
    tasks.dispatch()  # the endpoint's own webhook.created (never sent: no commit here)
    monkeypatch.setattr(tasks.dispatch_events, "delay", tasks.dispatch)
    monkeypatch.setattr(tasks.deliver, "delay", tasks.attempt_delivery)
    with django_capture_on_commit_callbacks(execute=True):
        team.invite("dora@example.com", Membership.Role.VIEWER, alice)
    (request,) = receiver.received
    assert json.loads(request.body)["type"] == "member.invited"
    assert request.verified_by == set(receiver.secrets)
