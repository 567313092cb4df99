"""The connection list and detail pages."""

import pytest
from django.db import connection as database
from django.urls import reverse

from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    INSTANCE_URL,
    OLD_ACCESS_TOKEN,
    OLD_REFRESH_TOKEN,
    ORG_ID,
    USERNAME,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")


@pytest.fixture
def list_url(team):
    return reverse("connections:list", args=[team.slug])


def test_it_explains_what_to_do_when_empty(alice_client, list_url):
    page = alice_client.get(list_url).content.decode()
    assert "No orgs or environments connected yet" in page
    assert reverse("connections:new", args=["acme-admins"]) in page


def test_it_lists_connections(alice_client, list_url, connection, draft):
    page = alice_client.get(list_url).content.decode()
    assert connection.get_absolute_url() in page and draft.get_absolute_url() in page
    assert ORG_ID in page
    assert '<span class="badge connected">Connected</span>' in page
    assert '<span class="badge draft">Draft</span>' in page
    expiry = connection.tokens.refresh_token_expires_at.strftime("%Y-%m-%d")
    assert expiry in page


def test_it_hides_the_new_button_from_viewers(victor_client, list_url):
    page = victor_client.get(list_url).content.decode()
    assert "New connection" not in page
    assert "Ask an owner or admin" in page


def test_it_guards_the_list(charlie_client, client, list_url, alice_client):
    assert charlie_client.get(list_url).status_code == 404
    assert client.get(list_url).status_code == 302
    assert alice_client.post(list_url).status_code == 405


def test_it_shows_the_details(alice_client, connection, settings):
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    connection.last_error = "Salesforce refused this server's IP address."
    connection.consecutive_failures = 2
    connection.save()
    page = alice_client.get(url("detail", connection)).content.decode()
    for text in (ORG_ID, USERNAME, INSTANCE_URL, CONSUMER_KEY, "https://login.salesforce.com"):
        assert text in page
    assert "http://127.0.0.1:8881/api/connections/oauth/callback" in page
    assert "203.0.113.7" in page
    assert "<dt>Consumer secret</dt><dd>set</dd>" in page
    assert "refused this server&#x27;s IP address" in page
    assert "<dt>Failed refreshes in a row</dt><dd>2</dd>" in page
    for secret in (CONSUMER_SECRET, OLD_ACCESS_TOKEN, OLD_REFRESH_TOKEN):
        assert secret not in page
    for action in ("Re-authorize", "Test connection", "Edit", "Disconnect"):
        assert action in page
    assert url("delete", connection) not in page


def test_it_shows_the_newest_fifty_events(
    alice_client, alice, connection, django_assert_max_num_queries
):
    for n in range(60):
        connection.record("tested", f"event number {n}.", alice)
    with django_assert_max_num_queries(15):
        page = alice_client.get(url("detail", connection)).content.decode()
    assert "event number 59." in page
    assert "event number 10." in page
    assert "event number 9." not in page
    assert page.index("event number 59.") < page.index("event number 58.")


@pytest.mark.parametrize("page", ["detail", "disconnect"])
def test_it_reads_the_connection_once(alice_client, connection, page):
    """The refresh token's expiry (the provider's idle TTL) is read through the TokenSet,
    which must hold the connection the page already loaded."""
    selects = []

    def count(execute, sql, *args):
        if sql.startswith('SELECT "connections_connection"'):
            selects.append(sql)
        return execute(sql, *args)

    with database.execute_wrapper(count):
        assert alice_client.get(url(page, connection)).status_code == 200
    assert len(selects) == 1, selects


def test_it_shows_viewers_no_actions(victor_client, connection):
    page = victor_client.get(url("detail", connection)).content.decode()
    assert ORG_ID in page
    for action in ("Re-authorize", "Test connection", "Disconnect", url("edit", connection)):
        assert action not in page


def test_it_offers_delete_for_a_draft(alice_client, draft):
    page = alice_client.get(url("detail", draft)).content.decode()
    assert url("delete", draft) in page
    assert "Disconnect" not in page


def test_it_guards_the_detail(charlie_client, client, alice_client, connection):
    assert charlie_client.get(url("detail", connection)).status_code == 404
    assert client.get(url("detail", connection)).status_code == 302
    assert alice_client.post(url("detail", connection)).status_code == 405
