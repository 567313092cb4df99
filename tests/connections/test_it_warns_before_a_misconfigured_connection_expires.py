"""A misconfigured connection (e.g. "ip restricted", retried hourly) emails once when it
breaks, and once more when its refresh token nears its idle expiry: otherwise it would die on
day 30 without a word after the first email."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from connections import alerts
from connections.models import Connection
from tests.connections.helpers import make_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(alice, bob, victor):
    """alice (owner) and bob (admin) get alerts; victor (viewer) doesn't."""


def test_it_warns_again_when_a_misconfigured_token_nears_expiry(team, members, settings):
    settings.REFRESH_TOKEN_IDLE_TTL = 30 * 86400
    connection = make_connection(
        team, status=Connection.Status.MISCONFIGURED, last_used=timezone.now() - timedelta(days=2)
    )
    assert alerts.notify(connection.pk) == Connection.Status.MISCONFIGURED
    assert alerts.connections_to_notify() == []

    connection.tokens.refresh_token_last_used_at = timezone.now() - timedelta(days=27, hours=1)
    connection.tokens.save(update_fields=["refresh_token_last_used_at"])

    assert alerts.connections_to_notify() == [connection.pk]
    assert alerts.notify(connection.pk) == alerts.EXPIRING
    assert alerts.connections_to_notify() == []
    assert [m.subject for m in mail.outbox][-1].endswith("expires soon")
    assert len(mail.outbox) == 2
