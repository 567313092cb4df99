"""A provider added as one package (tests/providers/fake/) and registered through the
CONNECTION_PROVIDERS setting: a connection signs in, refreshes, tests and disconnects through
it with no change to the core, and the core follows its policies (no attempt mark without
rotation, the access token's expiry from the token response, no revoke)."""

import pytest
from django.utils import timezone

from connections import keepalive, oauth, providers
from connections.models import AuthorizationRequest, Connection, TokenSet
from tests.providers.fake import LIFETIME, ORGANIZATION_ID
from tests.providers.fake import provider as fake


@pytest.fixture
def registered(settings):
    settings.CONNECTION_PROVIDERS = ["tests.providers.fake"]
    fake.calls.clear()
    yield fake
    settings.CONNECTION_PROVIDERS = []


def connect(team, user) -> Connection:
    connection = Connection(team=team, name="Fake org", provider="fake", created_by=user)
    connection.save()
    oauth.start(connection, user, "127.0.0.1:8881", "fake-client-id", "fake-client-secret")
    flow = AuthorizationRequest.objects.get(connection=connection)
    assert flow.claim()
    oauth.complete_authorization(flow, {"code": "fake-code", "state": flow.state})
    connection.refresh_from_db()
    return connection


@pytest.mark.django_db
def test_the_registry_lists_a_provider_package_named_in_the_setting(registered):
    assert providers.get("fake") is registered
    assert ("fake", "Fake ID") in providers.choices()
    assert ("salesforce", "Salesforce") in providers.choices()


@pytest.mark.django_db
def test_a_new_provider_connects_and_refreshes(registered, team, alice):
    connection = connect(team, alice)
    assert (connection.status, connection.organization_id) == ("connected", ORGANIZATION_ID)
    assert connection.login_url == "https://login.fake.example/default"
    tokens = TokenSet.objects.get(connection=connection)
    assert tokens.provider_data == {"tenant": ORGANIZATION_ID}
    assert tokens.expires_at - tokens.issued_at == LIFETIME

    result = keepalive.refresh_connection(connection.pk, force=True)

    assert result.outcome == keepalive.Outcome.REFRESHED, result
    tokens = TokenSet.objects.select_related("connection").get(connection=connection)
    assert (tokens.refresh_token, tokens.generation) == ("fake-refresh-token-2", 2)
    # No rotation: no attempt mark was committed before the refresh.
    assert (tokens.refresh_attempt_generation, tokens.refresh_started_at) == (None, None)
    assert keepalive.access_token_expires_at(tokens) == tokens.expires_at
    assert tokens.refresh_token_expires_at > timezone.now() + LIFETIME * 1000
    assert registered.calls == [("exchange_code", "fake-client-id"), ("refresh", "fake-client-id")]


@pytest.mark.django_db
def test_a_new_provider_tests_and_disconnects_without_a_revoke(registered, team, alice):
    connection = connect(team, alice)
    assert keepalive.call_api(connection, registered.probe) == {"ok": True}
    assert oauth.disconnect(connection, alice) is False  # nothing to revoke per token
    assert not TokenSet.objects.filter(connection=connection).exists()


@pytest.mark.django_db
def test_a_refused_refresh_is_classified_by_the_core_defaults(registered, team, alice):
    connection = connect(team, alice)
    TokenSet.objects.filter(connection=connection).update(refresh_token="revoked-elsewhere")
    result = keepalive.refresh_connection(connection.pk, force=True)
    assert (result.outcome, result.kind) == (keepalive.Outcome.FAILED, "needs_reauthorization")
    assert "Fake ID refused the refresh token" in result.message
