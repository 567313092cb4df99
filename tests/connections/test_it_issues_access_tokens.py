"""keepalive.issue_access_token (the HTTP API's tokens) and RefreshResult.busy."""

from datetime import timedelta

import pytest
import responses
from django.db import OperationalError
from django.utils import timezone

from connections import keepalive
from tests.connections.helpers import add_token_response, make_connection

pytestmark = pytest.mark.django_db


def fresh(team):
    now = timezone.now()
    return make_connection(team, last_used=now, issued_at=now - timedelta(minutes=5))


def lock_busy(*args):
    raise OperationalError("canceling statement due to lock timeout")


@responses.activate
def test_a_lock_wait_that_runs_out_is_busy(team, monkeypatch):
    connection = fresh(team)
    monkeypatch.setattr(keepalive, "_lock", lock_busy)
    result = keepalive.refresh_connection(connection.pk, force=True)
    assert (result.outcome, result.kind, result.busy) == ("failed", "transient", True)
    with pytest.raises(keepalive.RefreshFailed) as failure:
        keepalive.issue_access_token(connection, rejected_generation=1)
    assert failure.value.result.busy
    assert not responses.calls


@responses.activate
def test_a_failed_refresh_is_not_busy(team):
    connection = fresh(team)
    responses.post("https://login.salesforce.com/services/oauth2/token", status=503)
    result = keepalive.refresh_connection(connection.pk, force=True)
    assert (result.outcome, result.busy) == ("failed", False)


@responses.activate
def test_min_ttl_decides_whether_to_refresh(team, settings):
    settings.ACCESS_TOKEN_LIFETIME = 3600
    connection = fresh(team)  # 55 minutes left
    add_token_response(responses, access_token="AT-NEW")
    kept = keepalive.issue_access_token(connection, min_ttl=3000)
    assert (kept.refreshed, kept.generation) == (False, 1)
    assert kept.expires_at == kept.issued_at + timedelta(seconds=3600)
    assert "AT-" not in repr(kept)
    renewed = keepalive.issue_access_token(connection, min_ttl=3400)
    assert (renewed.access_token, renewed.refreshed, renewed.generation) == ("AT-NEW", True, 2)


@responses.activate
def test_a_rejected_generation_refreshes_only_while_current(team):
    connection = fresh(team)
    add_token_response(responses, access_token="AT-NEW")
    assert keepalive.issue_access_token(connection, rejected_generation=1).refreshed
    again = keepalive.issue_access_token(connection, rejected_generation=1)
    assert (again.access_token, again.refreshed, again.generation) == ("AT-NEW", False, 2)
    assert len(responses.calls) == 1
