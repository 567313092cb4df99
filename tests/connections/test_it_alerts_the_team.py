"""connections.alerts: emails to owners and admins, once per problem and once on recovery."""

from datetime import timedelta
from unittest import mock

import pytest
import responses
from django.core import mail
from django.utils import timezone

from connections import alerts, keepalive
from connections.models import Connection, ConnectionEvent
from tests.connections.helpers import (
    TOKEN_URL,
    add_token_error,
    add_token_response,
    make_connection,
)

pytestmark = pytest.mark.django_db

Status = Connection.Status


@pytest.fixture
def members(alice, bob, victor):
    """alice (owner) and bob (admin) get alerts; victor (viewer) doesn't."""


@responses.activate
def test_needs_reauthorization_emails_owners_and_admins_once(team, members):
    connection = make_connection(team, name="Acme production")
    add_token_error(responses, "expired access/refresh token")

    keepalive.refresh_connection(connection.pk)
    keepalive.refresh_connection(connection.pk, force=True)  # still broken: no second email
    alerts.notify(connection.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["alice@example.com", "bob@example.com"]
    assert message.subject == 'Salesforce connection "Acme production" needs you to sign in again'
    assert "Salesforce no longer accepts the refresh token" in message.body
    assert f"/teams/{team.slug}/connections/{connection.code}/" in message.body
    connection.refresh_from_db()
    assert connection.alerted_for == Status.NEEDS_REAUTHORIZATION
    assert connection.events.filter(kind=ConnectionEvent.Kind.ALERT_SENT).count() == 1


@responses.activate
def test_misconfigured_then_recovered(team, members, settings):
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    connection = make_connection(team)
    add_token_error(responses, "ip restricted")

    keepalive.refresh_connection(connection.pk)
    keepalive.refresh_connection(connection.pk)

    assert len(mail.outbox) == 1
    assert "203.0.113.7" in mail.outbox[0].body
    assert "is misconfigured" in mail.outbox[0].subject

    responses.reset()
    add_token_response(responses)
    keepalive.refresh_connection(connection.pk)
    keepalive.refresh_connection(connection.pk, force=True)

    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.endswith("works again")
    assert sorted(mail.outbox[1].to) == ["alice@example.com", "bob@example.com"]
    connection.refresh_from_db()
    assert connection.alerted_for == ""


@responses.activate
def test_transient_failures_send_no_email(team, members):
    connection = make_connection(team)
    responses.post(TOKEN_URL, status=503)

    for _ in range(3):
        keepalive.refresh_connection(connection.pk)

    assert mail.outbox == []


def test_nearing_idle_expiry_emails_once(team, members, settings):
    settings.REFRESH_TOKEN_IDLE_TTL = 30 * 86400
    connection = make_connection(team, last_used=timezone.now() - timedelta(days=27, hours=1))

    assert alerts.connections_to_notify() == [connection.pk]
    assert alerts.notify(connection.pk) == alerts.EXPIRING
    assert alerts.notify(connection.pk) == ""
    assert alerts.connections_to_notify() == []

    assert len(mail.outbox) == 1
    assert "expires soon" in mail.outbox[0].subject


def test_not_yet_near_idle_expiry_sends_nothing(team, members):
    connection = make_connection(team, last_used=timezone.now() - timedelta(days=26))
    assert alerts.connections_to_notify() == []
    assert alerts.notify(connection.pk) == ""


@responses.activate
def test_a_failed_send_is_retried_later_and_never_loses_the_token(team, members):
    connection = make_connection(team)
    add_token_error(responses, "inactive user")

    with mock.patch.object(alerts, "send_mail", side_effect=OSError("SMTP down")):
        result = keepalive.refresh_connection(connection.pk)

    assert result.kind == keepalive.ErrorKind.NEEDS_REAUTHORIZATION
    connection.refresh_from_db()
    assert connection.status == Status.NEEDS_REAUTHORIZATION
    assert connection.alerted_for == ""
    assert alerts.connections_to_notify() == [connection.pk]  # the next sweep retries
    assert alerts.notify(connection.pk) == Status.NEEDS_REAUTHORIZATION
    assert len(mail.outbox) == 1


@responses.activate
def test_an_email_failure_after_a_success_keeps_the_new_tokens(team, members):
    connection = make_connection(team)
    Connection.objects.filter(pk=connection.pk).update(alerted_for=alerts.EXPIRING)
    add_token_response(responses, access_token="AT-2", refresh_token="RT-2")

    with mock.patch.object(alerts, "send_mail", side_effect=OSError("SMTP down")):
        assert keepalive.refresh_connection(connection.pk).outcome == "refreshed"

    connection.refresh_from_db()
    assert connection.tokens.refresh_token == "RT-2"


def test_a_disconnected_connection_is_cleared_silently(team, members):
    connection = make_connection(team, status=Status.DISCONNECTED)
    Connection.objects.filter(pk=connection.pk).update(alerted_for="needs_reauthorization")

    assert alerts.connections_to_notify() == [connection.pk]
    assert alerts.notify(connection.pk) == ""
    connection.refresh_from_db()
    assert connection.alerted_for == ""
    assert mail.outbox == []
