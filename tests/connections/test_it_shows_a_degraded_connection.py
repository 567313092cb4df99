"""A connected connection failing transiently for more than a day shows as
"Connected — degraded" on the list and detail pages, with the last error and failure count."""

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connections import keepalive
from connections.models import Connection
from tests.connections.helpers import url

pytestmark = pytest.mark.usefixtures("public_urls")

DEGRADED = '<span class="badge degraded">Connected — degraded</span>'
LAST_ERROR = "Salesforce answered HTTP 503."


def failing(connection: Connection, hours: int, **fields) -> Connection:
    Connection.objects.filter(pk=connection.pk).update(
        failing_since=timezone.now() - timedelta(hours=hours),
        consecutive_failures=7,
        last_error=LAST_ERROR,
        **fields,
    )
    connection.refresh_from_db()
    return connection


@pytest.fixture
def list_url(team):
    return reverse("connections:list", args=[team.slug])


def test_the_model_says_when_it_is_degraded(connection):
    assert not connection.is_degraded
    assert not failing(connection, 23).is_degraded
    assert failing(connection, 25).is_degraded
    assert keepalive.is_degraded(connection)


def test_only_a_connected_connection_is_degraded(connection):
    misconfigured = failing(connection, 48, status=Connection.Status.MISCONFIGURED)
    assert not misconfigured.is_degraded
    assert not keepalive.is_degraded(misconfigured)


def test_the_list_shows_degraded_connections(alice_client, list_url, connection):
    failing(connection, 25)
    page = alice_client.get(list_url).content.decode()
    assert DEGRADED in page
    assert f"7 failed refreshes in a row: {LAST_ERROR}" in page


def test_the_list_shows_a_recent_failure_as_connected(alice_client, list_url, connection):
    failing(connection, 2)
    page = alice_client.get(list_url).content.decode()
    assert '<span class="badge connected">Connected</span>' in page
    assert "degraded" not in page.split("<tbody>")[1]


def test_the_list_needs_no_query_per_row(alice_client, list_url, connection_factory):
    def queries_for_the_list() -> int:
        with CaptureQueriesContext(db_connection) as context:
            page = alice_client.get(list_url).content.decode()
        assert page.count(DEGRADED) == Connection.objects.count()
        return len(context)

    failing(connection_factory(name="org 0"), 25)
    one_row = queries_for_the_list()
    for n in range(1, 5):
        failing(connection_factory(name=f"org {n}"), 25)
    assert queries_for_the_list() == one_row


def test_the_detail_shows_degraded_with_the_keepalive_facts(alice_client, connection):
    failing(connection, 30)
    page = alice_client.get(url("detail", connection)).content.decode()
    assert DEGRADED in page
    assert "Refreshes have failed since" in page
    assert f"Last error: {LAST_ERROR}" in page
    assert "<dt>Failed refreshes in a row</dt><dd>7 " in page
    for fact in ("Last refresh", "Next scheduled refresh", "Refresh token expires if unused"):
        assert f"<dt>{fact}</dt>" in page
    expiry = connection.tokens.refresh_token_expires_at.strftime("%Y-%m-%d %H:%M")
    assert expiry in page
