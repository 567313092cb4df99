"""keepalive.refresh_connection: each error class, lost races, failures after successes."""

from datetime import timedelta

import pytest
import requests
import responses
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from connections import keepalive
from connections.errors import ErrorKind
from connections.models import Connection, ConnectionEvent, TokenSet
from connections.providers.salesforce import client as salesforce
from connections.providers.salesforce.errors import classify
from tests.connections.helpers import (
    ERRORS,
    TOKEN_URL,
    add_token_error,
    make_connection,
)

pytestmark = pytest.mark.django_db

Status = Connection.Status
TRANSIENT, REAUTH, MISCONFIGURED = (
    ErrorKind.TRANSIENT,
    ErrorKind.NEEDS_REAUTHORIZATION,
    ErrorKind.MISCONFIGURED,
)


@pytest.mark.parametrize(
    ("error", "description", "kind", "status", "reason_part"),
    [
        (
            "invalid_grant",
            ERRORS["refresh_expired_or_revoked"],
            REAUTH,
            Status.NEEDS_REAUTHORIZATION,
            "revoked",
        ),
        (
            "invalid_grant",
            ERRORS["authentication_failure"],
            REAUTH,
            Status.NEEDS_REAUTHORIZATION,
            "authentication",
        ),
        (
            "invalid_grant",
            ERRORS["inactive_user"],
            REAUTH,
            Status.NEEDS_REAUTHORIZATION,
            "inactive or frozen",
        ),
        (
            "invalid_grant",
            ERRORS["inactive_org"],
            REAUTH,
            Status.NEEDS_REAUTHORIZATION,
            "org is inactive",
        ),
        (
            "invalid_grant",
            ERRORS["not_approved"],
            REAUTH,
            Status.NEEDS_REAUTHORIZATION,
            "Permitted Users",
        ),
        ("invalid_grant", "something new", REAUTH, Status.NEEDS_REAUTHORIZATION, "something new"),
        (
            "invalid_grant",
            ERRORS["ip_restricted"],
            MISCONFIGURED,
            Status.MISCONFIGURED,
            "203.0.113.7 to the External Client App's Refresh Token IP Allowlist (setup step 5)",
        ),
        (
            "invalid_client",
            "invalid client credentials",
            MISCONFIGURED,
            Status.MISCONFIGURED,
            "Re-enter the consumer secret",
        ),
        (
            "invalid_client_id",
            "client identifier invalid",
            MISCONFIGURED,
            Status.MISCONFIGURED,
            "consumer key and the environment",
        ),
        (
            "OAUTH_EC_APP_NOT_FOUND",
            "External client app is not installed in this org",
            MISCONFIGURED,
            Status.MISCONFIGURED,
            "install the External Client App in org 00D5g000004XmplEAC, or use the org that",
        ),
        (
            "app_not_found",
            "External client app is not installed in this org",
            MISCONFIGURED,
            Status.MISCONFIGURED,
            "install the External Client App in org 00D5g000004XmplEAC",
        ),
    ],
)
@override_settings(SERVER_OUTBOUND_IP="203.0.113.7")
@responses.activate
def test_it_classifies_oauth_errors(team, error, description, kind, status, reason_part):
    connection = make_connection(team)
    add_token_error(responses, description, error=error)
    before = timezone.now()

    result = keepalive.refresh_connection(connection.pk)

    assert (result.outcome, result.kind, result.retry) == ("failed", kind, False)
    connection.refresh_from_db()
    assert connection.status == status
    assert reason_part in connection.status_reason
    assert connection.consecutive_failures == 1
    assert description in connection.last_error
    if status == Status.NEEDS_REAUTHORIZATION:
        assert connection.next_refresh_at is None
    else:  # retried slowly, so it recovers by itself
        assert connection.next_refresh_at >= before + timedelta(minutes=59)
    kinds = list(connection.events.values_list("kind", flat=True))
    assert ConnectionEvent.Kind.REFRESH_FAILED in kinds
    assert ConnectionEvent.Kind.STATUS_CHANGED in kinds
    # The tokens are untouched.
    assert TokenSet.objects.get(connection=connection).generation == 1


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503, "body": "Service Unavailable"},
        {"status": 429, "json": {"error": "too many"}},
        {
            "status": 400,
            "json": {"error": "invalid_grant", "error_description": ERRORS["refresh_concurrent"]},
        },
        {"body": requests.ConnectTimeout("timed out")},
    ],
)
@responses.activate
def test_transient_errors_keep_it_connected_and_retry(team, failure):
    connection = make_connection(team)
    responses.post(TOKEN_URL, **failure)
    before = timezone.now()

    result = keepalive.refresh_connection(connection.pk)

    assert (result.outcome, result.kind, result.retry) == ("failed", TRANSIENT, True)
    connection.refresh_from_db()
    assert connection.status == Status.CONNECTED
    assert connection.consecutive_failures == 1
    assert connection.failing_since >= before
    assert connection.next_refresh_at >= before + timedelta(minutes=59)
    assert not keepalive.is_degraded(connection)
    assert connection.events.filter(kind=ConnectionEvent.Kind.REFRESH_FAILED).count() == 1
    assert not connection.events.filter(kind=ConnectionEvent.Kind.STATUS_CHANGED).exists()
    assert mail.outbox == []


@responses.activate
def test_a_day_of_transient_failures_shows_as_degraded(team):
    connection = make_connection(team)
    started = timezone.now() - timedelta(hours=25)
    Connection.objects.filter(pk=connection.pk).update(
        failing_since=started, consecutive_failures=9
    )
    responses.post(TOKEN_URL, status=502)

    keepalive.refresh_connection(connection.pk)

    connection.refresh_from_db()
    assert connection.failing_since == started
    assert connection.consecutive_failures == 10
    assert keepalive.is_degraded(connection)


@responses.activate
def test_an_invalid_grant_after_the_token_changed_is_a_lost_race(team, monkeypatch):
    """The stored refresh token changed while this worker's request was in flight (e.g. a
    writer that ignored the lock): use the stored token, mark nothing."""
    connection = make_connection(team)

    def refresh(*args, **kwargs):
        TokenSet.objects.filter(connection=connection).update(generation=2)
        tokens = TokenSet.objects.get(connection=connection)
        tokens.refresh_token = "RT-from-the-winner"
        tokens.save()
        raise salesforce.InvalidGrant(ERRORS["refresh_expired_or_revoked"], error="invalid_grant")

    monkeypatch.setattr(salesforce, "refresh", refresh)

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.SKIPPED
    connection.refresh_from_db()
    assert connection.status == Status.CONNECTED
    assert (connection.consecutive_failures, connection.last_error) == (0, "")
    assert not connection.events.filter(kind=ConnectionEvent.Kind.REFRESH_FAILED).exists()
    assert mail.outbox == []


@responses.activate
def test_a_failure_never_overwrites_a_newer_success(team, monkeypatch):
    connection = make_connection(team)
    successful = timezone.now() + timedelta(hours=24)

    def refresh(*args, **kwargs):
        # A sibling stores a success (generation 2) before this failure is written.
        TokenSet.objects.filter(connection=connection).update(generation=2)
        Connection.objects.filter(pk=connection.pk).update(next_refresh_at=successful)
        raise salesforce.Unavailable("Salesforce answered HTTP 503.", status=503)

    monkeypatch.setattr(salesforce, "refresh", refresh)

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.SKIPPED
    connection.refresh_from_db()
    assert connection.next_refresh_at == successful
    assert (connection.consecutive_failures, connection.failing_since) == (0, None)


@responses.activate
def test_secrets_never_reach_events_or_errors(team):
    connection = make_connection(team, refresh_token="RT-SECRET-1", access_token="AT-SECRET-1")
    add_token_error(responses, ERRORS["refresh_expired_or_revoked"])

    keepalive.refresh_connection(connection.pk)

    connection.refresh_from_db()
    texts = [connection.last_error, connection.status_reason]
    texts += list(connection.events.values_list("message", flat=True))
    assert not [text for text in texts if "SECRET" in text]


def test_classify_treats_unknown_oauth_codes_as_misconfiguration():
    error = salesforce.OAuthError("grant type not supported", error="unsupported_grant_type")
    assert classify(error).kind == MISCONFIGURED
    assert classify(salesforce.Unavailable("x")).kind == TRANSIENT
    old_concurrency_text = salesforce.InvalidGrant("expired authorization code", "invalid_grant")
    assert classify(old_concurrency_text).kind == TRANSIENT


def test_classify_keeps_braces_in_salesforces_words():
    grant = salesforce.InvalidGrant("token {id} is {gone}", error="invalid_grant")
    other = salesforce.OAuthError("no {0}", error="weird_{code}")
    assert classify(grant).reason == "Salesforce refused the refresh token: token {id} is {gone}."
    assert "weird_{code}: no {0}" in classify(other).reason


@responses.activate
def test_the_last_error_is_in_plain_words_then_salesforces(team):
    connection = make_connection(team)
    add_token_error(responses, ERRORS["refresh_concurrent"])

    keepalive.refresh_connection(connection.pk)

    connection.refresh_from_db()
    assert connection.last_error == (
        "Salesforce was still processing another token request for this connection. "
        "(Salesforce: invalid_grant: token request is already being processed)"
    )
