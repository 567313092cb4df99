"""/readyz: 200 while the database, the broker and the keep-alive are fine; 503 naming what
is wrong otherwise."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine

from connections.models import Connection
from monitoring.models import KeepaliveHeartbeat
from tests.connections.helpers import make_connection

pytestmark = pytest.mark.django_db

THREE_INTERVALS = timedelta(minutes=45)


def test_it_is_ready_when_everything_is_fine(client, swept):
    with time_machine.travel(swept + timedelta(minutes=10)):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "keepalive": "ok",
        "backlog": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_it_is_ready_until_three_sweep_intervals_have_passed(client, swept):
    with time_machine.travel(swept + THREE_INTERVALS):
        assert client.get("/readyz").status_code == 200


def test_it_fails_when_beat_has_not_swept_in_time(client, swept):
    with time_machine.travel(swept + THREE_INTERVALS + timedelta(seconds=1)):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["keepalive"].startswith("stalled: no keep-alive sweep completed for 45 minutes")
    assert "(limit 45 minutes)" in body["keepalive"]
    assert body["database"] == body["broker"] == body["backlog"] == "ok"


def test_the_limit_follows_the_sweep_interval(client, swept, settings):
    settings.KEEPALIVE_SWEEP_INTERVAL = 3600
    with time_machine.travel(swept + timedelta(hours=2)):
        assert client.get("/readyz").status_code == 200
    with time_machine.travel(swept + timedelta(hours=3, seconds=1)):
        assert client.get("/readyz").status_code == 503


def test_a_new_installation_has_three_intervals_before_its_first_sweep(client, settings):
    settings.KEEPALIVE_SWEEP_INTERVAL = 900
    installed = KeepaliveHeartbeat.load().created
    with time_machine.travel(installed + timedelta(minutes=44)):
        assert client.get("/readyz").status_code == 200
    with time_machine.travel(installed + timedelta(minutes=46)):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "since installation" in response.json()["keepalive"]


def test_it_fails_when_a_connection_is_over_the_backlog_limit(client, swept, team):
    now = swept + timedelta(minutes=5)
    # The limit: one sweep interval (15 minutes) + 1 hour past next_refresh_at.
    make_connection(team, "Within", next_refresh_at=now - timedelta(minutes=74))
    with time_machine.travel(now):
        assert client.get("/readyz").status_code == 200

    make_connection(team, "Over", next_refresh_at=now - timedelta(minutes=76))
    with time_machine.travel(now):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["backlog"].startswith("behind: 1 connection(s) more than 75 minutes")
    assert response.json()["keepalive"] == "ok"


def test_the_backlog_ignores_connections_the_keepalive_does_not_refresh(client, swept, team):
    now = swept + timedelta(minutes=5)
    make_connection(
        team,
        status=Connection.Status.NEEDS_REAUTHORIZATION,
        next_refresh_at=now - timedelta(days=3),
    )
    with time_machine.travel(now):
        assert client.get("/readyz").status_code == 200


def test_it_fails_naming_the_broker_when_it_is_down(client, swept, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with time_machine.travel(swept + timedelta(minutes=1)):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "broker": "down",
        "keepalive": "ok",
        "backlog": "ok",
    }


def test_it_fails_naming_the_database_when_it_is_down(client, swept):
    with (
        time_machine.travel(swept + timedelta(minutes=1)),
        mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=OSError),
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "down",
        "broker": "ok",
        "keepalive": "unknown: the database is down",
        "backlog": "unknown: the database is down",
    }
