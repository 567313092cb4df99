"""api_base_url's version: the newest the org lists, cached; a fallback when unreadable."""

import pytest
from django.core.cache import cache

from api import versions
from connections.providers.salesforce import client as salesforce
from connections.providers.salesforce import guidance
from tests.connections.helpers import INSTANCE_URL, make_connection

VERSIONS_URL = f"{INSTANCE_URL}/services/data/"


@pytest.fixture
def connection(team):
    return make_connection(team)


@pytest.mark.parametrize(
    ("body", "newest"),
    [
        ([{"version": "9.0"}, {"version": "65.0"}, {"version": "64.0"}], "65.0"),
        ([{"version": "x"}, {"label": "no version"}, "junk"], None),
        ({"not": "a list"}, None),
    ],
)
def test_it_takes_the_newest_listed_version(body, newest):
    assert versions.newest_version(body) == newest


@pytest.mark.parametrize(
    ("body", "listed", "said"),
    [
        ([{"version": "64.0"}, {"version": "65.0"}], ["64.0", "65.0"], "64.0 to 65.0"),
        ([{"version": "65.0"}, {"label": "no version"}, "junk"], ["65.0"], "65.0"),
    ],
)
def test_the_page_and_the_api_read_the_versions_list_alike(body, listed, said):
    assert salesforce.api_versions(body) == listed
    assert guidance.test_passed(listed) == f"Salesforce answered (API versions {said})."


def test_it_asks_the_org_once_then_remembers(connection, rsps):
    rsps.get(VERSIONS_URL, json=[{"version": "64.0"}, {"version": "65.0"}])
    url = versions.api_base_url(connection, INSTANCE_URL, "AT")
    assert url == f"{INSTANCE_URL}/services/data/v65.0"
    cache.clear()  # the process remembers it for a minute without the cache
    assert versions.api_base_url(connection, INSTANCE_URL, "AT") == url
    assert len(rsps.calls) == 1
    versions._remembered.clear()  # a minute later, and the cache forgot it too: ask again
    assert versions.api_base_url(connection, INSTANCE_URL, "AT") == url
    assert len(rsps.calls) == 2


def test_an_unreadable_list_falls_back(connection, rsps):
    rsps.get(VERSIONS_URL, status=500)
    version = versions.api_version(connection, INSTANCE_URL, "AT")
    assert version == versions.FALLBACK_VERSION
