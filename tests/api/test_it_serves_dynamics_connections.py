"""The API for a Dynamics 365 connection (connected through the Entra emulator over real
HTTP): provider "dynamics", the environment URL, the Web API base, a real expires_at, and the
proxy under api/data/ only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import TokenSet
from tests.api.conftest import bearer
from tests.emulators.entra.fixtures import entra_emulator  # noqa: F401
from tests.providers.dynamics.conftest import dynamics_settings  # noqa: F401
from tests.providers.dynamics.helpers import connect

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("public_urls", "dynamics_settings"),
]


@pytest.fixture
def dynamics(alice_client, team, entra_emulator):  # noqa: F811
    connection, response = connect(alice_client, team, entra_emulator)
    assert response.status_code == 302
    connection.refresh_from_db()
    return connection


def test_it_issues_a_dataverse_token(api, make_key, dynamics, entra_emulator):  # noqa: F811
    _, raw = make_key()
    listed = api.get("/api/v1/connections/", **bearer(raw)).json()["results"]
    assert [item["provider"] for item in listed] == ["dynamics"]
    token = api.post(f"/api/v1/connections/{dynamics.code}/access-token", **bearer(raw)).json()
    environment = entra_emulator.environment_url("orgkeeper-demo")
    assert token["instance_url"] == environment
    assert token["api_base_url"] == f"{environment}/api/data/v9.2"
    assert token["expires_at_source"] == "provider"
    assert token["org_id"] == dynamics.organization_id
    assert token["username"] == entra_emulator.demo_user.username


def test_it_proxies_the_web_api(api, make_key, dynamics):
    _, raw = make_key()
    answer = api.get(
        f"/api/v1/connections/{dynamics.code}/proxy/api/data/v9.2/accounts",
        {"$top": "3", "$select": "name"},
        **bearer(raw),
    )
    assert answer.status_code == 200, answer.content
    names = [row["name"] for row in answer.json()["value"]]
    assert names[0] == "Orgkeeper Demo Account 01" and len(names) == 3
    me = api.get(f"/api/v1/connections/{dynamics.code}/proxy/api/data/v9.2/WhoAmI", **bearer(raw))
    assert me.json()["OrganizationId"] == dynamics.organization_id


def test_it_keeps_each_provider_under_its_own_prefix(api, make_key, dynamics, connection):
    _, raw = make_key()
    wrong = api.get(
        f"/api/v1/connections/{dynamics.code}/proxy/services/data/v65.0/query", **bearer(raw)
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_path"
    assert "api/data/" in wrong.json()["detail"]
    salesforce = api.get(
        f"/api/v1/connections/{connection.code}/proxy/api/data/v9.2/WhoAmI", **bearer(raw)
    )
    assert salesforce.status_code == 400
    assert "services/" in salesforce.json()["detail"]


def test_it_tests_a_dynamics_connection(api, make_key, dynamics):
    _, raw = make_key()
    result = api.post(f"/api/v1/connections/{dynamics.code}/test", **bearer(raw)).json()
    assert result["ok"] is True
    assert "Dataverse answered WhoAmI" in result["message"]
    assert result["api_versions"] == ["9.2"]


def test_it_refreshes_once_when_dataverse_refuses_an_expired_token(
    api,
    make_key,
    dynamics,
    entra_emulator,  # noqa: F811
):
    """Dataverse answers 401 (empty body, WWW-Authenticate) to a token that expired on its
    clock: the proxy refreshes once and retries."""
    _, raw = make_key()
    entra_emulator.advance(seconds=2 * 3600)  # the access token is dead at the emulator
    # Minted long ago as far as Orgkeeper knows (a token under 30 s old isn't refreshed again),
    # yet not expired by its expires_in: only Dataverse's 401 says it is dead.
    TokenSet.objects.filter(connection=dynamics).update(
        issued_at=timezone.now() - timedelta(minutes=10)
    )
    refreshes = len(entra_emulator.refresh_log())
    answer = api.get(
        f"/api/v1/connections/{dynamics.code}/proxy/api/data/v9.2/WhoAmI", **bearer(raw)
    )
    assert answer.status_code == 200, answer.content
    assert len(entra_emulator.refresh_log()) == refreshes + 1


def test_the_schema_says_what_api_versions_holds_for_each_provider(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert "Dynamics 365: the Web API version" in schema.content.decode()
