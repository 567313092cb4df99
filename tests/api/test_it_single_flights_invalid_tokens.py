"""The stampede: 50 workers that saw the same 401 report the same token_version at once, over
real HTTP on PostgreSQL; the emulator sees exactly one token request and every worker gets
the new token."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from api.models import APIKey
from connections.models import TokenSet
from tests.integration.emulated import connect
from tests.salesforce_emulator.fixtures import salesforce_emulator  # noqa: F401

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

WORKERS = 50


def test_fifty_invalid_reports_cause_one_token_request(
    live_server,
    salesforce_emulator,  # noqa: F811
    team,
    alice,
):
    emu = salesforce_emulator
    emu.token_processing_seconds = 0.3  # the refresh is still running when the others arrive
    connection = connect(emu, team)
    version = TokenSet.objects.get(connection=connection).generation
    _, raw = APIKey.create(team, "Workers", [APIKey.Scope.TOKENS_ISSUE], created_by=alice)
    url = f"{live_server.url}/api/v1/connections/{connection.code}/access-token/invalid"
    before = len(emu.token_requests(grant_type="refresh_token"))

    def report(_):
        with requests.Session() as session:
            return session.post(
                url,
                json={"token_version": version},
                headers={"Authorization": f"Bearer {raw}"},
                timeout=60,
            )

    with ThreadPoolExecutor(WORKERS) as pool:
        responses = list(pool.map(report, range(WORKERS)))

    assert [r.status_code for r in responses] == [200] * WORKERS, {
        r.status_code: r.text for r in responses
    }
    bodies = [r.json() for r in responses]
    assert len(emu.token_requests(grant_type="refresh_token")) - before == 1
    assert {body["token_version"] for body in bodies} == {version + 1}
    assert len({body["access_token"] for body in bodies}) == 1
    assert [body["refreshed"] for body in bodies].count(True) == 1
    assert TokenSet.objects.get(connection=connection).generation == version + 1
