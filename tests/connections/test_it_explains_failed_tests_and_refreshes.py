"""The messages of Test connection and Refresh now say what happened to the connection and
which button fixes it; only Salesforce's own words are labelled as Salesforce's."""

from unittest.mock import patch

import pytest
from django.core import mail

from connections import keepalive
from connections.models import Connection, TokenSet
from connections.providers.salesforce import client as salesforce
from tests.connections.helpers import (
    INVALID_SESSION,
    PROBE_URL,
    TOKEN_URL,
    oauth_error,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")

REVOKED = oauth_error("invalid_grant", "expired access/refresh token")


def message_of(response) -> str:
    (message,) = response.context["messages"]
    return str(message)


def assert_plain(text: str) -> None:
    assert "Nothing was saved" not in text
    for code in ("needs_reauthorization", "misconfigured", "transient"):
        assert f"Salesforce: {code}" not in text
    assert "((" not in text and "))" not in text


def test_it_tells_that_a_revoked_connection_needs_reauthorization(alice_client, connection, rsps):
    rsps.get(PROBE_URL, status=401, json=INVALID_SESSION)
    rsps.post(TOKEN_URL, **REVOKED)

    text = message_of(alice_client.post(url("test", connection), follow=True))

    assert text.startswith("The test failed because the tokens couldn't be refreshed.")
    assert "The connection now needs re-authorization" in text
    assert "Click Re-authorize" in text
    assert text.count("(Salesforce: invalid_grant: expired access/refresh token)") == 1
    assert_plain(text)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert len(mail.outbox) == 1


def test_it_tells_that_a_transient_failure_keeps_the_connection(alice_client, connection, rsps):
    rsps.get(PROBE_URL, status=401, json=INVALID_SESSION)
    rsps.post(TOKEN_URL, status=503, body="down")

    text = message_of(alice_client.post(url("test", connection), follow=True))

    assert "stays connected" in text and "retries by itself" in text
    assert_plain(text)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED


def test_it_tells_what_to_fix_when_misconfigured(alice_client, connection, rsps):
    rsps.get(PROBE_URL, status=401, json=INVALID_SESSION)
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))

    text = message_of(alice_client.post(url("test", connection), follow=True))

    assert "The connection is now misconfigured" in text
    assert "Re-enter the consumer secret" in text
    assert_plain(text)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("needs_reauthorization", "Click Re-authorize"),
        ("misconfigured", "Add the Server Outbound IP"),
    ],
)
def test_it_names_the_fix_for_a_connection_that_is_not_connected(
    alice_client, connection, rsps, status, expected
):
    Connection.objects.filter(pk=connection.pk).update(
        status=status, status_reason="Add the Server Outbound IP to the allowlist."
    )

    text = message_of(alice_client.post(url("test", connection), follow=True))

    assert text.startswith("The test didn't run.")
    assert expected in text
    assert "Re-authorize it first" not in text
    assert not rsps.calls


def test_it_does_not_label_its_own_words_as_salesforces(alice_client, connection, rsps):
    rsps.get(PROBE_URL, status=503, body="down")

    text = message_of(alice_client.post(url("test", connection), follow=True))

    assert text == (
        "The test failed. Salesforce answered HTTP 503. The tokens are unchanged; try again "
        "in a few minutes."
    )


def test_refresh_now_tells_that_the_connection_needs_reauthorization(
    alice_client, connection, rsps
):
    rsps.post(TOKEN_URL, **REVOKED)

    text = message_of(alice_client.post(url("refresh", connection), follow=True))

    assert text.startswith("The refresh failed. The connection now needs re-authorization")
    assert "Click Re-authorize" in text
    assert_plain(text)


def test_refresh_now_tells_that_it_still_needs_reauthorization(alice_client, connection, rsps):
    Connection.objects.filter(pk=connection.pk).update(status="needs_reauthorization")
    rsps.post(TOKEN_URL, **REVOKED)

    text = message_of(alice_client.post(url("refresh", connection), follow=True))

    assert "The connection still needs re-authorization." in text
    assert "Click Re-authorize" in text


def test_refresh_now_tells_how_to_reconnect_a_disconnected_connection(alice_client, connection):
    TokenSet.objects.all().delete()
    Connection.objects.filter(pk=connection.pk).update(status="disconnected")

    text = message_of(alice_client.post(url("refresh", connection), follow=True))

    assert text.startswith("Not refreshed. The connection is disconnected")
    assert "Click Re-authorize" in text


def test_refresh_now_reports_a_lost_race_plainly(alice_client, connection):
    skipped = keepalive.RefreshResult(
        keepalive.Outcome.SKIPPED, "Another refresh stored newer tokens; using them."
    )
    with patch("connections.views.keepalive.refresh_connection", return_value=skipped):
        text = message_of(alice_client.post(url("refresh", connection), follow=True))
    assert text == "Another refresh stored newer tokens; using them."


def test_it_quotes_salesforces_api_error(alice_client, connection):
    error = salesforce.ApiError("The REST API is not enabled", error="API_DISABLED_FOR_ORG")
    with patch("connections.views.keepalive.call_api", side_effect=error):
        text = message_of(alice_client.post(url("test", connection), follow=True))
    assert "(Salesforce said: API_DISABLED_FOR_ORG: The REST API is not enabled)" in text
    assert_plain(text)
