"""Step 2 of 2, "Enter External Client App Credentials": saves the app and redirects to
Salesforce's authorize endpoint with PKCE."""

import pytest
from django.utils import timezone

from connections.models import AuthorizationRequest, ClientCredentials, Connection
from connections.providers.salesforce import client as salesforce
from tests.conftest import signed_in
from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    PUBLIC_CALLBACK,
    query,
    start_flow,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")


@pytest.fixture
def fresh(team, alice):
    """A draft straight from step 1: no credentials yet."""
    return Connection.objects.create(team=team, name="Acme", created_by=alice)


def test_it_asks_for_the_key_and_secret(alice_client, fresh):
    page = alice_client.get(url("credentials", fresh)).content.decode()
    assert "Enter External Client App Credentials" in page
    assert "Consumer Key (Client ID)" in page
    assert "Consumer Secret (Client Secret)" in page
    assert 'type="password"' in page
    assert "Connect" in page


def test_it_keeps_the_credentials_with_the_flow_and_redirects_to_salesforce(
    alice_client, alice, fresh
):
    response = alice_client.post(
        url("credentials", fresh),
        {"consumer_key": f"  {CONSUMER_KEY}\n", "consumer_secret": f" {CONSUMER_SECRET} "},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://login.salesforce.com/services/oauth2/authorize?")
    flow = AuthorizationRequest.objects.get()
    assert query(location) == {
        "response_type": "code",
        "client_id": CONSUMER_KEY,
        "redirect_uri": PUBLIC_CALLBACK,
        "scope": "id api refresh_token",
        "state": flow.state,
        "code_challenge": salesforce.code_challenge(flow.code_verifier),
        "code_challenge_method": "S256",
        "prompt": "login consent",
    }
    assert (flow.user, flow.connection, flow.redirect_uri) == (alice, fresh, PUBLIC_CALLBACK)
    assert flow.used_at is None
    assert (flow.expires_at - timezone.now()).total_seconds() == pytest.approx(600, abs=5)
    assert (flow.consumer_key, flow.consumer_secret) == (CONSUMER_KEY, CONSUMER_SECRET)
    assert not ClientCredentials.objects.exists()  # saved once the sign-in succeeds
    fresh.refresh_from_db()
    assert fresh.status == Connection.Status.PENDING_AUTHORIZATION
    assert fresh.events.filter(kind="authorization_started").exists()


def test_it_requires_a_secret_the_first_time(alice_client, fresh):
    response = alice_client.post(url("credentials", fresh), {"consumer_key": CONSUMER_KEY})
    assert response.status_code == 400
    assert not ClientCredentials.objects.exists()


@pytest.mark.parametrize("key", ["short", "3MVG9 has spaces inside it ok", "3MVG9<script>alert(1)"])
def test_it_refuses_an_implausible_key(alice_client, fresh, key):
    response = alice_client.post(
        url("credentials", fresh), {"consumer_key": key, "consumer_secret": CONSUMER_SECRET}
    )
    assert "doesn&#x27;t look like a Consumer Key" in response.content.decode()
    assert not AuthorizationRequest.objects.exists()


def test_it_never_renders_a_stored_secret_and_keeps_it_when_empty(alice_client, draft):
    page = alice_client.get(url("credentials", draft)).content.decode()
    assert CONSUMER_SECRET not in page
    assert "leave empty to keep" in page
    assert CONSUMER_KEY in page  # prefilled for re-authorization
    start_flow(alice_client, draft, secret="")
    assert AuthorizationRequest.objects.get().credentials() == (CONSUMER_KEY, CONSUMER_SECRET)
    assert ClientCredentials.objects.get(connection=draft).consumer_secret == CONSUMER_SECRET


def test_it_holds_a_new_secret_until_the_sign_in_succeeds(alice_client, draft):
    start_flow(alice_client, draft, secret="NewSecret0123456789")
    flow = AuthorizationRequest.objects.get()
    assert flow.credentials() == (CONSUMER_KEY, "NewSecret0123456789")
    assert ClientCredentials.objects.get(connection=draft).consumer_secret == CONSUMER_SECRET


def test_it_keeps_a_connected_connection_connected_while_reauthorizing(alice_client, connection):
    start_flow(alice_client, connection)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert connection.has_tokens


@pytest.mark.parametrize(
    ("host", "redirect_uri"),
    [
        ("orgkeeper.example.com", "https://orgkeeper.example.com/api/connections/oauth/callback"),
        ("203.0.113.7", "https://203.0.113.7/api/connections/oauth/callback"),
        ("localhost", "https://orgkeeper.example.com/api/connections/oauth/callback"),
    ],
)
def test_it_sends_the_callback_on_the_admins_host(
    alice_client, draft, settings, host, redirect_uri
):
    settings.PUBLIC_BASE_URL = "https://orgkeeper.example.com"
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    settings.ALLOWED_HOSTS = ["orgkeeper.example.com", "203.0.113.7", "localhost"]
    params = start_flow(alice_client, draft, HTTP_HOST=host)
    assert params["redirect_uri"] == redirect_uri
    assert AuthorizationRequest.objects.get().redirect_uri == redirect_uri


def test_it_forbids_viewers(victor_client, draft):
    assert victor_client.get(url("credentials", draft)).status_code == 403
    response = victor_client.post(
        url("credentials", draft), {"consumer_key": CONSUMER_KEY, "consumer_secret": "x" * 20}
    )
    assert response.status_code == 403
    assert not AuthorizationRequest.objects.exists()


def test_it_hides_connections_from_outsiders(charlie_client, draft):
    assert charlie_client.get(url("credentials", draft)).status_code == 404


def test_it_hides_another_teams_connection_under_my_team(charlie_client, charlie, draft):
    slug = charlie.memberships.get().team.slug
    response = charlie_client.get(f"/teams/{slug}/connections/{draft.code}/credentials/")
    assert response.status_code == 404


def test_it_enforces_csrf(alice, draft):
    client = signed_in(alice, enforce_csrf_checks=True)
    response = client.post(
        url("credentials", draft), {"consumer_key": CONSUMER_KEY, "consumer_secret": ""}
    )
    assert response.status_code == 403
    assert not AuthorizationRequest.objects.exists()


def test_it_sends_anonymous_users_to_sign_in(client, draft):
    response = client.get(url("credentials", draft))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_allows_only_get_and_post(alice_client, draft):
    assert alice_client.delete(url("credentials", draft)).status_code == 405
