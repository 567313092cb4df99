"""force_refresh on a misconfigured connection tries one refresh (its refresh token is
fine): the admin may have fixed the app since the last keep-alive attempt."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.models import Connection, TokenSet
from tests.api.conftest import bearer
from tests.connections.helpers import (
    INSTANCE_URL,
    TOKEN_URL,
    add_token_error,
    add_token_response,
    make_connection,
)

Status = Connection.Status


@pytest.fixture
def misconfigured(team):
    connection = make_connection(team, status=Status.MISCONFIGURED)
    Connection.objects.filter(pk=connection.pk).update(
        status_reason="The IP address isn't allowed (step 4).",
        last_error_at=timezone.now() - timedelta(minutes=5),
    )
    TokenSet.objects.filter(connection=connection).update(
        updated=timezone.now() - timedelta(hours=1)
    )
    return connection


def post(api, raw, connection, body):
    url = reverse("api:access_token", args=[connection.code])
    return api.post(url, body, format="json", **bearer(raw))


def token_calls(rsps) -> int:
    return len([call for call in rsps.calls if call.request.url == TOKEN_URL])


def test_a_plain_call_still_gets_424(api, make_key, misconfigured, rsps):
    _, raw = make_key()
    response = post(api, raw, misconfigured, {})
    assert response.status_code == 424
    assert response.json()["code"] == "misconfigured"
    assert token_calls(rsps) == 0


def test_force_refresh_recovers_it(api, make_key, misconfigured, rsps):
    rsps.get(f"{INSTANCE_URL}/services/data/", status=503)
    add_token_response(rsps, access_token="AT-RECOVERED")
    _, raw = make_key()
    response = post(api, raw, misconfigured, {"force_refresh": True})
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"] == "AT-RECOVERED"
    assert body["refreshed"] is True
    assert token_calls(rsps) == 1
    misconfigured.refresh_from_db()
    assert misconfigured.status == Status.CONNECTED
    assert post(api, raw, misconfigured, {}).status_code == 200


def test_a_refused_refresh_keeps_it_misconfigured(api, make_key, misconfigured, rsps):
    add_token_error(rsps, "ip restricted", error="invalid_grant")
    _, raw = make_key()
    response = post(api, raw, misconfigured, {"force_refresh": True})
    assert response.status_code == 424
    assert token_calls(rsps) == 1


def test_the_cooldown_applies_after_a_failed_refresh(api, make_key, misconfigured, rsps):
    Connection.objects.filter(pk=misconfigured.pk).update(last_error_at=timezone.now())
    _, raw = make_key()
    response = post(api, raw, misconfigured, {"force_refresh": True})
    assert response.status_code == 424
    assert response.json()["code"] == "misconfigured"
    assert token_calls(rsps) == 0
