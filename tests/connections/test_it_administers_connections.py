"""The Django admin pages for connections render and never show a secret."""

import pytest
from django.urls import reverse

from connections.models import AuthorizationRequest
from tests.connections.helpers import (
    CONSUMER_SECRET,
    OLD_ACCESS_TOKEN,
    OLD_REFRESH_TOKEN,
    ORG_ID,
    start_flow,
)

pytestmark = pytest.mark.usefixtures("public_urls")
PENDING_SECRET = "PendingSecret0123456789ABCDEF"


@pytest.fixture
def everything(alice_client, connection):
    """A connected connection with an event and an unfinished sign-in with a new secret."""
    start_flow(alice_client, connection, secret=PENDING_SECRET)
    return connection


def secrets_of(flow: AuthorizationRequest) -> list[str]:
    return [
        CONSUMER_SECRET,
        PENDING_SECRET,
        OLD_ACCESS_TOKEN,
        OLD_REFRESH_TOKEN,
        flow.code_verifier,
        flow.state,
    ]


@pytest.mark.parametrize(
    "model",
    [
        "connections_connection",
        "connections_clientcredentials",
        "connections_tokenset",
        "connections_authorizationrequest",
        "events_event",
    ],
)
def test_it_renders_without_secrets(admin_client, everything, model):
    flow = AuthorizationRequest.objects.get()
    changelist = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert changelist.status_code == 200
    related = {
        "connections_connection": everything,
        "connections_clientcredentials": everything.client_credentials,
        "connections_tokenset": everything.tokens,
        "connections_authorizationrequest": flow,
        "events_event": everything.events.first(),
    }[model]
    change = admin_client.get(reverse(f"admin:{model}_change", args=[related.pk]))
    assert change.status_code == 200
    for page in (changelist.content.decode(), change.content.decode()):
        for secret in secrets_of(flow):
            assert secret not in page


def test_it_lists_connections_with_their_org(admin_client, everything):
    page = admin_client.get(reverse("admin:connections_connection_changelist")).content.decode()
    assert ORG_ID in page
    assert "Acme production" in page


def test_it_searches_by_org_id(admin_client, everything, connection_factory):
    connection_factory(connected=False, name="Other one")
    url = reverse("admin:connections_connection_changelist")
    page = admin_client.get(url, {"q": ORG_ID}).content.decode()
    assert "Acme production" in page and "Other one" not in page


def test_it_says_the_secret_is_set(admin_client, everything):
    url = reverse(
        "admin:connections_clientcredentials_change", args=[everything.client_credentials.pk]
    )
    assert '<div class="readonly">set</div>' in admin_client.get(url).content.decode()
