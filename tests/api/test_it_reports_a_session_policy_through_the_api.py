"""A fresh token Salesforce refuses (a session policy that blocks the API): no refresh loop
through /invalid or the proxy, and the proxy answers 424 misconfigured with the guidance."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from connections.models import Connection, TokenSet
from connections.providers.salesforce.errors import SESSION_POLICY_BLOCKS_API
from tests.api.conftest import bearer
from tests.api.helpers import content, proxy_url
from tests.connections.helpers import (
    INSTANCE_URL,
    INVALID_SESSION,
    TOKEN_URL,
    add_token_response,
    connect_emulator,
    make_connection,
)
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401

URL = f"{INSTANCE_URL}/services/data/v62.0/limits"
NOT_VALID = [
    {
        "message": "This session is not valid for use with the REST API",
        "errorCode": "INVALID_SESSION_ID",
    }
]


def token_calls(rsps) -> int:
    return len([call for call in rsps.calls if call.request.url == TOKEN_URL])


def minted(team, seconds_ago: int):
    now = timezone.now()
    connection = make_connection(team, last_used=now, issued_at=now - timedelta(seconds=1))
    TokenSet.objects.filter(connection=connection).update(
        issued_at=now - timedelta(seconds=seconds_ago), updated=now - timedelta(seconds=seconds_ago)
    )
    return connection


def test_invalid_on_a_token_minted_seconds_ago_refreshes_nothing(api, make_key, team, rsps):
    rsps.get(f"{INSTANCE_URL}/services/data/", json=[{"version": "65.0"}])
    add_token_response(rsps, access_token="AT-NEW")
    connection = minted(team, seconds_ago=5)
    _, raw = make_key()
    url = reverse("api:access_token_invalid", args=[connection.code])

    for _ in range(3):
        response = api.post(url, {"token_version": 1}, format="json", **bearer(raw))
        assert response.status_code == 200
        assert (response.json()["token_version"], response.json()["refreshed"]) == (1, False)

    assert token_calls(rsps) == 0


@pytest.mark.parametrize(("body", "status"), [(INVALID_SESSION, 401), (NOT_VALID, 424)])
def test_the_proxy_does_not_refresh_a_token_minted_seconds_ago(
    api, make_key, team, rsps, body, status
):
    rsps.get(URL, status=401, json=body)
    add_token_response(rsps, access_token="AT-NEW")
    connection = minted(team, seconds_ago=5)
    _, raw = make_key()

    for _ in range(3):
        response = api.get(proxy_url(connection, "data/v62.0/limits"), **bearer(raw))
        assert response.status_code == status

    assert token_calls(rsps) == 0
    assert len(rsps.calls) == 3


def test_a_refresh_that_is_still_refused_answers_misconfigured(
    api, make_key, team, rsps, public_urls
):
    rsps.get(URL, status=401, json=NOT_VALID)
    add_token_response(rsps, access_token="AT-NEW")
    connection = minted(team, seconds_ago=600)
    _, raw = make_key()

    response = api.get(proxy_url(connection, "data/v62.0/limits"), **bearer(raw))

    assert response.status_code == 424
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "misconfigured"
    assert problem["guidance"] == SESSION_POLICY_BLOCKS_API.reason
    assert problem["fix_url"].endswith(connection.get_absolute_url())
    assert token_calls(rsps) == 1
    assert len(rsps.calls) == 3  # 401, refresh, 401
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED


@pytest.mark.integration
def test_the_emulators_session_policy_gives_one_refresh_then_424(
    api,
    make_key,
    alice_client,
    team,
    public_urls,
    salesforce_emulator,  # noqa: F811
):
    connection, _ = connect_emulator(alice_client, team, salesforce_emulator)
    salesforce_emulator.demo_app.high_assurance_required = True
    _, raw = make_key()
    limits = proxy_url(connection, "data/v62.0/limits")
    invalid = reverse("api:access_token_invalid", args=[connection.code])

    assert api.get(limits, **bearer(raw)).status_code == 424  # token seconds old: no refresh
    body = api.post(invalid, {"token_version": 1}, format="json", **bearer(raw)).json()
    assert body["refreshed"] is False
    assert not salesforce_emulator.token_requests("refresh_token")

    long_ago = timezone.now() - timedelta(minutes=10)
    TokenSet.objects.filter(connection=connection).update(issued_at=long_ago, updated=long_ago)
    for _ in range(3):
        response = api.get(limits, **bearer(raw))
        assert response.status_code == 424
        assert response.json()["guidance"] == SESSION_POLICY_BLOCKS_API.reason
    assert len(salesforce_emulator.token_requests("refresh_token")) == 1
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert salesforce_emulator.is_refresh_token_live(TokenSet.objects.get().refresh_token)
    assert not mail.outbox

    salesforce_emulator.demo_app.high_assurance_required = False
    assert b"DailyApiRequests" in content(api.get(limits, **bearer(raw)))
