"""POST /api/v1/connections/{id}/access-token: the fields, min_ttl_seconds, force_refresh."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api.versions import FALLBACK_VERSION
from connections.models import TokenSet
from tests.api.conftest import bearer
from tests.connections.helpers import (
    INSTANCE_URL,
    TOKEN_URL,
    add_token_error,
    add_token_response,
    make_connection,
)

VERSIONS_URL = f"{INSTANCE_URL}/services/data/"
VERSIONS = [{"label": "Winter '26", "url": "/services/data/v65.0", "version": "65.0"}]


@pytest.fixture
def fresh(team):
    now = timezone.now()
    return make_connection(team, last_used=now, issued_at=now - timedelta(minutes=10))


def url(connection) -> str:
    return reverse("api:access_token", args=[connection.code])


def post(api, raw, connection, body=None):
    return api.post(url(connection), body or {}, format="json", **bearer(raw))


def test_it_returns_the_stored_token(api, make_key, fresh, rsps, settings):
    settings.ACCESS_TOKEN_LIFETIME = 3600
    rsps.get(VERSIONS_URL, json=VERSIONS)
    _, raw = make_key()
    response = post(api, raw, fresh)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    tokens = TokenSet.objects.get(connection=fresh)
    assert body["access_token"] == tokens.access_token
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == INSTANCE_URL
    assert body["api_base_url"] == f"{INSTANCE_URL}/services/data/v65.0"
    assert body["org_id"] == fresh.organization_id
    assert {"user_id", "username", "issued_at"} <= set(body)
    assert body["expires_at_source"] == "estimate"
    expires_at = tokens.issued_at + timedelta(seconds=3600)
    assert body["expires_at"] == expires_at.isoformat().replace("+00:00", "Z")
    assert body["token_version"] == tokens.generation
    assert body["refreshed"] is False
    assert not [call for call in rsps.calls if call.request.url == TOKEN_URL]


def test_it_falls_back_to_a_version_every_org_serves(api, make_key, fresh, rsps):
    rsps.get(VERSIONS_URL, status=503)
    _, raw = make_key()
    body = post(api, raw, fresh).json()
    assert body["api_base_url"] == f"{INSTANCE_URL}/services/data/v{FALLBACK_VERSION}"


def test_it_refreshes_a_token_that_would_not_live_min_ttl(api, make_key, fresh, rsps, settings):
    settings.ACCESS_TOKEN_LIFETIME = 3600
    rsps.get(VERSIONS_URL, json=VERSIONS)
    add_token_response(rsps, access_token="AT-NEW")
    _, raw = make_key()
    assert post(api, raw, fresh, {"min_ttl_seconds": 300}).json()["refreshed"] is False

    body = post(api, raw, fresh, {"min_ttl_seconds": 3000}).json()
    assert body["access_token"] == "AT-NEW"
    assert body["refreshed"] is True
    assert body["token_version"] == 2


def test_it_refuses_a_min_ttl_no_token_can_meet(api, make_key, fresh, settings):
    settings.ACCESS_TOKEN_LIFETIME = 3600
    _, raw = make_key()
    response = post(api, raw, fresh, {"min_ttl_seconds": 3600})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "min_ttl_seconds" in response.json()["errors"]


def test_a_force_refresh_within_30_seconds_returns_the_current_token(api, make_key, fresh, rsps):
    rsps.get(VERSIONS_URL, json=VERSIONS)
    add_token_response(rsps, access_token="AT-NEW")
    _, raw = make_key()
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        first = post(api, raw, fresh, {"force_refresh": True}).json()
        second = post(api, raw, fresh, {"force_refresh": True}).json()
    assert (first["refreshed"], first["token_version"]) == (True, 2)
    assert (second["refreshed"], second["token_version"]) == (False, 2)
    assert len([call for call in rsps.calls if call.request.url == TOKEN_URL]) == 1


def test_a_revoked_refresh_token_answers_needs_reauthorization(api, make_key, fresh, rsps):
    add_token_error(rsps, "expired access/refresh token")
    _, raw = make_key()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = post(api, raw, fresh)
    assert response.status_code == 424
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "needs_reauthorization"
    assert body["reauthorize_url"].endswith(
        reverse("connections:credentials", args=[fresh.team.slug, fresh.code])
    )


def test_an_outage_answers_salesforce_unavailable(api, make_key, fresh, rsps):
    rsps.post(TOKEN_URL, status=503)
    _, raw = make_key()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = post(api, raw, fresh)
    assert response.status_code == 503
    assert response.json()["code"] == "salesforce_unavailable"
    assert int(response["Retry-After"]) > 0


def test_a_wrong_consumer_secret_answers_misconfigured(api, make_key, fresh, rsps):
    rsps.post(TOKEN_URL, status=400, json={"error": "invalid_client"})
    _, raw = make_key()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = post(api, raw, fresh)
    assert response.status_code == 424
    body = response.json()
    assert body["code"] == "misconfigured"
    assert body["setup_step"] == 7
    assert "consumer secret" in body["guidance"]
    assert body["fix_url"].endswith(fresh.get_absolute_url())


@pytest.mark.parametrize("status", ["draft", "pending_authorization", "disconnected"])
def test_a_connection_without_tokens_answers_not_connected(api, make_key, team, status):
    connection = make_connection(team, status=status, tokens=False)
    _, raw = make_key()
    response = post(api, raw, connection)
    assert response.status_code == 409
    assert response.json()["code"] == "not_connected"


def test_a_busy_refresh_answers_refresh_in_progress(api, make_key, fresh, monkeypatch):
    from connections import keepalive

    def busy(connection_id, **kwargs):
        return keepalive.RefreshResult(
            keepalive.Outcome.FAILED, "busy", keepalive.ErrorKind.TRANSIENT, busy=True
        )

    monkeypatch.setattr(keepalive, "refresh_connection", busy)
    _, raw = make_key()
    response = post(api, raw, fresh, {"min_ttl_seconds": 3500})
    assert response.status_code == 503
    assert response.json()["code"] == "refresh_in_progress"
    assert response["Retry-After"] == "2"


def test_a_fresh_token_costs_two_queries(api, make_key, fresh, rsps, django_assert_num_queries):
    """The key, then the connection with its tokens: no query more per request."""
    rsps.get(VERSIONS_URL, json=VERSIONS)
    _, raw = make_key()
    post(api, raw, fresh)  # the first use writes "last used"
    with django_assert_num_queries(2):
        assert post(api, raw, fresh).json()["refreshed"] is False
