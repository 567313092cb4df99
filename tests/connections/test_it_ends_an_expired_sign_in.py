"""A connection waiting for a sign-in that expired goes back to its previous status with an
event saying so, like after a failed sign-in: when the callback comes too late, and when the
kickoff deletes the expired flows of a connection nobody came back to."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from connections.models import AuthorizationRequest, Connection, ConnectionEvent, TokenSet
from tests.conftest import signed_in
from tests.connections.helpers import finish_flow, register_success, start_flow

pytestmark = pytest.mark.usefixtures("public_urls")

Status = Connection.Status
LATER = timedelta(minutes=11)


def expired_events(connection: Connection):
    return connection.events.filter(
        kind=ConnectionEvent.Kind.AUTHORIZATION_FAILED, message__contains="expired"
    )


def come_back_late(client, params: dict):
    with time_machine.travel(timezone.now() + LATER):
        return finish_flow(client, {"code": "c", "state": params["state"]})


def test_a_late_callback_puts_a_draft_back_to_draft(alice_client, alice, draft, rsps):
    params = start_flow(alice_client, draft)
    draft.refresh_from_db()
    assert draft.status == Status.PENDING_AUTHORIZATION

    response = come_back_late(alice_client, params)

    assert response.status_code == 400
    assert "more than 10 minutes" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    event = draft.events.first()
    assert event.kind == ConnectionEvent.Kind.AUTHORIZATION_FAILED
    assert event.actor == alice
    assert "expired" in event.message and "Start again" in event.message
    assert not rsps.calls
    assert AuthorizationRequest.objects.get().used_at is None


def test_reloading_the_late_callback_records_it_once(alice_client, draft):
    params = start_flow(alice_client, draft)
    come_back_late(alice_client, params)

    assert come_back_late(alice_client, params).status_code == 400
    assert expired_events(draft).count() == 1


def test_a_late_callback_puts_a_once_connected_connection_back_to_disconnected(
    alice_client, connection_factory
):
    connection = connection_factory(connected=False, status="disconnected", organization_id="00D")
    params = start_flow(alice_client, connection)

    come_back_late(alice_client, params)

    connection.refresh_from_db()
    assert connection.status == Status.DISCONNECTED
    assert expired_events(connection).count() == 1


def test_a_late_callback_leaves_a_newer_sign_in_waiting(alice_client, draft):
    old = start_flow(alice_client, draft)
    with time_machine.travel(timezone.now() + LATER):
        start_flow(alice_client, draft)
        response = finish_flow(alice_client, {"code": "c", "state": old["state"]})

    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Status.PENDING_AUTHORIZATION
    assert not expired_events(draft).exists()


def test_a_late_callback_leaves_a_connection_connected_by_another_sign_in(
    alice_client, draft, rsps
):
    old = start_flow(alice_client, draft)
    newer = start_flow(alice_client, draft)
    register_success(rsps)
    finish_flow(alice_client, {"code": "c", "state": newer["state"]})

    assert come_back_late(alice_client, old).status_code == 400

    draft.refresh_from_db()
    assert draft.status == Status.CONNECTED
    assert TokenSet.objects.filter(connection=draft).exists()
    assert not expired_events(draft).exists()


def test_a_late_reauthorization_leaves_the_connection_connected(alice_client, connection):
    params = start_flow(alice_client, connection)

    assert come_back_late(alice_client, params).status_code == 400

    connection.refresh_from_db()
    assert connection.status == Status.CONNECTED
    assert TokenSet.objects.get().generation == 1


@pytest.mark.parametrize(("user", "status"), [("bob", 403), ("victor", 403), ("charlie", 404)])
def test_nobody_else_ends_the_sign_in(request, alice_client, draft, user, status):
    params = start_flow(alice_client, draft)

    response = come_back_late(signed_in(request.getfixturevalue(user)), params)

    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.status == Status.PENDING_AUTHORIZATION
    assert not expired_events(draft).exists()
    assert AuthorizationRequest.objects.get().used_at is None


def test_deleting_expired_flows_puts_waiting_connections_back(alice_client, connection_factory):
    draft = connection_factory(connected=False)
    once = connection_factory(
        connected=False, name="B", status="disconnected", organization_id="00D"
    )
    for waiting in (draft, once):
        start_flow(alice_client, waiting)

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert AuthorizationRequest.clear_expired() == 2

    draft.refresh_from_db()
    once.refresh_from_db()
    assert (draft.status, once.status) == (Status.DRAFT, Status.DISCONNECTED)
    for waiting in (draft, once):
        event = expired_events(waiting).get()
        assert event.actor is None
        assert "Start again" in event.message


def test_deleting_expired_flows_leaves_a_newer_sign_in_waiting(alice_client, draft):
    start_flow(alice_client, draft)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        start_flow(alice_client, draft)
        assert AuthorizationRequest.clear_expired() == 1

    draft.refresh_from_db()
    assert draft.status == Status.PENDING_AUTHORIZATION
    assert not expired_events(draft).exists()


@pytest.mark.parametrize("count", [2, 20])
def test_deleting_expired_flows_of_waiting_connections_takes_a_fixed_number_of_queries(
    alice_client, connection_factory, django_assert_num_queries, count
):
    for n in range(count):
        start_flow(alice_client, connection_factory(connected=False, name=f"org {n}"))

    # UPDATE removing expired flows' secrets; SELECT expired flows; SAVEPOINT, SELECT ... FOR
    # UPDATE the waiting connections, SELECT their unexpired flows, UPDATE them, INSERT the
    # events, RELEASE; DELETE the flows.
    with (
        time_machine.travel(timezone.now() + timedelta(days=2)),
        django_assert_num_queries(9),
    ):
        assert AuthorizationRequest.clear_expired() == count

    assert not Connection.objects.filter(status=Status.PENDING_AUTHORIZATION).exists()


def test_a_late_reload_doesnt_end_a_sign_in_whose_code_is_being_exchanged(
    alice_client, draft, rsps
):
    """Before, "alive" meant only unexpired: a sign-in claimed just before it expired, still
    exchanging its code, was ended by the other tab's late reload (back to draft, with an
    "expired" event) and then connected anyway."""
    first = start_flow(alice_client, draft)
    second = start_flow(alice_client, draft)
    later = timezone.now() + LATER
    AuthorizationRequest.objects.filter(state=second["state"]).update(
        used_at=later - timedelta(seconds=2)
    )

    with time_machine.travel(later):
        response = finish_flow(alice_client, {"code": "c", "state": first["state"]})

    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Status.PENDING_AUTHORIZATION
    assert not expired_events(draft).exists()
