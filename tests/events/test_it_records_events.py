"""The one event stream: written in the change's transaction, typed, secret-free, for every
state change (bulk paths too), and kept after the connection is deleted."""

import json
from datetime import timedelta

import pytest
import responses
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from connections import keepalive, oauth
from connections.models import AuthorizationRequest, Connection
from events.models import Event
from tests.conftest import make_user
from tests.connections.helpers import (
    ERRORS,
    REFRESH_TOKEN,
    add_token_error,
    add_token_response,
    make_connection,
)

pytestmark = pytest.mark.django_db
Type = Event.Type


def test_a_rolled_back_change_leaves_no_event(team, alice):
    connection = make_connection(team)
    with pytest.raises(RuntimeError), transaction.atomic():
        oauth.disconnect(connection, alice)
        raise RuntimeError("the change fails after the event was written")
    assert not Event.objects.exists()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED


@responses.activate
def test_a_revoked_grant_is_a_typed_event_with_its_classification(team):
    connection = make_connection(team)
    add_token_error(responses, ERRORS["refresh_expired_or_revoked"])

    keepalive.refresh_connection(connection.pk)

    event = Event.objects.get(type=Type.CONNECTION_NEEDS_REAUTHORIZATION)
    assert (event.team, event.connection, event.actor) == (team, connection, None)
    assert event.data["status_before"] == "connected"
    assert event.data["status_after"] == "needs_reauthorization"
    assert event.data["error"]["kind"] == "needs_reauthorization"
    assert event.data["error"]["code"] == "invalid_grant"
    assert "revoked" in event.data["error"]["reason"]
    payload = event.payload()
    assert payload["actor"] == {"type": "system"}
    assert payload["connection"] == {"id": str(connection.code), "name": connection.name}
    assert REFRESH_TOKEN not in json.dumps(payload)


@responses.activate
def test_a_refresh_after_the_failure_is_a_recovery(team):
    connection = make_connection(team, status=Connection.Status.MISCONFIGURED)
    add_token_response(responses)

    keepalive.refresh_connection(connection.pk)

    event = Event.objects.get(type=Type.CONNECTION_RECOVERED)
    assert (event.data["status_before"], event.data["status_after"]) == (
        "misconfigured",
        "connected",
    )
    assert event.message.startswith("Misconfigured → Connected")


@responses.activate
def test_a_routine_refresh_is_history_only(team):
    connection = make_connection(team)
    add_token_response(responses)
    keepalive.refresh_connection(connection.pk)
    event = connection.events.get()
    assert (event.kind, event.type) == (Event.Kind.REFRESHED, "")
    assert not Event.objects.published().exists()


def test_expired_sign_ins_in_bulk_are_recorded_per_connection(team, alice):
    waiting = [
        Connection.objects.create(
            team=team, name=f"Org {n}", status=Connection.Status.PENDING_AUTHORIZATION
        )
        for n in range(3)
    ]
    for connection in waiting:
        AuthorizationRequest.objects.create(
            state=f"s{connection.pk}",
            code_verifier="v",
            redirect_uri="https://orgkeeper.example.com/cb",
            connection=connection,
            user=alice,
            expires_at=timezone.now() - timedelta(days=2),
        )

    AuthorizationRequest.clear_expired()

    events = Event.objects.filter(kind=Event.Kind.AUTHORIZATION_FAILED)
    assert sorted(events.values_list("connection_name", flat=True)) == ["Org 0", "Org 1", "Org 2"]
    for event in events:
        assert event.team == team
        assert event.data["status_before"] == "pending_authorization"
        assert event.data["status_after"] == "draft"


def test_a_deleted_connection_keeps_its_history(alice_client, team, alice):
    draft = Connection.objects.create(team=team, name="Short-lived")
    draft.record(Event.Kind.CREATED, "Created.", alice, type=Type.CONNECTION_CREATED)
    code = draft.code

    alice_client.post(reverse("connections:delete", args=[team.slug, code]))

    assert not Connection.objects.filter(code=code).exists()
    kinds = Event.objects.filter(connection_code=code).values_list("type", "connection_name")
    assert sorted(kinds) == [
        (Type.CONNECTION_CREATED, "Short-lived"),
        (Type.CONNECTION_DELETED, "Short-lived"),
    ]
    deleted = Event.objects.get(type=Type.CONNECTION_DELETED)
    assert deleted.actor == alice
    assert deleted.payload()["connection"]["id"] == str(code)


def test_member_changes_are_team_events(team, alice):
    invitation = team.invite("dora@example.com", Membership.Role.ADMIN, alice)
    dora = make_user("dora@example.com")
    membership = invitation.accept(dora)
    membership.change_role(Membership.Role.VIEWER, alice)
    membership.remove(alice)

    events = list(Event.objects.order_by("id").values_list("type", "actor__email", "data"))
    member = {"email": "dora@example.com"}
    assert [(t, who) for t, who, _ in events] == [
        (Type.MEMBER_INVITED, "alice@example.com"),
        (Type.MEMBER_JOINED, "dora@example.com"),
        (Type.MEMBER_ROLE_CHANGED, "alice@example.com"),
        (Type.MEMBER_REMOVED, "alice@example.com"),
    ]
    assert all(data["member"]["email"] == member["email"] for _, _, data in events)
    assert events[2][2]["role_before"] == "admin"
    assert events[2][2]["member"]["role"] == "viewer"
