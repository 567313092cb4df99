"""The callback turns Salesforce's errors into guidance naming the step to fix, and stores
nothing."""

import pytest
import requests

from connections.models import AuthorizationRequest, Connection, ConnectionEvent, TokenSet
from tests.connections.helpers import (
    IDENTITY_URL,
    PUBLIC_CALLBACK,
    REFRESH_TOKEN,
    REVOKE_URL,
    TOKEN_URL,
    finish_flow,
    form_body,
    oauth_error,
    start_flow,
    token_body,
)

pytestmark = pytest.mark.usefixtures("public_urls")


@pytest.fixture
def flow(alice_client, draft):
    """Start a flow on a draft; returns the authorize query parameters."""
    return start_flow(alice_client, draft)


def assert_nothing_stored(connection, status="draft"):
    connection.refresh_from_db()
    assert connection.status == status
    assert connection.organization_id == ""
    assert not TokenSet.objects.exists()
    event = connection.events.first()
    assert event.kind == ConnectionEvent.Kind.AUTHORIZATION_FAILED


@pytest.mark.parametrize(
    ("error", "description", "step", "words"),
    [
        ("invalid_client_id", "client identifier invalid", 7, "up to 10 minutes"),
        ("invalid_client", "invalid client credentials", 7, "Consumer Secret"),
        ("invalid_grant", "invalid code verifier", 4, "PKCE"),
        ("invalid_grant", "ip restricted", 5, "203.0.113.7"),
        ("redirect_uri_mismatch", "redirect_uri must match configuration", 3, PUBLIC_CALLBACK),
        ("invalid_grant", "expired authorization code", None, "Start again"),
    ],
)
def test_it_explains_token_errors(
    alice_client, draft, flow, rsps, settings, error, description, step, words
):
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    rsps.post(TOKEN_URL, **oauth_error(error, description))
    response = finish_flow(alice_client, {"code": "c", "state": flow["state"]})
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page
    assert description in page
    if step:
        assert f"step {step}" in page
    assert_nothing_stored(draft)
    assert description in draft.events.first().message


def test_it_shows_salesforces_words_for_unknown_errors_escaped(alice_client, draft, flow, rsps):
    rsps.post(TOKEN_URL, **oauth_error("weird_error", "<b>odd</b> thing"))
    page = finish_flow(alice_client, {"code": "c", "state": flow["state"]}).content.decode()
    assert "weird_error: &lt;b&gt;odd&lt;/b&gt; thing" in page
    assert_nothing_stored(draft)


def test_it_refuses_a_signature_from_another_secret_and_revokes_the_grant(
    alice_client, draft, flow, rsps
):
    rsps.post(TOKEN_URL, json=token_body(secret="not-the-apps-secret"))
    rsps.post(REVOKE_URL)
    response = finish_flow(alice_client, {"code": "c", "state": flow["state"]})
    assert response.status_code == 400
    assert "Consumer Secret doesn" in response.content.decode()
    assert "step 7" in response.content.decode()
    assert [call.request.url for call in rsps.calls] == [TOKEN_URL, REVOKE_URL]  # no identity
    assert form_body(rsps.calls[1]) == {"token": REFRESH_TOKEN}
    assert_nothing_stored(draft)


def test_it_says_try_again_when_salesforce_is_down(alice_client, draft, flow, rsps):
    rsps.post(TOKEN_URL, body=requests.ConnectionError("refused"))
    response = finish_flow(alice_client, {"code": "c", "state": flow["state"]})
    assert response.status_code == 502
    assert "Try again" in response.content.decode()
    assert_nothing_stored(draft)


@pytest.mark.parametrize("reply", [{"status": 503}, {"status": 403, "json": [{"message": "no"}]}])
def test_it_stores_nothing_when_the_identity_call_fails(alice_client, draft, flow, rsps, reply):
    rsps.post(TOKEN_URL, json=token_body())
    rsps.get(IDENTITY_URL, **reply)
    rsps.post(REVOKE_URL)
    response = finish_flow(alice_client, {"code": "c", "state": flow["state"]})
    assert response.status_code == 502
    assert "identity URL" in response.content.decode()
    assert_nothing_stored(draft)
    assert form_body(rsps.calls[-1]) == {"token": REFRESH_TOKEN}


@pytest.mark.parametrize(
    "changes", [{"refresh_token": None}, {"scope": "id api"}], ids=["no-token", "no-scope"]
)
def test_it_requires_a_refresh_token(alice_client, draft, flow, rsps, changes):
    body = {k: v for k, v in token_body(**changes).items() if v is not None}
    rsps.post(TOKEN_URL, json=body)
    rsps.get(IDENTITY_URL, json={"organization_id": "00D", "user_id": "005", "username": "u"})
    rsps.post(REVOKE_URL)
    response = finish_flow(alice_client, {"code": "c", "state": flow["state"]})
    assert response.status_code == 400
    assert "no refresh token" in response.content.decode()
    assert "step 3" in response.content.decode()
    assert_nothing_stored(draft)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("access_denied", "Allow"),
        ("access-denied", "Allow"),
        ("OAUTH_AUTHORIZATION_BLOCKED", "Local External Client App"),
        ("invalid_request", "invalid_request"),
        ("unsupported_response_type", "unsupported_response_type"),
        ("invalid_scope", "refresh_token"),
    ],
)
def test_it_explains_authorize_errors(alice_client, draft, flow, rsps, error, words):
    params = {"error": error, "error_description": "said Salesforce", "state": flow["state"]}
    response = finish_flow(alice_client, params)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not rsps.calls
    assert AuthorizationRequest.objects.get().used_at is not None
    assert_nothing_stored(draft)


def test_it_puts_a_once_connected_connection_back_to_disconnected(
    alice_client, connection_factory, rsps
):
    connection = connection_factory(connected=False, status="disconnected", organization_id="00D")
    params = start_flow(alice_client, connection)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.PENDING_AUTHORIZATION
    finish_flow(alice_client, {"error": "access_denied", "state": params["state"]})
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DISCONNECTED


def test_it_keeps_a_connected_connection_on_failure(alice_client, connection, rsps):
    params = start_flow(alice_client, connection)
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))
    finish_flow(alice_client, {"code": "c", "state": params["state"]})
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert TokenSet.objects.get().generation == 1
