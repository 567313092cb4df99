"""POST /api/v1/connections/{id}/access-token/invalid: refresh once per rejected version."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import bearer
from tests.connections.helpers import (
    INSTANCE_URL,
    TOKEN_URL,
    add_token_response,
    make_connection,
)


@pytest.fixture
def fresh(team, rsps):
    rsps.get(f"{INSTANCE_URL}/services/data/", json=[{"version": "65.0"}])
    now = timezone.now()
    return make_connection(team, last_used=now, issued_at=now - timedelta(minutes=1))


def invalid(api, raw, connection, body):
    url = reverse("api:access_token_invalid", args=[connection.code])
    return api.post(url, body, format="json", **bearer(raw))


def token_calls(rsps) -> int:
    return len([call for call in rsps.calls if call.request.url == TOKEN_URL])


def test_the_current_version_is_refreshed_once(api, make_key, fresh, rsps):
    add_token_response(rsps, access_token="AT-NEW")
    _, raw = make_key()
    first = invalid(api, raw, fresh, {"token_version": 1})
    second = invalid(api, raw, fresh, {"token_version": 1})
    assert first.status_code == second.status_code == 200
    assert first["Cache-Control"] == "no-store"
    assert (first.json()["token_version"], first.json()["refreshed"]) == (2, True)
    assert second.json()["access_token"] == "AT-NEW"
    assert (second.json()["token_version"], second.json()["refreshed"]) == (2, False)
    assert token_calls(rsps) == 1


def test_a_newer_token_comes_back_at_once(api, make_key, fresh, rsps):
    _, raw = make_key()
    body = invalid(api, raw, fresh, {"token_version": 0}).json()
    assert (body["token_version"], body["refreshed"]) == (1, False)
    assert token_calls(rsps) == 0


@pytest.mark.parametrize("body", [{}, {"token_version": "x"}, {"token_version": -1}])
def test_it_needs_a_token_version(api, make_key, fresh, body):
    _, raw = make_key()
    response = invalid(api, raw, fresh, body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_it_refuses_a_body_that_is_not_json(api, make_key, fresh):
    _, raw = make_key()
    url = reverse("api:access_token_invalid", args=[fresh.code])
    response = api.post(url, "{", content_type="application/json", **bearer(raw))
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    form = api.post(url, {"token_version": 1}, **bearer(raw))
    assert form.status_code == 415
    assert form.json()["code"] == "unsupported_media_type"
