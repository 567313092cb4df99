"""Callers waiting for a sibling's refresh wait at most SALESFORCE_HTTP_TIMEOUT, then get
503 refresh_in_progress with Retry-After (RFC 9110 §10.2.3); the keep-alive keeps
the database's own, longer lock wait."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection as database
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from connections import keepalive
from connections.models import Connection, TokenSet
from tests.api.conftest import bearer
from tests.connections.helpers import TOKEN_URL, make_connection

BOUND = 1  # seconds: SALESFORCE_HTTP_TIMEOUT in these tests


def lock_wait() -> str:
    """The connection's bound on a lock wait: PostgreSQL's lock_timeout or SQLite's busy
    timeout, in milliseconds."""
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            cursor.execute("SELECT setting FROM pg_settings WHERE name = 'lock_timeout'")
        else:
            cursor.execute("PRAGMA busy_timeout")
        return str(cursor.fetchone()[0])


@pytest.fixture
def held(team):
    """A connection whose rows another transaction holds locked (a refresh in flight)."""
    connection = make_connection(team, last_used=timezone.now())
    long_ago = timezone.now() - timedelta(minutes=10)
    TokenSet.objects.filter(connection=connection).update(issued_at=long_ago, updated=long_ago)
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                Connection.objects.select_for_update().get(pk=connection.pk)
                TokenSet.objects.select_for_update().get(connection=connection)
                locked.set()
                release.wait(60)
        finally:
            database.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    yield connection
    release.set()
    holder.join(10)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_waiter_gets_refresh_in_progress_within_the_bound(api, make_key, held, rsps, settings):
    settings.SALESFORCE_HTTP_TIMEOUT = BOUND
    connection_default = lock_wait()
    _, raw = make_key()
    url = reverse("api:access_token_invalid", args=[held.code])

    started = time.monotonic()
    response = api.post(url, {"token_version": 1}, format="json", **bearer(raw))
    waited = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["code"] == "refresh_in_progress"
    assert int(response["Retry-After"]) > 0
    # Well under the connection's own lock_timeout (SALESFORCE_HTTP_TIMEOUT + 5 s at connect).
    assert waited < BOUND + 3
    assert not [call for call in rsps.calls if call.request.url == TOKEN_URL]
    assert lock_wait() == connection_default  # restored for the rest of the process


def test_the_bound_applies_only_inside_the_api_wait(db):
    before = lock_wait()

    with keepalive._lock_waits_bounded(BOUND):
        assert lock_wait() == "1000"

    assert lock_wait() == before != "1000"
