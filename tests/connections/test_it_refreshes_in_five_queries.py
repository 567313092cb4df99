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
from tests.providers.fake import provider as fake

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
def test_a_rotating_providers_mark_names_no_other_table(team):
    connection = make_connection(team)  # Salesforce, with Dynamics registered too
    add_token_response(responses)

    with CaptureQueriesContext(db) as queries:
        keepalive.refresh_connection(connection.pk)

    mark = statements(queries)[0]
    assert mark.startswith("UPDATE") and "refresh_attempt_generation" in mark, mark
    assert "SELECT" not in mark and "provider" not in mark, mark


@responses.activate
def test_a_wrong_memory_of_the_provider_still_marks_before_the_post(team):
    connection = make_connection(team)
    keepalive._providers_seen[connection.pk] = "dynamics"  # wrong: it is Salesforce's
    add_token_response(responses)

    with CaptureQueriesContext(db) as queries:
        result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.REFRESHED, result
    sql = statements(queries)
    marks = [i for i, q in enumerate(sql) if q.startswith("UPDATE") and "refresh_attempt" in q]
    # The first locked read finds no mark and lets go without a POST; the mark, then the
    # refresh (one POST).
    assert sql[0].startswith("SELECT") and len(marks) == 1 and marks[0] > 0, sql
    assert len(responses.calls) == 1


@pytest.fixture
def fake_provider(settings):
    settings.CONNECTION_PROVIDERS = ["tests.providers.fake"]
    yield fake
    settings.CONNECTION_PROVIDERS = []


def test_a_non_rotating_providers_refresh_sends_no_mark(team, fake_provider):
    connection = make_connection(team, refresh_token="fake-refresh-token-0")
    Connection.objects.filter(pk=connection.pk).update(provider="fake")
    fake_provider.refresh_tokens.add("fake-refresh-token-0")
    assert keepalive.refresh_connection(connection.pk, force=True).outcome == "refreshed"

    with CaptureQueriesContext(db) as queries:
        result = keepalive.refresh_connection(connection.pk, force=True)

    assert result.outcome == keepalive.Outcome.REFRESHED, result
    # Lock + read, UPDATE tokens, UPDATE connection, INSERT event: no attempt mark.
    assert len(statements(queries)) <= 4, [sql[:80] for sql in statements(queries)]
    assert not any(
        sql.startswith("UPDATE") and "refresh_attempt" in sql for sql in statements(queries)
    )


def test_the_api_path_knows_a_non_rotating_provider_before_its_first_refresh(team, fake_provider):
    connection = make_connection(team, refresh_token="fake-refresh-token-0")
    Connection.objects.filter(pk=connection.pk).update(provider="fake")
    connection.refresh_from_db()
    fake_provider.refresh_tokens.add("fake-refresh-token-0")

    with CaptureQueriesContext(db) as queries:
        issued = keepalive.issue_access_token(connection, min_ttl=10**9)  # too old: refresh

    assert issued.refreshed
    assert not any(
        sql.startswith("UPDATE") and "refresh_attempt" in sql for sql in statements(queries)
    )


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
