"""While DYNAMICS_CLIENT_ID and DYNAMICS_CLIENT_SECRET are unset, choosing Dynamics shows the
Redirect URI to register and the variables to set, and no sign-in starts."""

import uuid

import pytest
from django.urls import reverse

from connections.models import AuthorizationRequest, Connection
from tests.connections.helpers import PUBLIC_CALLBACK, query, url

pytestmark = pytest.mark.usefixtures("public_urls")


@pytest.fixture
def unconfigured(settings):
    settings.DYNAMICS_CLIENT_ID = ""
    settings.DYNAMICS_CLIENT_SECRET = ""


def _draft(client, team) -> Connection:
    client.post(
        reverse("connections:new", args=[team.slug]) + "?provider=dynamics",
        {"name": "Contoso", "environment_url": "https://contoso.crm.dynamics.com"},
    )
    return Connection.objects.get(provider="dynamics")


@pytest.mark.usefixtures("unconfigured")
def test_it_names_the_redirect_uri_and_the_variables(alice_client, team):
    page = alice_client.get(reverse("connections:new", args=[team.slug]) + "?provider=dynamics")
    text = page.content.decode()
    assert "Connect Microsoft Dynamics 365" in text
    assert PUBLIC_CALLBACK in text
    assert "DYNAMICS_CLIENT_ID" in text and "DYNAMICS_CLIENT_SECRET" in text


@pytest.mark.usefixtures("unconfigured")
def test_it_starts_no_sign_in(alice_client, team):
    connection = _draft(alice_client, team)
    response = alice_client.post(url("credentials", connection), {"submission": str(uuid.uuid4())})
    assert response.status_code == 400
    assert "isn&#x27;t configured" in response.content.decode()
    assert not AuthorizationRequest.objects.exists()


def test_it_sends_an_s256_challenge_and_the_environment_scope(alice_client, team, settings):
    settings.DYNAMICS_CLIENT_ID = "4f8e2a6c-client"
    settings.DYNAMICS_CLIENT_SECRET = "secret"
    connection = _draft(alice_client, team)
    response = alice_client.post(url("credentials", connection), {"submission": str(uuid.uuid4())})
    assert response["Location"].startswith(
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"
    )
    sent = query(response["Location"])
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["code_challenge"]) == 43
    assert sent["scope"] == (
        "https://contoso.crm.dynamics.com/user_impersonation offline_access openid profile"
    )
    assert sent["client_id"] == "4f8e2a6c-client"
    assert sent["response_mode"] == "query"
