"""The connection API over real HTTP: a live Orgkeeper (pytest-django's live_server) and the
Salesforce emulator. Another program fetches a token and runs SOQL directly, through the proxy,
and with simple-salesforce, recovering from an expired session through /invalid."""

from datetime import timedelta
from urllib.parse import quote

import pytest
import requests
from django.utils import timezone
from simple_salesforce import Salesforce, SalesforceExpiredSession

from api.models import APIKey
from connections.models import TokenSet
from tests.emulators.salesforce.plain_http import plain_http_session
from tests.integration.helpers import connect

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

SOQL = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 3"
ACCOUNTS = ["Account 01", "Account 02", "Account 03"]


@pytest.fixture
def orgkeeper(live_server, salesforce_emulator, team, alice):
    """(API base URL of the connection, headers with a key that has every scope)."""
    connection = connect(salesforce_emulator, team)
    _, raw = APIKey.create(team, "ETL job", APIKey.Scope.values, created_by=alice)
    base = f"{live_server.url}/api/v1/connections/{connection.code}"
    return base, {"Authorization": f"Bearer {raw}"}


def expire_sessions(emu) -> None:
    """Move the emulator's clock past the session timeout, through its control API, and age
    the stored token as much (a token refused within 30 s of being minted isn't refreshed)."""
    seconds = emu.demo_app.session_timeout + 1
    minted = timezone.now() - timedelta(seconds=seconds)
    TokenSet.objects.update(issued_at=minted, updated=minted)
    response = requests.post(
        f"{emu.base_url}/_emulator/advance", json={"seconds": seconds}, timeout=10
    )
    response.raise_for_status()


def token(orgkeeper) -> dict:
    base, headers = orgkeeper
    response = requests.post(f"{base}/access-token", json={}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def names(result: dict) -> list[str]:
    return [record["Name"] for record in result["records"]]


def test_a_token_from_the_api_queries_salesforce_directly(orgkeeper, salesforce_emulator):
    issued = token(orgkeeper)

    response = requests.get(
        f"{issued['api_base_url']}/query",
        params={"q": SOQL},
        headers={"Authorization": f"Bearer {issued['access_token']}"},
        timeout=10,
    )

    assert issued["instance_url"] == salesforce_emulator.base_url
    assert issued["api_base_url"] == f"{salesforce_emulator.base_url}/services/data/v65.0"
    assert response.status_code == 200
    assert names(response.json()) == ACCOUNTS


def test_the_proxy_runs_the_same_query(orgkeeper, salesforce_emulator):
    base, headers = orgkeeper

    response = requests.get(
        f"{base}/proxy/services/data/v65.0/query?q={quote(SOQL)}", headers=headers, timeout=10
    )

    assert response.status_code == 200
    assert names(response.json()) == ACCOUNTS
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")
    [call] = [r for r in salesforce_emulator.requests if r.path == "/services/data/v65.0/query"]
    assert call.status == 200


def test_the_proxy_passes_salesforce_errors_through(orgkeeper):
    base, headers = orgkeeper

    response = requests.get(
        f"{base}/proxy/services/data/v65.0/query?q=SELECT+Id+FORM+Account",
        headers=headers,
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_the_proxy_refreshes_an_expired_session_once(orgkeeper, salesforce_emulator):
    base, headers = orgkeeper
    before = token(orgkeeper)
    expire_sessions(salesforce_emulator)

    response = requests.get(
        f"{base}/proxy/services/data/v65.0/query?q={quote(SOQL)}", headers=headers, timeout=10
    )

    assert response.status_code == 200
    assert names(response.json()) == ACCOUNTS
    assert len(salesforce_emulator.token_requests(grant_type="refresh_token")) == 1
    assert token(orgkeeper)["token_version"] == before["token_version"] + 1


def test_simple_salesforce_recovers_through_invalid(orgkeeper, salesforce_emulator):
    base, headers = orgkeeper
    issued = token(orgkeeper)

    def client(issued: dict) -> Salesforce:
        return Salesforce(
            instance_url=issued["instance_url"],
            session_id=issued["access_token"],
            version="65.0",
            session=plain_http_session(issued["instance_url"]),
        )

    assert names(client(issued).query(SOQL)) == ACCOUNTS
    expire_sessions(salesforce_emulator)
    with pytest.raises(SalesforceExpiredSession):
        client(issued).query(SOQL)

    response = requests.post(
        f"{base}/access-token/invalid",
        json={"token_version": issued["token_version"]},
        headers=headers,
        timeout=10,
    )
    renewed = response.json()

    assert response.status_code == 200
    assert renewed["refreshed"] is True
    assert renewed["token_version"] == issued["token_version"] + 1
    assert names(client(renewed).query(SOQL)) == ACCOUNTS
    assert len(salesforce_emulator.token_requests(grant_type="refresh_token")) == 1
