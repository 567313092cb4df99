"""The stampede, over real HTTP on PostgreSQL: 50 workers that saw the same 401 report the same
token_version at once, or ask for a token that went stale; the emulator sees exactly one token
request and every worker gets the new token."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from api.models import APIKey
from connections.models import TokenSet
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401
from tests.integration.helpers import connect

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

WORKERS = 50


def stampede(url: str, raw: str, body: dict) -> list[dict]:
    def call(_):
        with requests.Session() as session:
            return session.post(
                url, json=body, headers={"Authorization": f"Bearer {raw}"}, timeout=60
            )

    with ThreadPoolExecutor(WORKERS) as pool:
        responses = list(pool.map(call, range(WORKERS)))
    assert [r.status_code for r in responses] == [200] * WORKERS, {
        r.status_code: r.text for r in responses
    }
    return [r.json() for r in responses]


def assert_one_refresh(emu, before: int, bodies: list[dict], version: int, connection) -> None:
    assert len(emu.token_requests(grant_type="refresh_token")) - before == 1
    assert {body["token_version"] for body in bodies} == {version + 1}
    assert len({body["access_token"] for body in bodies}) == 1
    assert [body["refreshed"] for body in bodies].count(True) == 1
    assert TokenSet.objects.get(connection=connection).generation == version + 1


@pytest.fixture
def setup(live_server, salesforce_emulator, team, alice):  # noqa: F811
    """(emulator, connection, its token version, a key, the key's API URL of the connection)"""
    emu = salesforce_emulator
    emu.token_processing_seconds = 0.3  # the refresh is still running when the others arrive
    connection = connect(emu, team)
    version = TokenSet.objects.get(connection=connection).generation
    _, raw = APIKey.create(team, "Workers", [APIKey.Scope.TOKENS_ISSUE], created_by=alice)
    base = f"{live_server.url}/api/v1/connections/{connection.code}"
    return emu, connection, version, raw, base


def test_fifty_invalid_reports_cause_one_token_request(setup):
    emu, connection, version, raw, base = setup
    # Older than the 30 s within which a refused token is not refreshed again.
    old = timezone.now() - timedelta(minutes=5)
    TokenSet.objects.filter(connection=connection).update(issued_at=old, updated=old)
    before = len(emu.token_requests(grant_type="refresh_token"))
    bodies = stampede(f"{base}/access-token/invalid", raw, {"token_version": version})
    assert_one_refresh(emu, before, bodies, version, connection)


def test_fifty_requests_for_a_stale_token_cause_one_token_request(setup):
    emu, connection, version, raw, base = setup
    long_ago = timezone.now() - timedelta(hours=3)
    TokenSet.objects.filter(connection=connection).update(issued_at=long_ago, updated=long_ago)
    before = len(emu.token_requests(grant_type="refresh_token"))
    bodies = stampede(f"{base}/access-token", raw, {"min_ttl_seconds": 300})
    assert_one_refresh(emu, before, bodies, version, connection)
