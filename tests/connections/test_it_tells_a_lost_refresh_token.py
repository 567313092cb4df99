"""keepalive.refresh_connection after an attempt whose answer was lost: the committed attempt
mark turns Salesforce's "expired access/refresh token" into "refresh token lost"."""

from datetime import timedelta

import pytest
import requests
import responses
from django.db import connection as db
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connections import keepalive
from connections.models import Connection, TokenSet
from connections.providers.salesforce.errors import REFRESH_TOKEN_LOST
from tests.connections.helpers import (
    ERRORS,
    TOKEN_URL,
    add_token_error,
    add_token_response,
    make_connection,
)

pytestmark = pytest.mark.django_db

EXPIRED = ERRORS["refresh_expired_or_revoked"]


def mark_as_if_a_killed_worker_had_posted(connection) -> None:
    """What a worker killed after its mark (and maybe its POST) leaves behind."""
    TokenSet.objects.filter(connection=connection).update(
        refresh_attempt_generation=1, refresh_started_at=timezone.now() - timedelta(minutes=5)
    )


def mark(connection) -> tuple[int | None, object]:
    tokens = TokenSet.objects.get(connection=connection)
    return tokens.refresh_attempt_generation, tokens.refresh_started_at


@responses.activate
def test_a_dropped_answer_then_expired_token_says_refresh_token_lost(team):
    connection = make_connection(team)
    # Salesforce rotated the token, then the connection dropped before the answer arrived.
    responses.post(TOKEN_URL, body=requests.ConnectionError("connection reset by peer"))

    first = keepalive.refresh_connection(connection.pk)

    assert first.retry
    assert mark(connection)[0] == 1  # kept: the token may have rotated

    responses.reset()
    add_token_error(responses, EXPIRED)
    second = keepalive.refresh_connection(connection.pk)

    assert second.kind == keepalive.ErrorKind.NEEDS_REAUTHORIZATION
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert connection.status_reason == REFRESH_TOKEN_LOST.reason
    assert connection.status_reason.startswith("Refresh token lost:")
    assert "lost between Salesforce and Orgkeeper" in connection.status_reason
    assert "Re-authorize" in connection.status_reason
    failed = connection.events.filter(kind="refresh_failed").first()
    assert failed.message.startswith("Needs re-authorization: Refresh token lost:")


def test_an_unreachable_salesforce_leaves_no_mark_so_a_later_revocation_is_plain(team, closed_port):
    """Before the fix, a refused connection kept the mark, and a token revoked later (or an
    emulator restarted) was reported as "refresh token lost"."""
    connection = make_connection(team)
    login_url = f"http://127.0.0.1:{closed_port}"
    Connection.objects.filter(pk=connection.pk).update(login_url=login_url)

    first = keepalive.refresh_connection(connection.pk)

    assert first.retry
    assert "the connection was refused" in first.message
    assert mark(connection) == (None, None)  # nothing was sent
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{login_url}/services/oauth2/token",
            status=400,
            json={"error": "invalid_grant", "error_description": EXPIRED},
        )
        keepalive.refresh_connection(connection.pk)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert "Refresh token lost" not in connection.status_reason
    assert "no longer accepts the refresh token" in connection.status_reason


@responses.activate
def test_a_killed_attempt_then_expired_token_says_refresh_token_lost(team):
    connection = make_connection(team)
    mark_as_if_a_killed_worker_had_posted(connection)
    add_token_error(responses, EXPIRED)

    keepalive.refresh_connection(connection.pk)

    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert connection.status_reason == REFRESH_TOKEN_LOST.reason


@responses.activate
def test_a_killed_attempt_that_never_posted_leaves_a_working_connection(team):
    connection = make_connection(team)
    mark_as_if_a_killed_worker_had_posted(connection)
    add_token_response(responses, refresh_token="RT-2")

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.REFRESHED
    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.generation, tokens.refresh_token) == (2, "RT-2")
    assert tokens.refresh_attempt_generation != tokens.generation  # the mark is retired


@responses.activate
def test_an_expired_token_without_an_earlier_attempt_is_a_plain_revocation(team):
    connection = make_connection(team)
    add_token_error(responses, EXPIRED)

    keepalive.refresh_connection(connection.pk)

    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert "Refresh token lost" not in connection.status_reason
    assert "no longer accepts the refresh token" in connection.status_reason
    assert mark(connection) == (None, None)


@responses.activate
def test_a_definite_answer_removes_the_mark(team):
    connection = make_connection(team)
    add_token_error(responses, ERRORS["refresh_concurrent"])  # answered: nothing rotated

    assert keepalive.refresh_connection(connection.pk).retry

    assert mark(connection) == (None, None)
    responses.reset()
    add_token_error(responses, EXPIRED)  # e.g. an admin revoked it meanwhile
    keepalive.refresh_connection(connection.pk)
    connection.refresh_from_db()
    assert "Refresh token lost" not in connection.status_reason


def test_a_skipped_refresh_removes_its_mark(team):
    connection = make_connection(team, last_used=timezone.now())  # not due

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.SKIPPED
    assert mark(connection) == (None, None)


@responses.activate
def test_a_skipped_refresh_keeps_an_earlier_attempts_mark(team):
    connection = make_connection(team)
    mark_as_if_a_killed_worker_had_posted(connection)

    keepalive.refresh_connection(connection.pk, if_generation=7)  # skipped: not generation 7

    assert mark(connection)[0] == 1


@responses.activate
def test_it_measures_the_window_between_the_answer_and_the_commit(team):
    connection = make_connection(team)
    add_token_response(responses)
    before = len(keepalive.commit_windows())

    with CaptureQueriesContext(db) as queries:
        assert keepalive.refresh_connection(connection.pk).outcome == keepalive.Outcome.REFRESHED

    # Mark, lock + read, UPDATE tokens, UPDATE connection, INSERT event (no savepoints).
    sql = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == 5, sql
    assert sql[0].startswith('UPDATE "connections_tokenset" SET "refresh_attempt_generation"')

    windows = keepalive.commit_windows()
    assert len(windows) == min(before + 1, 10_000)
    assert 0 <= windows[-1] < 1


@responses.activate
def test_it_marks_again_when_a_sibling_ran_between_its_mark_and_its_lock(team, monkeypatch):
    connection = make_connection(team)
    add_token_response(responses, refresh_token="RT-3")
    real_mark, calls = keepalive._mark_attempt, []

    def mark_then_a_sibling_stores_newer_tokens(connection_id, attempt):
        real_mark(connection_id, attempt)
        calls.append(attempt)
        if len(calls) == 1:
            TokenSet.objects.filter(connection=connection).update(generation=F("generation") + 1)

    monkeypatch.setattr(keepalive, "_mark_attempt", mark_then_a_sibling_stores_newer_tokens)
    result = keepalive.refresh_connection(connection.pk, force=True)

    assert result.outcome == keepalive.Outcome.REFRESHED
    assert len(calls) == 2
    assert len(responses.calls) == 1  # never POSTed without a mark for generation 2
    assert TokenSet.objects.get(connection=connection).generation == 3
