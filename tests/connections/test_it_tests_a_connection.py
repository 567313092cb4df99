"""POST .../test/: one REST call through keepalive.call_api."""

from unittest.mock import patch

import pytest

from connections.models import ConnectionEvent, TokenSet
from connections.providers.salesforce import client as salesforce
from connections.providers.salesforce import provider as salesforce_provider
from tests.conftest import signed_in
from tests.connections.helpers import (
    API_VERSIONS,
    INVALID_SESSION,
    OLD_ACCESS_TOKEN,
    PROBE_URL,
    TOKEN_URL,
    token_body,
    url,
)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_it_reports_the_api_versions(alice_client, alice, connection):
    with patch("connections.views.keepalive.call_api", return_value=API_VERSIONS) as call:
        response = alice_client.post(url("test", connection), follow=True)
    call.assert_called_once_with(connection, salesforce_provider.probe)
    assert "Salesforce answered (API versions 63.0 to 65.0)." in messages_of(response)
    event = connection.events.first()
    assert (event.kind, event.actor) == (ConnectionEvent.Kind.TESTED, alice)


def test_it_reports_a_failure_in_plain_words(alice_client, connection):
    error = salesforce.ApiError("The REST API is not enabled", error="API_DISABLED_FOR_ORG")
    with patch("connections.views.keepalive.call_api", side_effect=error):
        response = alice_client.post(url("test", connection), follow=True)
    assert "The test failed." in messages_of(response)
    assert "API_DISABLED_FOR_ORG" in messages_of(response)
    assert connection.events.first().kind == ConnectionEvent.Kind.TEST_FAILED


def test_it_reports_a_connection_without_tokens(alice_client, draft):
    response = alice_client.post(url("test", draft), follow=True)
    assert "isn't connected" in messages_of(response)


@pytest.mark.django_db(transaction=True)
def test_it_refreshes_once_on_401_and_retries(alice_client, connection, rsps):
    """Through the real keep-alive: 401 INVALID_SESSION_ID, refresh, retry succeeds."""
    rsps.get(PROBE_URL, status=401, json=INVALID_SESSION)
    rsps.post(TOKEN_URL, json=token_body(access_token="00D!fresh", refresh_token="5Aep!next"))
    rsps.get(PROBE_URL, json=API_VERSIONS)
    response = alice_client.post(url("test", connection), follow=True)
    assert "Salesforce answered" in messages_of(response)
    auth = [c.request.headers.get("Authorization") for c in rsps.calls if c.request.method == "GET"]
    assert auth == [f"Bearer {OLD_ACCESS_TOKEN}", "Bearer 00D!fresh"]
    assert TokenSet.objects.get().refresh_token == "5Aep!next"


def test_it_forbids_viewers(victor_client, connection):
    with patch("connections.views.keepalive.call_api") as call:
        assert victor_client.post(url("test", connection)).status_code == 403
    call.assert_not_called()


def test_it_guards_the_action(charlie_client, client, alice_client, connection):
    assert charlie_client.post(url("test", connection)).status_code == 404
    assert client.post(url("test", connection)).status_code == 302
    assert alice_client.get(url("test", connection)).status_code == 405


def test_it_enforces_csrf(alice, connection):
    client = signed_in(alice, enforce_csrf_checks=True)
    with patch("connections.views.keepalive.call_api") as call:
        assert client.post(url("test", connection)).status_code == 403
    call.assert_not_called()
