"""A connection whose refresh token Salesforce revoked because the team made five newer
approvals of the same user and External Client App says so, naming them (issue 14, item 3)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from connections import keepalive
from connections.models import Connection, ConnectionEvent
from tests.connections.helpers import TOKEN_URL, USER_ID, USERNAME, oauth_error

pytestmark = pytest.mark.usefixtures("public_urls")
REVOKED = oauth_error("invalid_grant", "expired access/refresh token")


def signed_in_connections(connection_factory, count: int) -> list[Connection]:
    """``count`` connections of the same user and app, each signed in an hour after the last."""
    start = timezone.now() - timedelta(days=1)
    made = []
    for number in range(count):
        with time_machine.travel(start + timedelta(hours=number), tick=False):
            connection = connection_factory(name=f"Copy {number}")
            connection.record(ConnectionEvent.Kind.AUTHORIZED, "Authorized.")
        made.append(connection)
    return made


def test_the_oldest_of_six_names_the_five_newer(connection_factory, rsps):
    oldest, *_ = signed_in_connections(connection_factory, 6)
    rsps.post(TOKEN_URL, **REVOKED)

    keepalive.refresh_connection(oldest.pk, force=True)

    oldest.refresh_from_db()
    assert oldest.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert oldest.status_reason.startswith(
        "Pushed out by Salesforce's limit of 5 approvals per user and External Client App: "
        f"5 newer connections of this team signed in as {USERNAME} through the same app "
        "(Copy 1, Copy 2, Copy 3, Copy 4, Copy 5)"
    )
    assert "revoked, expired after not being used" not in oldest.status_reason


def test_four_newer_ones_keep_the_generic_reason(connection_factory, rsps):
    oldest, *_ = signed_in_connections(connection_factory, 5)
    rsps.post(TOKEN_URL, **REVOKED)
    keepalive.refresh_connection(oldest.pk, force=True)
    oldest.refresh_from_db()
    assert oldest.status_reason.startswith("Salesforce no longer accepts the refresh token")


def test_another_user_or_app_does_not_count(connection_factory, rsps):
    oldest, *newer = signed_in_connections(connection_factory, 6)
    Connection.objects.filter(pk=newer[0].pk).update(user_id=USER_ID[:-3] + "XYZ")
    rsps.post(TOKEN_URL, **REVOKED)
    keepalive.refresh_connection(oldest.pk, force=True)
    oldest.refresh_from_db()
    assert "Pushed out" not in oldest.status_reason
