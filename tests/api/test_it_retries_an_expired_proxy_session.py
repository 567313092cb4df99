"""The proxy on 401 INVALID_SESSION_ID: one conditional refresh, one retry of a buffered body."""

import json

import pytest
import requests

from connections.models import TokenSet
from tests.api.conftest import bearer
from tests.api.helpers import (
    NEW_ACCESS_TOKEN,
    content,
    fresh_connection,
    proxy_url,
)
from tests.connections.helpers import (
    ACCESS_TOKEN,
    INSTANCE_URL,
    INVALID_SESSION,
    TOKEN_URL,
    add_token_error,
    add_token_response,
)

URL = f"{INSTANCE_URL}/services/data/v62.0/sobjects/Account/"
CREATED = {"id": "001000000000001AAA", "success": True, "errors": []}


@pytest.fixture
def fresh(team):
    return fresh_connection(team)


def authorizations(rsps) -> list[str]:
    return [c.request.headers["Authorization"] for c in rsps.calls if c.request.url == URL]


def token_calls(rsps) -> list:
    return [call for call in rsps.calls if call.request.url == TOKEN_URL]


def post(api, raw, connection, body=b'{"Name": "Acme"}'):
    return api.post(
        proxy_url(connection, "data/v62.0/sobjects/Account/"),
        body,
        content_type="application/json",
        **bearer(raw),
    )


def test_it_refreshes_once_and_retries_the_body(api, make_key, fresh, rsps):
    rsps.post(URL, status=401, json=INVALID_SESSION)
    rsps.post(URL, status=201, json=CREATED)
    add_token_response(rsps, access_token=NEW_ACCESS_TOKEN)
    _, raw = make_key()

    response = post(api, raw, fresh)

    assert response.status_code == 201
    assert json.loads(content(response)) == CREATED
    assert authorizations(rsps) == [f"Bearer {ACCESS_TOKEN}", f"Bearer {NEW_ACCESS_TOKEN}"]
    assert [c.request.body for c in rsps.calls if c.request.url == URL] == [b'{"Name": "Acme"}'] * 2
    assert len(token_calls(rsps)) == 1
    assert TokenSet.objects.get(connection=fresh).access_token == NEW_ACCESS_TOKEN


def test_a_second_401_comes_back_without_another_refresh(api, make_key, fresh, rsps):
    rsps.post(URL, status=401, json=INVALID_SESSION)
    add_token_response(rsps, access_token=NEW_ACCESS_TOKEN)
    _, raw = make_key()

    response = post(api, raw, fresh)

    assert response.status_code == 401
    assert json.loads(content(response)) == INVALID_SESSION
    assert len(authorizations(rsps)) == 2
    assert len(token_calls(rsps)) == 1


def test_a_newer_token_is_used_without_a_refresh(api, make_key, fresh, rsps):
    def replaced_meanwhile(request):
        TokenSet.objects.filter(connection=fresh).update(
            access_token=NEW_ACCESS_TOKEN, generation=5
        )
        return 401, {}, json.dumps(INVALID_SESSION)

    rsps.add_callback("POST", URL, callback=replaced_meanwhile)
    rsps.post(URL, status=201, json=CREATED)
    _, raw = make_key()

    response = post(api, raw, fresh)

    assert response.status_code == 201
    assert authorizations(rsps) == [f"Bearer {ACCESS_TOKEN}", f"Bearer {NEW_ACCESS_TOKEN}"]
    assert token_calls(rsps) == []


def test_a_body_over_the_limit_is_streamed_once(api, make_key, fresh, rsps, settings):
    settings.API_PROXY_MAX_BODY = 8
    rsps.post(URL, status=401, json=INVALID_SESSION)
    rsps.post(URL, status=201, json=CREATED)
    add_token_response(rsps, access_token=NEW_ACCESS_TOKEN)
    _, raw = make_key()

    response = post(api, raw, fresh)

    assert response.status_code == 401
    assert len(authorizations(rsps)) == 1
    [sent] = [c.request for c in rsps.calls if c.request.url == URL]
    assert sent.headers["Content-Length"] == "16"
    # The token was refreshed, so the caller's own retry works.
    assert len(token_calls(rsps)) == 1
    assert TokenSet.objects.get(connection=fresh).access_token == NEW_ACCESS_TOKEN


def test_a_body_over_the_limit_is_forwarded_whole(api, make_key, fresh, rsps, settings):
    settings.API_PROXY_MAX_BODY = 8
    rsps.post(URL, status=201, json=CREATED)
    _, raw = make_key()
    body = b'{"Description": "' + b"x" * 200_000 + b'"}'

    response = post(api, raw, fresh, body)

    assert response.status_code == 201
    sent = rsps.calls[0].request
    received = sent.body if isinstance(sent.body, bytes) else b"".join(sent.body)
    assert received == body


def test_another_401_is_not_a_reason_to_refresh(api, make_key, fresh, rsps):
    other = [{"message": "API is disabled for this user", "errorCode": "API_DISABLED_FOR_ORG"}]
    rsps.post(URL, status=401, json=other)
    _, raw = make_key()

    response = post(api, raw, fresh)

    assert response.status_code == 401
    assert json.loads(content(response)) == other
    assert token_calls(rsps) == []


def test_a_refresh_that_needs_reauthorization_is_a_problem(api, make_key, fresh, rsps):
    rsps.post(URL, status=401, json=INVALID_SESSION)
    add_token_error(rsps, "expired access/refresh token")
    _, raw = make_key()

    response = post(api, raw, fresh)

    problem = response.json()
    assert response.status_code == 424
    assert response["Content-Type"] == "application/problem+json"
    assert problem["code"] == "needs_reauthorization"
    assert problem["reauthorize_url"].endswith(f"/connections/{fresh.code}/credentials/")
    assert "5Aep861" not in response.content.decode()


def test_a_refresh_that_fails_closes_the_first_answer(api, make_key, fresh, rsps, monkeypatch):
    rsps.post(URL, status=401, json=INVALID_SESSION)
    add_token_error(rsps, "expired access/refresh token")
    closed = []
    close = requests.Response.close
    monkeypatch.setattr(
        requests.Response, "close", lambda response: closed.append(response.url) or close(response)
    )
    _, raw = make_key()

    response = post(api, raw, fresh)

    assert response.status_code == 424
    assert response.json()["code"] == "needs_reauthorization"
    assert URL in closed
