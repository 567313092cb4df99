"""The keep-alive's typed events: refresh_failed once the retries are used up, degraded once
after 24 h of failures, idle_expiry_warning with the alert, instance_url_changed."""

from datetime import timedelta

import pytest
import responses
from django.conf import settings
from django.utils import timezone

from connections import alerts, keepalive, tasks
from connections.models import Connection
from events.models import Event
from tests.connections.helpers import TOKEN_URL, add_token_response, make_connection

pytestmark = pytest.mark.django_db
Type = Event.Type


@responses.activate
def test_refresh_failed_comes_once_the_retries_are_used_up(team):
    connection = make_connection(team)
    responses.post(TOKEN_URL, status=503, body="Service Unavailable")

    # The task's last retry (called directly, as the worker would with this request).
    tasks.refresh_connection.push_request(id="last", retries=settings.KEEPALIVE_MAX_RETRIES)
    try:
        assert tasks.refresh_connection.run(connection.pk) == "failed"
    finally:
        tasks.refresh_connection.pop_request()

    event = Event.objects.get(type=Type.CONNECTION_REFRESH_FAILED)
    assert event.data["error"]["kind"] == "transient"
    assert (event.data["status_before"], event.data["status_after"]) == ("connected", "connected")
    assert event.message.startswith("Retries used up; the next sweep tries again.")


@responses.activate
def test_degraded_is_announced_once(team):
    connection = make_connection(team)
    now = timezone.now()
    Connection.objects.filter(pk=connection.pk).update(
        failing_since=now - timedelta(hours=25),
        last_error_at=now - timedelta(hours=23),
        consecutive_failures=3,
    )
    responses.post(TOKEN_URL, status=503, body="Service Unavailable")
    keepalive.refresh_connection(connection.pk, force=True)
    keepalive.refresh_connection(connection.pk, force=True)
    event = Event.objects.get(type=Type.CONNECTION_DEGRADED)
    assert event.message.startswith("Degraded: refreshes have failed for more than 24 hours")


def test_the_idle_expiry_warning_is_typed(team, alice):
    connection = make_connection(team, last_used=timezone.now() - timedelta(days=28))
    assert alerts.notify(connection.pk) == alerts.EXPIRING
    event = Event.objects.get(type=Type.CONNECTION_IDLE_EXPIRY_WARNING)
    assert event.kind == Event.Kind.ALERT_SENT
    assert event.data["refresh_token_expires_at"].startswith(
        (timezone.now() + timedelta(days=2)).date().isoformat()
    )


@responses.activate
def test_a_moved_org_is_instance_url_changed(team):
    connection = make_connection(team)
    add_token_response(responses, instance_url="https://acme2.my.salesforce.com")
    keepalive.refresh_connection(connection.pk, force=True)
    event = Event.objects.get(type=Type.CONNECTION_INSTANCE_URL_CHANGED)
    assert event.data["instance_url_after"] == "https://acme2.my.salesforce.com"
    assert event.data["instance_url_before"] != event.data["instance_url_after"]
