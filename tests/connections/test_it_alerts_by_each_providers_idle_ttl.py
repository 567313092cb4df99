"""The "expires soon" alert and the shown expiry follow each provider's refresh-token idle TTL:
a Dynamics (Entra ID) refresh token lives 90 days unused, not REFRESH_TOKEN_IDLE_TTL's 30."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections import alerts
from connections.models import Connection, TokenSet
from tests.connections.helpers import make_connection

pytestmark = pytest.mark.django_db


def _failing_for(team, provider: str, days: int, name: str) -> Connection:
    connection = make_connection(team, name=name, last_used=timezone.now() - timedelta(days=days))
    Connection.objects.filter(pk=connection.pk).update(
        provider=provider, consecutive_failures=40, failing_since=timezone.now()
    )
    return connection


def test_a_dynamics_connection_failing_for_29_days_isnt_about_to_expire(team, settings):
    settings.REFRESH_TOKEN_IDLE_TTL = 30 * 86400
    dynamics = _failing_for(team, "dynamics", 29, "Contoso")
    salesforce = _failing_for(team, "salesforce", 29, "Acme")

    assert alerts.connections_to_notify() == [salesforce.pk]
    tokens = TokenSet.objects.select_related("connection").get(connection=dynamics)
    assert tokens.refresh_token_expires_at == tokens.refresh_token_last_used_at + timedelta(days=90)


def test_a_dynamics_connection_near_its_90_days_is_about_to_expire(team, settings):
    settings.REFRESH_TOKEN_IDLE_TTL = 30 * 86400
    dynamics = _failing_for(team, "dynamics", 88, "Contoso")

    assert alerts.connections_to_notify() == [dynamics.pk]
    assert alerts.notify(dynamics.pk) == alerts.EXPIRING


def test_a_recovered_dynamics_connection_is_announced_by_its_own_ttl(team, settings):
    settings.REFRESH_TOKEN_IDLE_TTL = 30 * 86400
    dynamics = _failing_for(team, "dynamics", 29, "Contoso")
    Connection.objects.filter(pk=dynamics.pk).update(alerted_for=alerts.EXPIRING)

    assert alerts.connections_to_notify() == [dynamics.pk]
