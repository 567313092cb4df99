"""POST /api/v1/connections/{id}/test: the page's Test connection, as JSON."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectionEvent
from tests.api.conftest import bearer
from tests.connections.helpers import INSTANCE_URL, make_connection

PROBE = f"{INSTANCE_URL}/services/data/"


@pytest.fixture
def fresh(team):
    now = timezone.now()
    return make_connection(team, last_used=now, issued_at=now - timedelta(minutes=1))


def run(api, raw, connection):
    return api.post(reverse("api:test", args=[connection.code]), **bearer(raw))


def test_it_reports_success(api, make_key, fresh, rsps):
    rsps.get(PROBE, json=[{"version": "64.0"}, {"version": "65.0"}])
    key, raw = make_key(scopes=["connections:read"])
    response = run(api, raw, fresh)
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "Salesforce answered (API versions 64.0 to 65.0).",
        "api_versions": ["64.0", "65.0"],
    }
    event = fresh.events.get(kind=ConnectionEvent.Kind.TESTED)
    assert "API key okk_" in event.message
    assert (event.actor, event.actor_key) == (None, key)
    assert event.actor_payload() == {
        "type": "api_key",
        "name": key.name,
        "identifier": key.identifier,
    }


def test_it_reports_a_refused_call(api, make_key, fresh, rsps):
    rsps.get(PROBE, status=403, json=[{"message": "API disabled", "errorCode": "API_DISABLED"}])
    _, raw = make_key()
    body = run(api, raw, fresh).json()
    assert body["ok"] is False
    assert "API_DISABLED" in body["message"]
    assert fresh.events.filter(kind=ConnectionEvent.Kind.TEST_FAILED).exists()


def test_a_disconnected_connection_is_not_connected(api, make_key, team):
    connection = make_connection(team, status="disconnected", tokens=False)
    _, raw = make_key()
    response = run(api, raw, connection)
    assert response.status_code == 409
    assert response.json()["code"] == "not_connected"


def test_an_unreachable_salesforce_is_a_503(api, make_key, fresh, rsps):
    rsps.get(PROBE, status=503)
    _, raw = make_key()
    response = run(api, raw, fresh)
    assert response.status_code == 503
    assert response.json()["code"] == "salesforce_unavailable"
    assert int(response["Retry-After"]) > 0
    assert fresh.events.filter(kind=ConnectionEvent.Kind.TEST_FAILED).exists()
