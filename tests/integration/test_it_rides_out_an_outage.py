"""A stretch of 503s from the token endpoint, then recovery: the worker retries with backoff,
the connection is never marked broken and nobody is emailed."""

import pytest

from connections import tasks
from connections.models import Connection, ConnectionEvent, TokenSet
from tests.celery_worker import wait_for
from tests.integration.helpers import connect

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

FAILURES = 3


def test_an_outage_is_retried_without_alarm(salesforce_emulator, worker, team, alice, bob):
    emu = salesforce_emulator
    connection = connect(emu, team)
    emu.fail_next(FAILURES, status=503)
    statuses = set()

    tasks.refresh_connection.apply_async((connection.pk,), {"force": True}, queue=worker.queue)

    def refreshed():
        statuses.add(Connection.objects.get(pk=connection.pk).status)
        return TokenSet.objects.filter(connection=connection, generation=2).exists()

    wait_for(refreshed, timeout=30, interval=0.05, what="the refresh after the outage")

    assert statuses == {"connected"}
    connection.refresh_from_db()
    assert (connection.status, connection.consecutive_failures) == ("connected", 0)
    assert connection.failing_since is None
    failures = connection.events.filter(kind=ConnectionEvent.Kind.REFRESH_FAILED)
    assert failures.count() == FAILURES
    requests = emu.token_requests()  # faulted requests carry no grant_type
    assert [r.status for r in requests] == [503] * FAILURES + [200]
    assert worker.emails() == []
