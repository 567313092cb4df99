"""Refresh attempts by outcome class and their duration, as /metrics reports them (this
process's counters; tests/monitoring/test_it_counts_across_worker_processes.py covers a real
worker)."""

import pytest
import requests
import responses
from django.utils import timezone

from connections import keepalive
from connections.errors import ErrorKind
from connections.models import TokenSet
from connections.providers.salesforce.errors import REFRESH_TOKEN_LOST
from monitoring.metrics import outcome_class
from tests.connections.helpers import (
    ERRORS,
    TOKEN_URL,
    add_token_error,
    add_token_response,
    make_connection,
)
from tests.monitoring.helpers import TOKEN, increase, scrape, value

pytestmark = pytest.mark.django_db

COUNTER = "orgkeeper_keepalive_refreshes_total"
DURATION_COUNT = "orgkeeper_keepalive_refresh_duration_seconds_count"


@pytest.fixture
def read(client, settings):
    """The outcome counts and duration-sample counts now, as /metrics reports them."""
    settings.METRICS_TOKEN = TOKEN

    def counts() -> dict[str, tuple[float, float]]:
        text = scrape(client)
        return {
            outcome: (
                value(text, COUNTER, outcome=outcome),
                value(text, DURATION_COUNT, outcome=outcome),
            )
            for outcome in (
                "success",
                "transient",
                "needs_reauthorization",
                "misconfigured",
                "lost",
            )
        }

    return counts


@responses.activate
def test_each_outcome_class_is_counted_and_timed(team, read):
    before = read()
    success = make_connection(team, "success")
    add_token_response(responses)
    keepalive.refresh_connection(success.pk)

    responses.reset()
    transient = make_connection(team, "transient")
    responses.post(TOKEN_URL, status=503, body="Service Unavailable")
    keepalive.refresh_connection(transient.pk)

    responses.reset()
    revoked = make_connection(team, "revoked")
    add_token_error(responses, ERRORS["refresh_expired_or_revoked"])
    keepalive.refresh_connection(revoked.pk)

    responses.reset()
    misconfigured = make_connection(team, "misconfigured")
    add_token_error(responses, "invalid client credentials", error="invalid_client")
    keepalive.refresh_connection(misconfigured.pk)

    responses.reset()
    lost = make_connection(team, "lost")
    responses.post(TOKEN_URL, body=requests.ConnectionError("reset by peer"))
    keepalive.refresh_connection(lost.pk)  # transient; the token may have rotated
    responses.reset()
    add_token_error(responses, ERRORS["refresh_expired_or_revoked"])
    keepalive.refresh_connection(lost.pk)

    after = read()
    assert increase(before, after) == {
        "success": 1,
        "transient": 2,
        "needs_reauthorization": 1,
        "misconfigured": 1,
        "lost": 1,
    }
    for outcome, (count, timed) in after.items():
        assert timed - before[outcome][1] == count - before[outcome][0]


@responses.activate
def test_a_skipped_refresh_is_not_an_attempt(team, read):
    connection = make_connection(team, last_used=timezone.now())  # refreshed moments ago
    before = read()

    result = keepalive.refresh_connection(connection.pk)

    assert result.outcome == keepalive.Outcome.SKIPPED
    assert not responses.calls
    assert increase(before, read()) == {}
    assert TokenSet.objects.get(connection=connection).generation == 1


def test_lost_is_the_classifications_flag_not_words_in_the_message():
    Failed, R = keepalive.Outcome.FAILED, ErrorKind.NEEDS_REAUTHORIZATION
    lost = keepalive.RefreshResult(Failed, "Needs re-authorization: gone", R, lost=True)
    # A reason that merely quotes the words (another provider's, say) is a plain revocation.
    quoted = keepalive.RefreshResult(Failed, f"Quoted: {REFRESH_TOKEN_LOST.reason}", R)

    assert (outcome_class(lost), outcome_class(quoted)) == ("lost", "needs_reauthorization")
    assert REFRESH_TOKEN_LOST.lost
