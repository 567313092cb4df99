"""The proxy forwards only plain paths under services/."""

import pytest
from django.urls import reverse

from api.proxy_paths import InvalidProxyPath, forwarded_path
from tests.api.conftest import bearer
from tests.api.helpers import fresh_connection


@pytest.mark.parametrize(
    "path",
    [
        "data/../../secur/frontdoor.jsp",
        "data/v62.0/..",
        "./data",
        "data//v62.0",
        "/data",
        "data\\..\\x",
        "data/%2e%2e/x",  # arrived as %252e%252e: encoded twice
        "data/%2fx",
        "https://evil.example/x",
        "https:/evil.example/x",
        "data/v62.0/\x00",
        # Path parameters: Tomcat/Jetty-style servers read "..;" as "..".
        "data/..;/x",
        "data/..;/secur/frontdoor.jsp",
        "data/.;/x",
        "data/..;jsessionid=1/x",
        "data/;/x",
        "data/v62.0/..;",
        # Dots and spaces that some servers trim down to "..".
        "data/.../x",
        "data/.. /x",
        # Unicode compatibility forms NFKC turns into ".", "..", "/" or "\\".
        "data/\uff0e\uff0e/x",
        "data/\u2024\u2024/x",
        "data/\ufe52/x",
        "data\uff0f..\uff0fx",
        "data\uff3c..",
        "https\uff1a//evil.example/x",
        # What Django leaves of %u002e and of overlong UTF-8 (%c0%ae stays encoded).
        "data/%u002e%u002e/x",
        "data/%C0%AE%C0%AE/x",
        # NUL, tabs, newlines and other line breaks.
        "data/..\x00/x",
        "data/\t../x",
        "data/v62.0\r\nHost: evil.example",
        "data/v62.0/\x85",
        "data/v62.0/\u2028",
    ],
)
def test_it_refuses_a_path_that_could_leave_services(path):
    with pytest.raises(InvalidProxyPath) as raised:
        forwarded_path(path, {})

    assert raised.value.status_code == 400
    assert raised.value.code == "invalid_path"


@pytest.mark.parametrize(
    "raw_uri",
    [
        "/api/v1/connections/x/proxy/services/data/%2e%2e/%2E%2E/secur",
        "/api/v1/connections/x/proxy/services/data%2Fv62.0",
        "/api/v1/connections/x/proxy/services/data%5Cv62.0",
        "/api/v1/connections/x/proxy/services/data/%252e%252e",
        "/api/v1/connections/x/proxy/services/data/..%3b/x",
        "/api/v1/connections/x/proxy/services/data/..%3B/secur/frontdoor.jsp",
    ],
)
def test_it_refuses_encoded_dots_slashes_and_backslashes(raw_uri):
    for key in ("RAW_URI", "REQUEST_URI"):
        with pytest.raises(InvalidProxyPath) as raised:
            forwarded_path("data/v62.0", {key: raw_uri})
        assert raised.value.code == "invalid_path"


def test_an_encoded_query_string_is_fine():
    meta = {"RAW_URI": "/api/v1/x/proxy/services/data/v62.0/query?q=SELECT%2FId%2e"}

    assert forwarded_path("data/v62.0/query", meta) == "data/v62.0/query"


@pytest.mark.parametrize(
    ("path", "forwarded"),
    [
        ("data/", "data/"),
        ("data/v62.0/sobjects/Account/", "data/v62.0/sobjects/Account/"),
        ("apexrest/orders/A B", "apexrest/orders/A%20B"),
        (
            "data/v62.0/sobjects/Account/Ext__c/é?#",
            "data/v62.0/sobjects/Account/Ext__c/%C3%A9%3F%23",
        ),
        # An external ID that is an email address: "@" goes encoded, never as userinfo.
        (
            "data/v62.0/sobjects/Contact/Email__c/a@evil.example",
            "data/v62.0/sobjects/Contact/Email__c/a%40evil.example",
        ),
        ("data/v62.0/sobjects/Account;x/", "data/v62.0/sobjects/Account;x/"),
        ("data/v62.0/query/a..b", "data/v62.0/query/a..b"),
    ],
)
def test_it_encodes_a_plain_path(path, forwarded):
    assert forwarded_path(path, {}) == forwarded


@pytest.mark.parametrize(
    "suffix",
    [
        "data/../../../admin/",
        "data/%2e%2e/%2e%2e/admin/",
        "data/..%2f..%2fadmin/",
        "data%5c..%5c",
        "data/..;/x",
        "data/.;/x",
        "data/..%3b/x",
        "data/..;/secur/frontdoor.jsp",
        "data/%ef%bc%8e%ef%bc%8e/x",
        "data/%u002e%u002e/x",
        "data/%c0%ae%c0%ae/x",
        "data/..%00/x",
        "data/%09../x",
        "data/v62.0%0dHost:%20evil.example",
    ],
)
def test_the_endpoint_answers_a_problem_and_sends_nothing(api, make_key, team, rsps, suffix):
    connection = fresh_connection(team)
    _, raw = make_key()
    base = reverse("api:proxy", args=[connection.code, "x"]).removesuffix("x")

    response = api.get(base + suffix, **bearer(raw))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_path"
    assert "under services/" in response.json()["detail"]
    assert len(rsps.calls) == 0
