"""Saving the Edit form must not write back the keep-alive state it read at the start of the
request: a refresh that commits in between (it holds the row lock during its token POST, so
the form's UPDATE waits for it on PostgreSQL) would be overwritten, e.g. a connection that just
needed re-authorization written back as connected, or a fresh schedule replaced by a stale one."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from connections import keepalive
from connections.models import Connection, TokenSet
from connections.providers.salesforce.forms import EditForm
from tests.connections.helpers import CONSUMER_KEY, TOKEN_URL, token_body, url

pytestmark = pytest.mark.django_db


def _refresh_during_validation(connection_id):
    """EditForm.is_valid that lets a keep-alive refresh commit first (between the view's read
    of the connection and its save)."""
    original = EditForm.is_valid

    def is_valid(self):
        keepalive.refresh_connection(connection_id, force=True)
        return original(self)

    return mock.patch.object(EditForm, "is_valid", is_valid)


def test_it_keeps_a_refresh_that_committed_while_the_form_was_saved(bob_client, connection, rsps):
    stale_next = timezone.now() - timedelta(minutes=5)
    Connection.objects.filter(pk=connection.pk).update(
        consecutive_failures=3,
        failing_since=timezone.now() - timedelta(days=2),
        last_error="Temporary failure",
        next_refresh_at=stale_next,
    )
    rsps.post(TOKEN_URL, json=token_body(refresh_token="5Aep861RotatedRefreshToken.AAAA9"))

    with _refresh_during_validation(connection.pk):
        response = bob_client.post(
            url("edit", connection), {"name": "Renamed", "consumer_key": CONSUMER_KEY}
        )

    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Renamed"
    assert TokenSet.objects.get().refresh_token == "5Aep861RotatedRefreshToken.AAAA9"
    assert connection.consecutive_failures == 0
    assert connection.failing_since is None
    assert connection.last_error == ""
    assert connection.next_refresh_at > timezone.now() + timedelta(hours=12)


def test_it_keeps_a_status_change_that_committed_while_the_form_was_saved(
    bob_client, connection, rsps
):
    rsps.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "expired access/refresh token"},
    )

    with _refresh_during_validation(connection.pk):
        bob_client.post(url("edit", connection), {"name": "Renamed", "consumer_key": CONSUMER_KEY})

    connection.refresh_from_db()
    assert connection.name == "Renamed"
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert connection.next_refresh_at is None
