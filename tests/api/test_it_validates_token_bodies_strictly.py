"""Access-token request bodies: unknown fields, non-boolean flags and non-integer numbers are
refused with 400 validation_error naming the field, and nothing is refreshed."""

import pytest
from django.urls import reverse

from tests.api.conftest import bearer
from tests.connections.helpers import TOKEN_URL


def post(api, raw, name, connection, body):
    url = reverse(name, args=[connection.code])
    return api.post(url, body, format="json", **bearer(raw))


def refused(response, field: str) -> bool:
    body = response.json()
    return (
        response.status_code == 400
        and body["code"] == "validation_error"
        and field in body["errors"]
        and field in body["detail"]
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"min_ttl_second": 3000}, "min_ttl_second"),
        ({"foo": 1}, "foo"),
        ({"force_refresh": "yes"}, "force_refresh"),
        ({"force_refresh": 1}, "force_refresh"),
        ({"force_refresh": "true"}, "force_refresh"),
        ({"force_refresh": None}, "force_refresh"),
        ({"min_ttl_seconds": "300"}, "min_ttl_seconds"),
        ({"min_ttl_seconds": 300.0}, "min_ttl_seconds"),
        ({"min_ttl_seconds": 300.5}, "min_ttl_seconds"),
        ({"min_ttl_seconds": True}, "min_ttl_seconds"),
        ({"min_ttl_seconds": -1}, "min_ttl_seconds"),
    ],
)
def test_access_token_refuses(api, make_key, connection, rsps, body, field):
    _, raw = make_key()
    response = post(api, raw, "api:access_token", connection, body)
    assert refused(response, field)
    assert not [call for call in rsps.calls if call.request.url == TOKEN_URL]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token_version": 1, "extra": 1}, "extra"),
        ({"token_version": "1"}, "token_version"),
        ({"token_version": 1.0}, "token_version"),
        ({"token_version": True}, "token_version"),
        ({"token_version": 2**63}, "token_version"),
    ],
)
def test_invalid_refuses(api, make_key, connection, rsps, body, field):
    _, raw = make_key()
    response = post(api, raw, "api:access_token_invalid", connection, body)
    assert refused(response, field)
    assert not [call for call in rsps.calls if call.request.url == TOKEN_URL]


@pytest.mark.parametrize("body", [[], [1], "x", 0])
def test_a_body_that_is_not_an_object_is_refused(api, make_key, connection, body):
    _, raw = make_key()
    response = post(api, raw, "api:access_token", connection, body)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("body", [[], "", 0, False])
def test_access_token_refuses_a_body_that_isnt_an_object(api, make_key, connection, rsps, body):
    # Only no body or an empty object takes the defaults (the view skips the serializer then).
    _, raw = make_key()
    response = post(api, raw, "api:access_token", connection, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] in {"validation_error", "parse_error"}
    assert not [call for call in rsps.calls if call.request.url == TOKEN_URL]


@pytest.mark.parametrize("body", [None, {}])
def test_access_token_takes_the_defaults_without_a_body(api, make_key, connection, body):
    _, raw = make_key()
    url = reverse("api:access_token", args=[connection.code])
    response = api.post(url, body, format="json", **bearer(raw))
    assert response.status_code == 200, response.content
    assert response.json()["refreshed"] is False
