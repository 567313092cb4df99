"""50 refreshes of one connection from a 4-process Celery worker plus threads in this process:
Salesforce (the emulator) sees exactly one token request per stored rotation and never a
concurrent one, and the connection still works afterwards."""

import threading
import time

import pytest
from django.db import connections

from connections import keepalive, tasks
from connections.models import ConnectionEvent, TokenSet
from connections.providers.salesforce import client as salesforce
from tests.celery_worker import wait_for
from tests.integration.helpers import connect

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

TASKS = 50
THREADS = 4
THREAD_REFRESHES = 3


def test_concurrent_refreshes_are_single_flight(salesforce_emulator, worker, team):
    emu = salesforce_emulator
    emu.token_processing_seconds = 0.02
    connection = connect(emu, team)

    for _ in range(TASKS):
        tasks.refresh_connection.apply_async((connection.pk,), {"force": True}, queue=worker.queue)

    outcomes, errors = [], []

    def hammer():
        try:
            for _ in range(THREAD_REFRESHES):
                outcomes.append(keepalive.refresh_connection(connection.pk, force=True).outcome)
                # A caller that saw generation g stale: refreshes only if g is still current.
                seen = TokenSet.objects.get(connection=connection).generation
                result = keepalive.refresh_connection(connection.pk, if_generation=seen)
                outcomes.append(result.outcome)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert set(outcomes) <= {"refreshed", "skipped"}, outcomes

    # Each forced task refreshes exactly once; the threads counted their own refreshes.
    expected = 1 + TASKS + outcomes.count("refreshed")
    wait_for(
        lambda: TokenSet.objects.get(connection=connection).generation >= expected,
        timeout=45,
        what=f"generation {expected}",
    )
    time.sleep(0.5)  # nothing more may arrive

    tokens = TokenSet.objects.get(connection=connection)
    assert tokens.generation == expected
    refreshes = emu.token_requests(grant_type="refresh_token")
    assert len(refreshes) == tokens.generation - 1
    assert {record.status for record in refreshes} == {200}
    assert not [r for r in refreshes if "already being processed" in (r.error_description or "")]
    connection.refresh_from_db()
    assert (connection.status, connection.consecutive_failures) == ("connected", 0)
    failures = connection.events.filter(kind=ConnectionEvent.Kind.REFRESH_FAILED)
    assert not failures.exists(), list(failures.values_list("message", flat=True))

    # The stored refresh token is the live one, and the API works with the stored tokens.
    assert emu.is_refresh_token_live(tokens.refresh_token)
    assert keepalive.call_api(connection, salesforce.api_probe)
    assert keepalive.refresh_connection(connection.pk, force=True).outcome == "refreshed"
