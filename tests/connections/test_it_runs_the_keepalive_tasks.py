"""connections.tasks: the beat kickoff and the per-connection refresh task (called directly)."""

from datetime import timedelta
from unittest import mock

import pytest
import responses
from celery.exceptions import Retry
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from connections import tasks
from connections.models import Connection
from tests.connections.helpers import (
    TOKEN_URL,
    add_token_error,
    add_token_response,
    make_connection,
)

pytestmark = pytest.mark.django_db

Status = Connection.Status


@pytest.fixture
def enqueued():
    with (
        mock.patch.object(tasks.refresh_connection, "apply_async") as refresh,
        mock.patch.object(tasks.notify_connection, "apply_async") as notify,
    ):
        yield refresh, notify


def test_the_beat_schedule_runs_the_kickoff_every_sweep_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["keepalive-kickoff"]
    assert entry["task"] == tasks.keepalive_kickoff.name == "connections.tasks.keepalive_kickoff"
    assert entry["schedule"] == settings.KEEPALIVE_SWEEP_INTERVAL == 15 * 60


def test_the_tasks_are_acks_late():
    assert tasks.refresh_connection.acks_late and tasks.keepalive_kickoff.acks_late


def test_kickoff_enqueues_only_due_connections_and_claims_them(team, enqueued):
    now = timezone.now()
    due = make_connection(team, "due", next_refresh_at=now - timedelta(minutes=1))
    misconfigured = make_connection(
        team, "misconfigured", Status.MISCONFIGURED, next_refresh_at=now - timedelta(minutes=1)
    )
    make_connection(team, "later", next_refresh_at=now + timedelta(hours=1))
    make_connection(team, "unscheduled", next_refresh_at=None)
    for status in (Status.NEEDS_REAUTHORIZATION, Status.DISCONNECTED, Status.DRAFT):
        make_connection(team, status, status, next_refresh_at=now - timedelta(days=1))

    tasks.keepalive_kickoff()

    refresh, _ = enqueued
    assert sorted(call.args[0][0] for call in refresh.call_args_list) == sorted(
        [due.pk, misconfigured.pk]
    )
    due.refresh_from_db()
    assert due.next_refresh_at >= now + timedelta(minutes=59)  # claimed

    refresh.reset_mock()
    tasks.keepalive_kickoff()  # the next sweep doesn't enqueue them again
    assert refresh.call_count == 0


@pytest.mark.parametrize("count", [3, 30])
def test_kickoff_query_count_does_not_grow(team, enqueued, django_assert_num_queries, count):
    past = timezone.now() - timedelta(minutes=5)
    for n in range(count):
        make_connection(team, f"org {n}", last_used=timezone.now(), next_refresh_at=past)

    # SAVEPOINT + SELECT due + UPDATE claim + RELEASE, SELECT owed alerts, UPDATE removing
    # expired sign-ins' secrets, SELECT expired sign-ins (none, so no DELETE), UPDATE the
    # heartbeat and SELECT it (stall email owed?).
    with django_assert_num_queries(9):
        tasks.keepalive_kickoff()

    assert enqueued[0].call_count == count


def test_kickoff_enqueues_alert_checks(team, enqueued):
    make_connection(team, "broken", Status.NEEDS_REAUTHORIZATION)
    make_connection(team, "healthy", last_used=timezone.now())

    tasks.keepalive_kickoff()

    assert enqueued[1].call_count == 1


def test_kickoff_refuses_invalid_settings(settings, enqueued):
    settings.KEEPALIVE_INTERVAL = settings.REFRESH_TOKEN_IDLE_TTL // 2
    with pytest.raises(ImproperlyConfigured, match="KEEPALIVE_INTERVAL"):
        tasks.keepalive_kickoff()


@responses.activate
def test_refresh_task_refreshes(team):
    connection = make_connection(team)
    add_token_response(responses)

    assert tasks.refresh_connection(connection.pk) == "refreshed"


@responses.activate
def test_refresh_task_is_idempotent(team):
    connection = make_connection(team)
    add_token_response(responses)

    tasks.refresh_connection(connection.pk)
    assert tasks.refresh_connection(connection.pk) == "skipped"  # redelivered
    assert len(responses.calls) == 1


@responses.activate
def test_refresh_task_retries_transient_failures(team):
    connection = make_connection(team)
    responses.post(TOKEN_URL, status=503)

    with pytest.raises(Retry):
        tasks.refresh_connection(connection.pk)


@responses.activate
def test_refresh_task_does_not_retry_permanent_failures(team):
    connection = make_connection(team)
    add_token_error(responses, "expired access/refresh token")

    assert tasks.refresh_connection(connection.pk) == "failed"
    connection.refresh_from_db()
    assert connection.status == Status.NEEDS_REAUTHORIZATION


@responses.activate
def test_refresh_task_gives_up_after_max_retries(team):
    connection = make_connection(team)
    responses.post(TOKEN_URL, status=503)
    tasks.refresh_connection.push_request(retries=tasks.refresh_connection.max_retries)
    try:
        assert tasks.refresh_connection.run(connection.pk) == "failed"
    finally:
        tasks.refresh_connection.pop_request()
    connection.refresh_from_db()
    assert connection.status == Status.CONNECTED
    assert connection.next_refresh_at > timezone.now()  # the sweep tries again later
