"""The isolation matrix: every API endpoint by every way a request may not use a connection,
for a Salesforce and a Dynamics 365 connection. Nothing reaches a provider (``rsps`` has
nothing registered and must see no call)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api.models import APIKey
from tests.api.conftest import bearer

Scope = APIKey.Scope

# (method, URL name, the scope it needs): every API endpoint.
ENDPOINTS = [
    ("get", "api:connection", Scope.CONNECTIONS_READ),
    ("post", "api:access_token", Scope.TOKENS_ISSUE),
    ("post", "api:access_token_invalid", Scope.TOKENS_ISSUE),
    ("post", "api:test", Scope.CONNECTIONS_READ),
    ("get", "api:proxy", Scope.PROXY),
    ("post", "api:proxy", Scope.PROXY),
    ("get", "api:proxy_dataverse", Scope.PROXY),
]
IDS = [f"{method} {name}" for method, name, _ in ENDPOINTS]
# The same, plus the list, for what depends on the key alone (the list answers a key that
# may not see a connection with fewer rows, not 404: see the tests at the end).
EVERY = [*ENDPOINTS, ("get", "api:connections", Scope.CONNECTIONS_READ)]
EVERY_IDS = [f"{method} {name}" for method, name, _ in EVERY]


def url_of(name: str, connection) -> str:
    if name == "api:connections":
        return reverse(name)
    paths = {"api:proxy": "data/v65.0/", "api:proxy_dataverse": "v9.2/WhoAmI"}
    args = [connection.code, paths[name]] if name in paths else [connection.code]
    return reverse(name, args=args)


def call(api, method, name, connection, **headers):
    body = {"token_version": 1} if name == "api:access_token_invalid" else {}
    return getattr(api, method)(url_of(name, connection), body, format="json", **headers)


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["title"]
    assert body["detail"]


@pytest.fixture(params=["salesforce", "dynamics"])
def connection(request, connection_factory):
    """A connected connection of each provider: the matrix holds for both."""
    if request.param == "dynamics":
        return connection_factory(provider="dynamics", instance_url=DATAVERSE)
    return connection_factory()


DATAVERSE = "https://contoso.crm.dynamics.com"


@pytest.fixture(autouse=True)
def _no_salesforce(rsps):
    yield
    assert not rsps.calls


@pytest.mark.parametrize(("method", "name", "scope"), EVERY, ids=EVERY_IDS)
def test_no_key(api, connection, method, name, scope):
    response = call(api, method, name, connection)
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "name", "scope"), EVERY, ids=EVERY_IDS)
@pytest.mark.parametrize(
    "header",
    [
        "Bearer okk_" + "x" * 43,
        "Bearer not-a-key",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer okk_a okk_b",
    ],
)
def test_wrong_key(api, connection, make_key, method, name, scope, header):
    make_key()
    response = call(api, method, name, connection, HTTP_AUTHORIZATION=header)
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="orgkeeper"'


@pytest.mark.parametrize(("method", "name", "scope"), EVERY, ids=EVERY_IDS)
def test_revoked_key(api, connection, make_key, method, name, scope):
    key, raw = make_key()
    key.revoke()
    assert_problem(call(api, method, name, connection, **bearer(raw)), 401, "unauthenticated")


@pytest.mark.parametrize(("method", "name", "scope"), EVERY, ids=EVERY_IDS)
def test_expired_key(api, connection, make_key, method, name, scope):
    _, raw = make_key(expires_at=timezone.now() + timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = call(api, method, name, connection, **bearer(raw))
    assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize(("method", "name", "scope"), ENDPOINTS, ids=IDS)
def test_other_teams_key(api, connection, make_key, other_team, method, name, scope):
    _, raw = make_key(key_team=other_team)
    response = call(api, method, name, connection, **bearer(raw))
    assert_problem(response, 404, "connection_not_found")


@pytest.mark.parametrize(("method", "name", "scope"), EVERY, ids=EVERY_IDS)
def test_key_without_the_scope(api, connection, make_key, method, name, scope):
    _, raw = make_key(scopes=[other for other in Scope.values if other != scope])
    response = call(api, method, name, connection, **bearer(raw))
    assert_problem(response, 403, "insufficient_scope")
    assert response.json()["required_scope"] == scope


@pytest.mark.parametrize(("method", "name", "scope"), ENDPOINTS, ids=IDS)
def test_key_restricted_to_other_connections(
    api, connection, connection_factory, make_key, method, name, scope
):
    other = connection_factory(name="Other")
    _, raw = make_key(connections=[other])
    response = call(api, method, name, connection, **bearer(raw))
    assert_problem(response, 404, "connection_not_found")


@pytest.mark.parametrize(("method", "name", "scope"), ENDPOINTS, ids=IDS)
def test_key_whose_connections_were_all_deleted(
    api, connection, connection_factory, make_key, method, name, scope
):
    other = connection_factory(name="Other", connected=False)
    _, raw = make_key(connections=[other])
    other.delete()
    response = call(api, method, name, connection, **bearer(raw))
    assert_problem(response, 404, "connection_not_found")


@pytest.mark.parametrize(("method", "name", "scope"), ENDPOINTS, ids=IDS)
def test_unknown_and_malformed_ids(api, make_key, method, name, scope):
    _, raw = make_key()
    for connection_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        path = reverse(
            name,
            args=[connection_id, "data/"] if name.startswith("api:proxy") else [connection_id],
        )
        response = getattr(api, method)(path, {}, format="json", **bearer(raw))
        assert_problem(response, 404, "connection_not_found")


@pytest.mark.parametrize(("method", "name", "scope"), EVERY, ids=EVERY_IDS)
def test_session_cookies_are_refused(alice, connection, method, name, scope):
    """A signed-in browser can't use the API, so the API has no CSRF surface."""
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = call(browser, method, name, connection)
    assert_problem(response, 401, "unauthenticated")


def test_the_list_shows_nothing_of_other_teams(api, connection, make_key, other_team):
    _, raw = make_key(key_team=other_team)
    response = api.get(reverse("api:connections"), **bearer(raw))
    assert response.json()["results"] == []


def test_the_list_shows_nothing_outside_the_keys_restriction(
    api, connection, connection_factory, make_key
):
    other = connection_factory(name="Other")
    _, raw = make_key(connections=[other])
    response = api.get(reverse("api:connections"), **bearer(raw))
    assert [row["id"] for row in response.json()["results"]] == [str(other.code)]


def test_the_list_refuses_a_signed_in_browser(alice_client):
    assert_problem(alice_client.get(reverse("api:connections")), 401, "unauthenticated")
