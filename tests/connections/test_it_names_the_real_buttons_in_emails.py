"""Alert emails name the buttons the connection page really has."""

import pytest
from django.core import mail

from connections import alerts
from connections.models import Connection, TokenSet

pytestmark = pytest.mark.usefixtures("public_urls")


def email_for(connection, alice, **fields) -> str:
    Connection.objects.filter(pk=connection.pk).update(**fields)
    assert alerts.notify(connection.pk)
    return mail.outbox[-1].body


def test_the_needs_reauthorization_email_says_re_authorize(alice, connection):
    body = email_for(connection, alice, status="needs_reauthorization", status_reason="Revoked.")
    assert 'click "Re-authorize"' in body
    assert "Sign in again" not in body


def test_the_misconfigured_email_says_refresh_now(alice, connection):
    body = email_for(connection, alice, status="misconfigured", status_reason="Wrong secret.")
    assert '"Refresh now"' in body and '"Edit"' in body and '"Re-authorize"' in body


def test_the_expiring_email_says_re_authorize(alice, connection):
    TokenSet.objects.update(refresh_token_last_used_at="2000-01-01T00:00Z")
    body = email_for(connection, alice)
    assert 'click "Re-authorize"' in body and '"Refresh now"' in body
    assert "someone has to sign in to Salesforce again" not in body


def test_the_recovered_email_fits_a_reauthorization_too(alice, connection):
    body = email_for(connection, alice, alerted_for="needs_reauthorization")
    assert "refreshed or it was re-authorized" in body
