"""A first sign-in is connection.connected; signing in again on a connection that held
tokens is connection.reauthorized, and connection.recovered when it needed it."""

import pytest

from connections.models import Connection
from events.models import Event, published
from tests.connections.helpers import finish_flow, reauthorize, register_success, start_flow

pytestmark = pytest.mark.usefixtures("public_urls")


def test_a_first_sign_in_is_connected(alice_client, draft, rsps):
    params = start_flow(alice_client, draft)
    register_success(rsps)
    finish_flow(alice_client, {"code": "c", "state": params["state"]})
    event = Event.objects.get(type=Event.Type.CONNECTION_CONNECTED)
    assert (event.connection, event.actor.email) == (draft, "alice@example.com")
    assert event.data["status_after"] == "connected"


def test_signing_in_again_after_a_revocation_is_a_recovery(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.NEEDS_REAUTHORIZATION
    )
    reauthorize(alice_client, connection, rsps, django_capture_on_commit_callbacks)
    types = list(Event.objects.published().order_by("id").values_list("type", flat=True))
    assert types == [Event.Type.CONNECTION_REAUTHORIZED, Event.Type.CONNECTION_RECOVERED]
    recovered = Event.objects.get(type=Event.Type.CONNECTION_RECOVERED)
    assert recovered.data["status_before"] == "needs_reauthorization"


def test_a_recovery_is_published_with_its_reauthorization_first(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.MISCONFIGURED)
    batches = []

    def receiver(sender, event_ids, **kwargs):
        batches.append(list(Event.objects.filter(pk__in=event_ids).values_list("type", "pk")))

    published.connect(receiver, dispatch_uid="test-batches")
    try:
        reauthorize(alice_client, connection, rsps, django_capture_on_commit_callbacks)
    finally:
        published.disconnect(dispatch_uid="test-batches")
    # One batch for webhooks to fan out, in the order the events happened.
    (batch,) = batches
    assert [type for type, _ in sorted(batch, key=lambda pair: pair[1])] == [
        Event.Type.CONNECTION_REAUTHORIZED,
        Event.Type.CONNECTION_RECOVERED,
    ]
    reauthorized, recovered = Event.objects.published().order_by("id")
    assert reauthorized.created <= recovered.created
