"""A key's "last used" is written at most once a minute, never on every request."""

from datetime import timedelta

import time_machine
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import bearer

URL = reverse("api:connections")


def updates_of_keys(queries) -> int:
    return len([q for q in queries if q["sql"].startswith('UPDATE "api_apikey"')])


def test_it_writes_last_used_once_a_minute(api, make_key):
    key, raw = make_key()
    start = timezone.now()
    with time_machine.travel(start, tick=False), CaptureQueriesContext(db) as queries:
        for _ in range(3):
            assert api.get(URL, **bearer(raw)).status_code == 200
    assert updates_of_keys(queries) == 1
    key.refresh_from_db()
    assert key.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        api.get(URL, **bearer(raw))
    key.refresh_from_db()
    assert key.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api.get(URL, **bearer(raw))
    key.refresh_from_db()
    assert key.last_used_at == start + timedelta(seconds=61)


def test_the_page_shows_when_a_key_was_last_used(api, make_key, alice_client, team):
    key, raw = make_key()
    page = alice_client.get(reverse("api:keys", args=[team.slug])).content.decode()
    assert "never" in page
    api.get(URL, **bearer(raw))
    key.refresh_from_db()
    page = alice_client.get(reverse("api:keys", args=[team.slug])).content.decode()
    assert key.last_used_at.strftime("%-d %b %Y") in page
