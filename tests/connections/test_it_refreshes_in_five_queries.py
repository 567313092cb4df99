"""Query counts of the keep-alive hot paths, which the benchmark (benchmarks/, issue 7) runs at
10,000 connections: a sweep refresh and the kickoff's claim."""

from datetime import timedelta

import pytest
import responses
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connections import keepalive
from connections.models import Connection
from tests.connections.helpers import add_token_response, make_connection

pytestmark = pytest.mark.django_db


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The captured SQL without the savepoints the test's own transaction adds."""
    return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


@responses.activate
def test_it_refreshes_in_at_most_five_queries(team):
    connection = make_connection(team)
    add_token_response(responses)

    with CaptureQueriesContext(db) as queries:
        result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.REFRESHED
    # The committed attempt mark, lock + read (connection, tokens, app), UPDATE tokens,
    # UPDATE connection, INSERT event (PostgreSQL's lock_timeout is set at connect time).
    assert len(statements(queries)) <= 5, [sql[:80] for sql in statements(queries)]


@responses.activate
def test_it_still_checks_alerts_after_a_refresh_when_one_is_on_record(team):
    connection = make_connection(team)
    Connection.objects.filter(pk=connection.pk).update(alerted_for="expiring")
    add_token_response(responses)

    keepalive.refresh_connection(connection.pk)

    connection.refresh_from_db()
    assert connection.alerted_for == ""  # the recovery was announced


def test_it_claims_a_full_sweep_batch_in_two_queries(team):
    due = timezone.now() - timedelta(minutes=1)
    Connection.objects.bulk_create(
        Connection(team=team, name=f"Org {i}", status="connected", next_refresh_at=due)
        for i in range(1200)
    )

    with CaptureQueriesContext(db) as queries:
        ids = keepalive.claim_due_connections()

    assert len(ids) == 1200
    assert len(statements(queries)) == 2  # one SELECT ... FOR UPDATE SKIP LOCKED, one UPDATE
    assert not keepalive.due_connections().exists()
