"""A database error while storing the tokens Salesforce just rotated doesn't lose them:
keepalive.refresh_connection writes them again from memory, on a fresh database connection,
with backoff, for up to token_writes.RETRY_FOR seconds; then it logs loudly (no secret) and
raises."""

import logging

import pytest
import responses
from django.db import OperationalError

from connections import keepalive, token_writes
from connections.models import Connection, TokenSet
from tests.connections.helpers import (
    CONSUMER_SECRET,
    add_token_response,
    failing_token_writes,
    make_connection,
)

NEW_ACCESS = "00D5g000004XmplEAC!AQ0AQFakeAccessTokenValue.ForTestsOnly_2"
NEW_REFRESH = "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA2"
OLD_REFRESH = "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA1"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(token_writes, "FIRST_WAIT", 0.01)
    monkeypatch.setattr(token_writes, "LONGEST_WAIT", 0.05)


def refresh_with_failing_writes(connection, failures: int):
    with responses.RequestsMock() as rsps, failing_token_writes(failures) as sent_on:
        add_token_response(rsps)
        result = keepalive.refresh_connection(connection.pk, force=True)
        assert len(rsps.calls) == 1  # the rotated token is never asked for twice
    return result, sent_on


def assert_stored_once(connection) -> None:
    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.access_token, tokens.refresh_token) == (NEW_ACCESS, NEW_REFRESH)
    assert tokens.generation == 2
    assert tokens.refresh_attempt_generation != tokens.generation  # the mark is retired
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert connection.events.filter(kind="refreshed").count() == 1


def assert_no_secret(caplog) -> None:
    for secret in (NEW_ACCESS, NEW_REFRESH, OLD_REFRESH, CONSUMER_SECRET):
        assert secret not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("failures", [1, 3])
def test_it_writes_the_tokens_again_after_database_errors(team, caplog, failures):
    connection = make_connection(team)
    result, sent_on = refresh_with_failing_writes(connection, failures)
    assert result.outcome == keepalive.Outcome.REFRESHED
    assert len(sent_on) == failures + 1
    assert_stored_once(connection)
    assert "writing them again" in caplog.text
    assert_no_secret(caplog)


@pytest.mark.django_db
def test_it_gives_up_loudly_and_raises_after_the_retry_window(team, caplog, monkeypatch):
    monkeypatch.setattr(token_writes, "RETRY_FOR", 0.3)
    connection = make_connection(team)
    with pytest.raises(OperationalError):
        refresh_with_failing_writes(connection, failures=1000)
    lost = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(lost) == 1 and f"connection {connection.pk} are LOST" in lost[0].getMessage()
    # The words operators alert on, as they were before providers existed.
    assert (
        lost[0]
        .getMessage()
        .endswith(
            "Salesforce has already replaced the stored refresh token; the connection will "
            "need a new sign-in."
        )
    )
    assert_no_secret(caplog)
    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.refresh_token, tokens.generation) == (OLD_REFRESH, 1)


@pytest.mark.django_db
def test_it_keeps_a_commit_whose_acknowledgement_was_lost(team):
    """If the first commit went through, writing again doesn't store the response twice."""
    connection = make_connection(team)
    with responses.RequestsMock() as rsps:
        add_token_response(rsps)
        assert keepalive.refresh_connection(connection.pk, force=True).generation == 2
    attempt = keepalive._Attempt(started_at=None)
    attempt.generation = 1
    attempt.grant = type("Grant", (), {"access_token": NEW_ACCESS})()
    request = keepalive._Request(connection.pk, False, None, None, None)
    result, _ = keepalive._store_again(request, attempt)
    assert (result.outcome, result.generation) == (keepalive.Outcome.REFRESHED, 2)
    assert_stored_once(connection)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_writes_again_on_a_fresh_postgresql_connection(team, caplog):
    connection = make_connection(team)
    result, sent_on = refresh_with_failing_writes(connection, failures=2)
    assert result.outcome == keepalive.Outcome.REFRESHED
    assert len({id(raw) for raw in sent_on}) == 3
    assert_stored_once(connection)
    assert_no_secret(caplog)


def test_lost_tokens_of_a_non_rotating_provider_are_worded_for_it():
    from connections import providers

    said = token_writes.consequence(providers.get("dynamics"))

    assert said.startswith("Microsoft Dynamics 365 keeps a replaced refresh token valid")
