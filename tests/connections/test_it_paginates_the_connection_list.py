"""The connection list shows CONNECTIONS_PER_PAGE connections a page, by name ignoring case,
with a pager."""

import re

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connections.models import Connection, TokenSet
from connections.providers.salesforce.login_hosts import PRODUCTION_LOGIN_URL
from connections.views import CONNECTIONS_PER_PAGE
from tests.connections.helpers import INSTANCE_URL, OLD_ACCESS_TOKEN, OLD_REFRESH_TOKEN, ORG_ID

ROW = re.compile(r'<td class="name" data-label="Name"><a href="([^"]+)">([^<]+)</a></td>')


@pytest.fixture
def list_url(team):
    return reverse("connections:list", args=[team.slug])


def make_connections(team, numbers, name="Org {:03d}") -> list[Connection]:
    """Connected connections with tokens, created in bulk in the order of ``numbers``."""
    now = timezone.now()
    connections = Connection.objects.bulk_create(
        Connection(
            team=team,
            name=name.format(number),
            status=Connection.Status.CONNECTED,
            login_url=PRODUCTION_LOGIN_URL,
            organization_id=ORG_ID,
        )
        for number in numbers
    )
    TokenSet.objects.bulk_create(
        TokenSet(
            connection=connection,
            access_token=OLD_ACCESS_TOKEN,
            refresh_token=OLD_REFRESH_TOKEN,
            instance_url=INSTANCE_URL,
            issued_at=now,
            refresh_token_last_used_at=now,
        )
        for connection in connections
    )
    return connections


def names(page: str) -> list[str]:
    return [name for _, name in ROW.findall(page)]


def showing(first: int, last: int, total: int) -> str:
    """The pager's summary; the range has an en dash."""
    return f"Showing {first}\N{EN DASH}{last} of {total} connections"


def org_names(first: int, last: int) -> list[str]:
    return [f"Org {number:03d}" for number in range(first, last + 1)]


@pytest.fixture
def hundred_twenty(team) -> list[Connection]:
    """Created in reverse name order, so primary-key order is not name order."""
    return make_connections(team, range(120, 0, -1))


def test_it_shows_fifty_a_page(alice_client, list_url, hundred_twenty):
    assert CONNECTIONS_PER_PAGE == 50
    page = alice_client.get(list_url).content.decode()
    assert names(page) == org_names(1, 50)
    assert '<nav class="pager" aria-label="Pages">' in page
    assert showing(1, 50, 120) in page
    assert "Page 1 of 3" in page
    assert 'href="?page=2" rel="next">Next</a>' in page
    assert 'rel="prev"' not in page


def test_it_shows_a_middle_page(alice_client, list_url, hundred_twenty):
    page = alice_client.get(list_url, {"page": "2"}).content.decode()
    assert names(page) == org_names(51, 100)
    assert showing(51, 100, 120) in page
    assert "Page 2 of 3" in page
    assert 'href="?page=1" rel="prev">Previous</a>' in page
    assert 'href="?page=3" rel="next">Next</a>' in page


def test_it_shows_the_rest_on_the_last_page(alice_client, list_url, hundred_twenty):
    page = alice_client.get(list_url, {"page": "3"}).content.decode()
    assert names(page) == org_names(101, 120)
    assert showing(101, 120, 120) in page
    assert "Page 3 of 3" in page
    assert 'href="?page=2" rel="prev">Previous</a>' in page
    assert 'rel="next"' not in page


@pytest.mark.parametrize(
    ("number", "shown", "label"),
    [
        ("abc", org_names(1, 50), "Page 1 of 3"),
        ("", org_names(1, 50), "Page 1 of 3"),
        ("999", org_names(101, 120), "Page 3 of 3"),
        ("0", org_names(101, 120), "Page 3 of 3"),
    ],
)
def test_it_falls_back_for_bad_page_numbers(
    alice_client, list_url, hundred_twenty, number, shown, label
):
    response = alice_client.get(list_url, {"page": number})
    assert response.status_code == 200
    page = response.content.decode()
    assert names(page) == shown
    assert label in page


def test_it_splits_repeated_names_by_primary_key(alice_client, list_url, team):
    repeated = make_connections(team, range(120), name="Acme sandbox")
    expected = [c.get_absolute_url() for c in sorted(repeated, key=lambda c: c.pk)]
    with CaptureQueriesContext(db_connection) as queries:
        shown = [
            href
            for number in (1, 2, 3)
            for href, _ in ROW.findall(
                alice_client.get(list_url, {"page": number}).content.decode()
            )
        ]
    assert shown == expected
    table = Connection._meta.db_table
    pk = Connection._meta.pk.column
    order = f'ORDER BY LOWER("{table}"."name") ASC, "{table}"."{pk}" ASC'
    assert any(order in query["sql"] for query in queries.captured_queries)


def test_it_orders_names_ignoring_case(alice_client, list_url, team):
    created = ["Zulu", "alpha", "Bravo", "ALPHA", "charlie", "Alpha"]
    connections = {c.pk: c.name for c in make_connections(team, created, name="{}")}
    page = alice_client.get(list_url).content.decode()
    # The three spellings of "alpha" are one name to the order: the primary key splits them.
    alphas = [name for _, name in sorted(connections.items()) if name.lower() == "alpha"]
    assert names(page) == [*alphas, "Bravo", "charlie", "Zulu"]


def test_it_pages_mixed_case_names_in_order(alice_client, list_url, team):
    # Upper case first: by primary key, and byte by byte, every "ORG" precedes every "org".
    make_connections(team, range(2, 61, 2), name="ORG {:03d}")
    make_connections(team, range(1, 61, 2), name="org {:03d}")
    shown = names(alice_client.get(list_url).content.decode())
    shown += names(alice_client.get(list_url, {"page": "2"}).content.decode())
    assert [name.lower() for name in shown] == [name.lower() for name in org_names(1, 60)]


def test_its_query_count_does_not_grow(alice_client, list_url, team):
    def count(number: int) -> int:
        with CaptureQueriesContext(db_connection) as queries:
            response = alice_client.get(list_url, {"page": number})
        assert response.status_code == 200
        return len(queries)

    make_connections(team, range(1, 61))
    sixty = [count(1), count(2)]  # 50 rows, then 10
    make_connections(team, range(61, 121))
    hundred_twenty = [count(1), count(3)]  # 50 rows, then 20
    assert sixty == hundred_twenty == [sixty[0]] * 2


@pytest.mark.parametrize(("count", "pager"), [(50, False), (51, True)])
def test_it_shows_the_pager_only_for_more_than_one_page(alice_client, list_url, team, count, pager):
    make_connections(team, range(1, count + 1))
    page = alice_client.get(list_url).content.decode()
    assert names(page) == org_names(1, 50)
    assert ('aria-label="Pages"' in page) is pager
    assert (showing(1, 50, 51) in page) is pager


def test_it_keeps_the_empty_state(alice_client, list_url):
    page = alice_client.get(list_url, {"page": "2"}).content.decode()
    assert "No orgs or environments connected yet" in page
    assert 'aria-label="Pages"' not in page


def test_it_guards_every_page(charlie_client, client, list_url, hundred_twenty):
    assert charlie_client.get(list_url, {"page": "2"}).status_code == 404
    assert client.get(list_url, {"page": "2"}).status_code == 302


def test_it_pages_only_the_teams_connections(alice_client, list_url, other_team, hundred_twenty):
    make_connections(other_team, range(1, 31), name="Org {:03d} of Globex")
    page = alice_client.get(list_url, {"page": "3"}).content.decode()
    assert names(page) == org_names(101, 120)
    assert showing(101, 120, 120) in page
