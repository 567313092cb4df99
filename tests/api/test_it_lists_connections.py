import re

from django.db import connection as database
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from connections.models import Connection
from tests.api.conftest import bearer
from tests.connections.helpers import INSTANCE_URL, ORG_ID, USERNAME

URL = reverse("api:connections")


def test_it_lists_the_teams_connections(api, make_key, connection, connection_factory):
    draft = connection_factory(connected=False, name="Draft one")
    _, raw = make_key()
    response = api.get(URL, **bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["id"] == str(connection.code)
    assert set(first) == {
        "id", "name", "provider", "environment", "status", "status_reason", "org_id",
        "instance_url", "username", "last_refreshed_at", "next_refresh_at",
        "refresh_token_expires_at", "created", "updated", "url",
    }  # fmt: skip
    assert first["provider"] == "salesforce"
    assert first["org_id"] == ORG_ID
    assert first["instance_url"] == INSTANCE_URL
    assert first["username"] == USERNAME
    assert first["refresh_token_expires_at"] is not None
    assert first["url"].endswith(connection.get_absolute_url())
    assert body["results"][1]["id"] == str(draft.code)
    assert body["results"][1]["refresh_token_expires_at"] is None


def test_it_filters_by_status(api, make_key, connection, connection_factory):
    connection_factory(connected=False, name="Draft one")
    _, raw = make_key()
    response = api.get(URL, {"status": Connection.Status.DRAFT}, **bearer(raw))
    assert [row["name"] for row in response.json()["results"]] == ["Draft one"]


def test_it_refuses_an_unknown_status(api, make_key, connection):
    _, raw = make_key()
    response = api.get(URL, {"status": "sleeping"}, **bearer(raw))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"


def test_it_paginates(api, make_key, connection_factory):
    for n in range(3):
        connection_factory(connected=False, name=f"Draft {n}")
    _, raw = make_key()
    body = api.get(URL, {"page_size": 2}, **bearer(raw)).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]


def test_it_lists_only_the_keys_connections(api, make_key, connection, connection_factory):
    other = connection_factory(name="Other")
    _, raw = make_key(connections=[other])
    body = api.get(URL, **bearer(raw)).json()
    assert [row["id"] for row in body["results"]] == [str(other.code)]


def test_it_shows_one_connection(api, make_key, connection):
    _, raw = make_key()
    response = api.get(reverse("api:connection", args=[connection.code]), **bearer(raw))
    assert response.status_code == 200
    assert response.json()["id"] == str(connection.code)


def test_it_reads_no_token_to_list_or_show_connections(api, make_key, connection_factory):
    connections = [connection_factory(name=f"Org {n}") for n in range(3)]
    _, raw = make_key()

    for url in (URL, reverse("api:connection", args=[connections[0].code])):
        with CaptureQueriesContext(database) as queries:
            assert api.get(url, **bearer(raw)).status_code == 200
        read = " ".join(query["sql"] for query in queries)
        assert '"connections_tokenset"."refresh_token_last_used_at"' in read
        assert not re.search(r'"connections_tokenset"\."(access|refresh)_token"', read)
