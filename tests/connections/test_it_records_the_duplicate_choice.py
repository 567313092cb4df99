"""The choice offered after a first sign-in as a user and app the team holds already
(connections.duplicates) is recorded like any other change: "Re-authorize … instead" writes
connection.reauthorized (then connection.recovered) on the existing connection and
connection.deleted for the new one; "Keep both" is when the new one is connection.connected."""

import pytest

from connections.models import Connection
from events.models import Event
from tests.connections.helpers import REVOKE_URL, finish_flow, register_success, start_flow, url

pytestmark = pytest.mark.usefixtures("public_urls")

Type = Event.Type


@pytest.fixture
def duplicate(alice_client, connection, connection_factory, rsps) -> Connection:
    second = connection_factory(connected=False, name="Acme again")
    params = start_flow(alice_client, second)
    register_success(rsps)
    finish_flow(alice_client, {"code": "c", "state": params["state"]})
    second.refresh_from_db()
    return second


def published(**filters) -> list[tuple[str, str | None, str | None]]:
    events = Event.objects.published().filter(**filters).order_by("id")
    return [(e.type, e.data["status_before"], e.data["status_after"]) for e in events]


def test_the_waiting_duplicate_is_not_yet_connected(connection, duplicate):
    assert published(connection=duplicate) == []
    assert Event.objects.filter(connection=duplicate, kind=Event.Kind.AUTHORIZED).exists()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Connection.Status.CONNECTED, [(Type.CONNECTION_REAUTHORIZED, "connected", "connected")]),
        (
            Connection.Status.NEEDS_REAUTHORIZATION,
            [
                (Type.CONNECTION_REAUTHORIZED, "needs_reauthorization", "connected"),
                (Type.CONNECTION_RECOVERED, "needs_reauthorization", "connected"),
            ],
        ),
    ],
)
def test_reauthorize_instead_is_recorded(
    alice_client, connection, duplicate, rsps, status, expected
):
    Connection.objects.filter(pk=connection.pk).update(status=status)
    rsps.post(REVOKE_URL)
    start = Event.objects.order_by("id").last().pk
    alice_client.post(url("reauthorize_instead", connection), {"duplicate": duplicate.code})
    assert published(connection=connection, pk__gt=start) == expected
    assert published(connection_code=duplicate.code, pk__gt=start) == [
        (Type.CONNECTION_DELETED, "pending_authorization", None)
    ]
    deleted = Event.objects.get(type=Type.CONNECTION_DELETED)
    assert (deleted.connection, deleted.connection_name) == (None, "Acme again")
    assert deleted.actor.email == "alice@example.com"
    # The new connection's history stays, as for any deleted connection.
    assert Event.objects.filter(connection_code=duplicate.code).count() > 1


def test_keep_both_is_when_the_duplicate_connects(alice_client, duplicate):
    alice_client.post(url("keep_both", duplicate))
    assert published(connection=duplicate)[-1] == (
        Type.CONNECTION_CONNECTED,
        "pending_authorization",
        "connected",
    )
    assert len(published(connection=duplicate, type=Type.CONNECTION_CONNECTED)) == 1
