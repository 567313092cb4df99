"""A revoked grant reaches the team's receiver as a signed connection.needs_reauthorization
webhook that the standardwebhooks library verifies; a rotated secret signs alongside the old
one for 24 hours."""

import json
from datetime import timedelta

import pytest
import responses
import time_machine
from django.utils import timezone

from connections import keepalive
from events.models import Event
from tests.connections.helpers import ERRORS, REFRESH_TOKEN, add_token_error, make_connection
from webhooks import tasks
from webhooks.models import Delivery, Endpoint, new_secret

pytestmark = pytest.mark.django_db


def deliver_all() -> list[Delivery]:
    ids = tasks.dispatch()
    for delivery_id in ids:
        tasks.attempt_delivery(delivery_id)
    return list(Delivery.objects.filter(pk__in=ids))


def test_a_revoked_grant_is_a_verified_webhook(team, receiver, endpoint):
    _, secret = endpoint
    connection = make_connection(team)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        add_token_error(rsps, ERRORS["refresh_expired_or_revoked"])
        keepalive.refresh_connection(connection.pk)

    deliver_all()

    by_type = {json.loads(r.body)["type"]: r for r in receiver.received}
    assert set(by_type) == {"webhook.created", "connection.needs_reauthorization"}
    request = by_type["connection.needs_reauthorization"]
    assert request.verifies_with(secret)
    assert not request.verifies_with(new_secret())
    event = Event.objects.get(type="connection.needs_reauthorization")
    assert request.headers["webhook-id"] == f"msg_{event.code.hex}"
    payload = json.loads(request.body)
    assert payload["id"] == str(event.code)
    assert payload["connection"]["id"] == str(connection.code)
    assert payload["data"]["status_after"] == "needs_reauthorization"
    assert REFRESH_TOKEN not in request.body
    assert Delivery.objects.get(event=event).status == Delivery.Status.SUCCEEDED


def test_only_the_wanted_types_are_sent(team, alice, receiver):
    Endpoint.create(team, receiver.url, ["connection.recovered"], alice)
    make_connection(team).record(Event.Kind.CREATED, "Created.", type="connection.created")
    assert deliver_all() == []
    assert receiver.received == []


def test_both_secrets_sign_during_the_rotation_overlap(team, receiver, endpoint):
    endpoint, old_secret = endpoint
    deliver_all()
    new_secret = endpoint.rotate_secret()
    team.invite("dora@example.com", "viewer", None)
    deliver_all()

    during = receiver.received[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.verifies_with(old_secret) and during.verifies_with(new_secret)

    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        team.invite("erin@example.com", "viewer", None)
        deliver_all()
        after = receiver.received[-1]
        assert len(after.headers["webhook-signature"].split(" ")) == 1
        assert after.verifies_with(new_secret)
        assert not after.verifies_with(old_secret)
