"""A refresh whose signature doesn't match the stored consumer secret: with rotation the old
refresh token is already dead, so the new tokens are kept and the connection is misconfigured
until the secret is fixed, then it recovers without a new sign-in."""

from datetime import timedelta

import pytest
import responses
from django.core import mail
from django.utils import timezone

from connections import keepalive
from connections.errors import ErrorKind
from connections.models import ClientCredentials, Connection, ConnectionEvent, TokenSet
from tests.connections.helpers import (
    CONSUMER_SECRET,
    add_token_response,
    form_body,
    make_connection,
)

pytestmark = pytest.mark.django_db

Status = Connection.Status
WRONG_SECRET = "AMistypedConsumerSecret0123456789"


@responses.activate
def test_a_rotated_token_with_a_bad_signature_is_kept_until_the_secret_is_fixed(team, alice):
    connection = make_connection(team, refresh_token="RT-1")
    app = ClientCredentials.objects.get(connection=connection)
    app.consumer_secret = WRONG_SECRET
    app.save()
    # Salesforce doesn't check the secret on refresh, rotates, and signs with the real one.
    add_token_response(responses, access_token="AT-2", refresh_token="RT-2", secret=CONSUMER_SECRET)
    before = timezone.now()

    result = keepalive.refresh_connection(connection.pk)

    assert (result.outcome, result.kind, result.retry) == ("failed", ErrorKind.MISCONFIGURED, False)
    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.access_token, tokens.refresh_token) == ("AT-2", "RT-2")
    assert (tokens.generation, tokens.signature_verified) == (2, False)
    assert tokens.refresh_token_last_used_at >= before
    connection.refresh_from_db()
    assert connection.status == Status.MISCONFIGURED
    assert "consumer secret stored in Orgkeeper doesn't match" in connection.status_reason
    assert "setup step 7" in connection.status_reason
    assert connection.consecutive_failures == 1
    assert connection.next_refresh_at >= before + timedelta(minutes=59)  # retried hourly
    kinds = list(connection.events.values_list("kind", flat=True))
    assert kinds.count(ConnectionEvent.Kind.REFRESHED) == 1
    assert ConnectionEvent.Kind.STATUS_CHANGED in kinds
    assert [message.subject for message in mail.outbox] == [
        'Salesforce connection "Acme production" is misconfigured'
    ]

    # An admin re-enters the right secret; the hourly retry recovers with the NEW token.
    app.consumer_secret = CONSUMER_SECRET
    app.save()
    responses.reset()
    add_token_response(responses, access_token="AT-3", refresh_token="RT-3")

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.REFRESHED
    assert form_body(responses.calls[0])["refresh_token"] == "RT-2"
    tokens.refresh_from_db()
    assert (tokens.refresh_token, tokens.signature_verified) == ("RT-3", True)
    connection.refresh_from_db()
    assert (connection.status, connection.status_reason) == (Status.CONNECTED, "")
    assert (connection.consecutive_failures, connection.last_error) == (0, "")


@responses.activate
def test_a_bad_signature_without_rotation_keeps_the_refresh_token(team):
    connection = make_connection(team, refresh_token="RT-1")
    add_token_response(responses, access_token="AT-2", refresh_token=None, secret=WRONG_SECRET)

    keepalive.refresh_connection(connection.pk)

    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.access_token, tokens.refresh_token) == ("AT-2", "RT-1")
    assert Connection.objects.get(pk=connection.pk).status == Status.MISCONFIGURED


@responses.activate
def test_api_calls_refuse_a_connection_with_an_unverified_refresh(team):
    connection = make_connection(team, last_used=timezone.now() - timedelta(hours=2))
    add_token_response(responses, access_token="AT-2", secret=WRONG_SECRET)

    with pytest.raises(keepalive.RefreshFailed):
        keepalive.get_access_token(connection, force_refresh=True)

    assert TokenSet.objects.get(connection=connection).access_token == "AT-2"
