"""keepalive.refresh_connection: successful refreshes (rotation, no rotation, instance URL)."""

from datetime import timedelta

import pytest
import responses
import time_machine
from django.db import transaction
from django.utils import timezone

from connections import keepalive
from connections.models import Connection, ConnectionEvent, TokenSet
from connections.providers.salesforce import client as salesforce
from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    INSTANCE_URL,
    add_token_response,
    form_body,
    make_connection,
)

pytestmark = pytest.mark.django_db

NEW_RT = "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA2"


@responses.activate
def test_it_persists_a_rotated_refresh_token_and_sends_it_next_time(team):
    connection = make_connection(team)
    add_token_response(responses, access_token="AT-2", refresh_token=NEW_RT)

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.REFRESHED
    assert result.generation == 2
    form = form_body(responses.calls[0])
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA1",
        "client_id": CONSUMER_KEY,
        "client_secret": CONSUMER_SECRET,
    }  # no scope (docs/salesforce-protocol.md, "Token requests")
    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.access_token, tokens.refresh_token, tokens.generation) == ("AT-2", NEW_RT, 2)

    responses.reset()
    add_token_response(responses, access_token="AT-3", refresh_token="RT-3")
    keepalive.refresh_connection(connection.pk, force=True)
    assert form_body(responses.calls[0])["refresh_token"] == NEW_RT


@responses.activate
def test_it_keeps_the_refresh_token_when_the_response_has_none(team):
    connection = make_connection(team, refresh_token="RT-1")
    add_token_response(responses, access_token="AT-2", refresh_token=None)

    keepalive.refresh_connection(connection.pk)

    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.access_token, tokens.refresh_token) == ("AT-2", "RT-1")
    event = connection.events.get(kind=ConnectionEvent.Kind.REFRESHED)
    assert "refresh token kept" in event.message
    assert "RT-1" not in event.message and "AT-2" not in event.message


@responses.activate
def test_it_keeps_the_instance_url_when_absent(team):
    connection = make_connection(team)
    add_token_response(responses, instance_url=None)

    keepalive.refresh_connection(connection.pk)

    assert TokenSet.objects.get(connection=connection).instance_url == INSTANCE_URL


@responses.activate
def test_it_updates_the_bookkeeping_in_one_commit(team):
    connection = make_connection(team, status=Connection.Status.MISCONFIGURED)
    Connection.objects.filter(pk=connection.pk).update(
        consecutive_failures=3,
        failing_since=timezone.now() - timedelta(days=2),
        last_error="invalid_grant: ip restricted",
        status_reason="Add the IP.",
    )
    add_token_response(responses)

    with time_machine.travel(timezone.now(), tick=False):
        now = timezone.now()
        keepalive.refresh_connection(connection.pk)

    connection.refresh_from_db()
    tokens = connection.tokens
    assert connection.status == Connection.Status.CONNECTED
    assert (connection.consecutive_failures, connection.failing_since) == (0, None)
    assert (connection.last_error, connection.status_reason) == ("", "")
    assert tokens.refreshed_at == tokens.refresh_token_last_used_at == now
    assert timedelta(hours=21) <= connection.next_refresh_at - now <= timedelta(hours=27)
    kinds = set(connection.events.values_list("kind", flat=True))
    assert kinds == {ConnectionEvent.Kind.REFRESHED, ConnectionEvent.Kind.STATUS_CHANGED}


@responses.activate
def test_it_follows_an_instance_url_change(team):
    connection = make_connection(team, issued_at=timezone.now() - timedelta(hours=2))
    new_host = "https://acme-dev2.my.salesforce.com"
    add_token_response(responses, access_token="AT-2", instance_url=new_host)
    responses.get(f"{new_host}/services/data/", json=[{"version": "62.0"}])

    body = keepalive.call_api(connection, salesforce.api_probe)

    assert body == [{"version": "62.0"}]
    assert responses.calls[1].request.url == f"{new_host}/services/data/"
    assert responses.calls[1].request.headers["Authorization"] == "Bearer AT-2"
    connection.refresh_from_db()
    assert connection.instance_url == connection.tokens.instance_url == new_host


@responses.activate
def test_it_skips_when_refreshed_moments_ago(team):
    connection = make_connection(team, last_used=timezone.now() - timedelta(minutes=1))

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.SKIPPED
    assert len(responses.calls) == 0
    connection.refresh_from_db()
    assert connection.next_refresh_at > timezone.now() + timedelta(hours=20)


@responses.activate
def test_it_skips_when_the_callers_generation_is_gone(team):
    connection = make_connection(team)
    TokenSet.objects.filter(connection=connection).update(generation=5)

    result = keepalive.refresh_connection(connection.pk, if_generation=4)

    assert (result.outcome, result.generation) == (keepalive.Outcome.SKIPPED, 5)
    assert len(responses.calls) == 0


@responses.activate
def test_force_refreshes_even_when_recent(team):
    connection = make_connection(team, last_used=timezone.now())
    add_token_response(responses)

    assert keepalive.refresh_connection(connection.pk, force=True).outcome == "refreshed"


@pytest.mark.parametrize(
    "status",
    [
        Connection.Status.DRAFT,
        Connection.Status.DISCONNECTED,
        Connection.Status.PENDING_AUTHORIZATION,
    ],
)
@responses.activate
def test_it_skips_connections_that_are_not_connected(team, status):
    connection = make_connection(team, status=status)

    result = keepalive.refresh_connection(connection.pk, force=True)

    assert result.outcome == keepalive.Outcome.SKIPPED
    assert len(responses.calls) == 0


def test_it_skips_a_connection_without_tokens_or_that_is_gone(team):
    connection = make_connection(team, tokens=False)
    assert keepalive.refresh_connection(connection.pk).outcome == "skipped"
    assert keepalive.refresh_connection(10**9).outcome == "skipped"


def test_it_refuses_to_run_inside_a_callers_transaction(team):
    connection = make_connection(team)
    with pytest.raises(RuntimeError), transaction.atomic():
        keepalive.refresh_connection(connection.pk)
