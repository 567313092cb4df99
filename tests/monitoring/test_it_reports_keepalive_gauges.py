"""The gauges /metrics reads from the database: connections by provider and status, the
last sweep's age, the backlog and the soonest idle deadline."""

from datetime import timedelta

import pytest
import time_machine

from connections.models import Connection
from tests.connections.helpers import make_connection
from tests.monitoring.helpers import TOKEN, scrape, value

pytestmark = pytest.mark.django_db

Status = Connection.Status


@pytest.fixture
def metrics(client, settings):
    settings.METRICS_TOKEN = TOKEN
    return lambda: scrape(client)


def test_it_counts_connections_by_provider_and_status(team, metrics):
    make_connection(team, "a")
    make_connection(team, "b")
    make_connection(team, "c", status=Status.NEEDS_REAUTHORIZATION)

    text = metrics()

    def connections(status):
        return value(text, "orgkeeper_connections", provider="salesforce", status=status)

    assert connections(Status.CONNECTED) == 2
    assert connections(Status.NEEDS_REAUTHORIZATION) == 1
    assert connections(Status.MISCONFIGURED) == 0  # every status has a sample


def test_it_reports_the_age_of_the_last_sweep(swept, metrics):
    with time_machine.travel(swept + timedelta(minutes=20), tick=False):
        text = metrics()
    assert value(text, "orgkeeper_keepalive_last_sweep_age_seconds") == 1200
    assert value(text, "orgkeeper_keepalive_sweep_interval_seconds") == 900


def test_it_reports_the_backlog(swept, team, metrics):
    now = swept + timedelta(minutes=1)
    make_connection(team, "due", next_refresh_at=now - timedelta(minutes=3))
    make_connection(team, "later", next_refresh_at=now + timedelta(hours=3))
    make_connection(
        team, "dead", Status.NEEDS_REAUTHORIZATION, next_refresh_at=now - timedelta(days=1)
    )
    with time_machine.travel(now, tick=False):
        assert value(metrics(), "orgkeeper_keepalive_backlog_connections") == 1


def test_it_reports_the_soonest_idle_deadline_of_connected_connections(team, metrics, settings):
    now = make_connection(team, "fresh").created
    oldest = now - timedelta(days=20)
    make_connection(team, "idle", last_used=oldest)
    make_connection(team, "dead", Status.NEEDS_REAUTHORIZATION, last_used=now - timedelta(days=29))

    deadline = value(metrics(), "orgkeeper_connections_idle_deadline_soonest_timestamp_seconds")

    assert deadline == oldest.timestamp() + settings.REFRESH_TOKEN_IDLE_TTL


def test_without_connected_connections_there_is_no_idle_deadline(team, metrics):
    make_connection(team, "dead", Status.NEEDS_REAUTHORIZATION)
    text = metrics()
    assert "# TYPE orgkeeper_connections_idle_deadline_soonest_timestamp_seconds gauge" in text
    assert value(text, "orgkeeper_connections_idle_deadline_soonest_timestamp_seconds") is None


def _on(provider: str, connection: Connection) -> Connection:
    Connection.objects.filter(pk=connection.pk).update(provider=provider)
    return connection


def test_it_labels_each_connection_with_its_own_provider(team, metrics):
    make_connection(team, "a")
    _on("dynamics", make_connection(team, "b"))
    _on("dynamics", make_connection(team, "c", status=Status.MISCONFIGURED))

    text = metrics()

    assert value(text, "orgkeeper_connections", provider="salesforce", status="connected") == 1
    assert value(text, "orgkeeper_connections", provider="dynamics", status="connected") == 1
    assert value(text, "orgkeeper_connections", provider="dynamics", status="misconfigured") == 1
    assert value(text, "orgkeeper_connections", provider="salesforce", status="misconfigured") == 0


def test_the_soonest_idle_deadline_uses_each_providers_ttl(team, metrics, settings):
    settings.REFRESH_TOKEN_IDLE_TTL = 30 * 86400
    now = make_connection(team, "fresh").created
    salesforce_used = now - timedelta(days=20)
    make_connection(team, "salesforce", last_used=salesforce_used)
    # Dynamics' refresh tokens live 90 days unused: 40 days idle is 50 days from its deadline.
    _on("dynamics", make_connection(team, "dynamics", last_used=now - timedelta(days=40)))

    deadline = value(metrics(), "orgkeeper_connections_idle_deadline_soonest_timestamp_seconds")

    assert deadline == salesforce_used.timestamp() + 30 * 86400
