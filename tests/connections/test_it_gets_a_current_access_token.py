"""keepalive.get_access_token and call_api."""

from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from connections import keepalive
from connections.models import Connection, TokenSet
from connections.providers.salesforce import client as salesforce
from tests.connections.helpers import (
    INSTANCE_URL,
    INVALID_SESSION,
    PROBE_URL,
    TOKEN_URL,
    add_token_error,
    add_token_response,
    make_connection,
)

pytestmark = pytest.mark.django_db


def fresh(team, **kwargs):
    now = timezone.now()
    return make_connection(team, last_used=now, issued_at=now - timedelta(minutes=5), **kwargs)


@responses.activate
def test_a_fresh_token_is_returned_without_refreshing(team):
    connection = fresh(team, access_token="AT-1")

    assert keepalive.get_access_token(connection) == ("AT-1", INSTANCE_URL)
    assert len(responses.calls) == 0


@responses.activate
def test_a_token_older_than_the_lifetime_is_refreshed(team, settings):
    settings.ACCESS_TOKEN_LIFETIME = 3600
    connection = make_connection(
        team, last_used=timezone.now(), issued_at=timezone.now() - timedelta(seconds=3601)
    )
    add_token_response(responses, access_token="AT-2")

    assert keepalive.get_access_token(connection)[0] == "AT-2"
    assert len(responses.calls) == 1


@responses.activate
def test_a_future_issued_at_does_not_keep_a_token_fresh_forever(team, settings):
    settings.ACCESS_TOKEN_LIFETIME = 3600
    connection = make_connection(team, issued_at=timezone.now() + timedelta(days=30))
    TokenSet.objects.filter(connection=connection).update(
        updated=timezone.now() - timedelta(hours=2)
    )
    add_token_response(responses, access_token="AT-2")

    assert keepalive.get_access_token(connection)[0] == "AT-2"


@responses.activate
def test_force_refresh_refreshes(team):
    connection = fresh(team)
    add_token_response(responses, access_token="AT-2")

    assert keepalive.get_access_token(connection, force_refresh=True)[0] == "AT-2"


@responses.activate
def test_a_stale_token_is_still_returned_when_salesforce_is_down(team):
    connection = make_connection(team, access_token="AT-1")
    responses.post(TOKEN_URL, status=503)

    assert keepalive.get_access_token(connection)[0] == "AT-1"


@responses.activate
def test_a_failed_forced_refresh_raises(team):
    connection = fresh(team)
    add_token_error(responses, "expired access/refresh token")

    with pytest.raises(keepalive.RefreshFailed) as caught:
        keepalive.get_access_token(connection, force_refresh=True)

    assert caught.value.result.kind == keepalive.ErrorKind.NEEDS_REAUTHORIZATION
    assert isinstance(caught.value, salesforce.ProviderError)


@pytest.mark.parametrize(
    "status", [Connection.Status.NEEDS_REAUTHORIZATION, Connection.Status.DRAFT]
)
def test_it_raises_not_connected(team, status):
    with pytest.raises(keepalive.NotConnected):
        keepalive.get_access_token(fresh(team, status=status))
    with pytest.raises(keepalive.NotConnected):
        keepalive.call_api(make_connection(team, tokens=False), salesforce.api_probe)


@responses.activate
def test_call_api_refreshes_once_on_401_and_retries(team):
    connection = fresh(team, access_token="AT-1")
    responses.get(PROBE_URL, status=401, json=INVALID_SESSION)
    responses.get(PROBE_URL, json=[{"version": "62.0"}])
    add_token_response(responses, access_token="AT-2")

    assert keepalive.call_api(connection, salesforce.api_probe) == [{"version": "62.0"}]

    authorizations = [
        call.request.headers.get("Authorization")
        for call in responses.calls
        if "data" in call.request.url
    ]
    assert authorizations == ["Bearer AT-1", "Bearer AT-2"]


@responses.activate
def test_call_api_raises_on_a_second_401(team):
    connection = fresh(team)
    responses.get(PROBE_URL, status=401, json=INVALID_SESSION)
    add_token_response(responses, access_token="AT-2")

    with pytest.raises(salesforce.SessionExpired):
        keepalive.call_api(connection, salesforce.api_probe)

    token_calls = [call for call in responses.calls if call.request.url == TOKEN_URL]
    api_calls = [call for call in responses.calls if call.request.url == PROBE_URL]
    assert (len(token_calls), len(api_calls)) == (1, 2)


@responses.activate
def test_call_api_does_not_refresh_when_a_sibling_already_did(team):
    connection = fresh(team, access_token="AT-1")

    def call(instance_url, access_token):
        if access_token == "AT-1":
            # A sibling refreshes while our call is in flight; then Salesforce says 401.
            tokens = TokenSet.objects.get(connection=connection)
            tokens.access_token, tokens.generation = "AT-sibling", tokens.generation + 1
            tokens.save()
            raise salesforce.SessionExpired("Session expired or invalid")
        return access_token

    assert keepalive.call_api(connection, call) == "AT-sibling"
    assert len(responses.calls) == 0
