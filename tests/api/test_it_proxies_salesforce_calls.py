"""/api/v1/connections/{id}/proxy/services/<path>: what goes to Salesforce and what comes back."""

import json

import pytest

from tests.api.conftest import bearer
from tests.api.helpers import (
    LIMIT_INFO,
    NEW_ACCESS_TOKEN,
    content,
    fresh_connection,
    proxy_url,
)
from tests.connections.helpers import (
    ACCESS_TOKEN,
    INSTANCE_URL,
    add_token_response,
    make_connection,
)

QUERY_URL = f"{INSTANCE_URL}/services/data/v62.0/query"
QUERY_RESULT = {"totalSize": 1, "done": True, "records": [{"Id": "001000000000001AAA"}]}


@pytest.fixture
def fresh(team):
    return fresh_connection(team)


def test_it_forwards_a_get_with_its_query_string(api, make_key, fresh, rsps):
    rsps.get(
        QUERY_URL,
        json=QUERY_RESULT,
        headers={"Sforce-Limit-Info": LIMIT_INFO},
        content_type="application/json;charset=UTF-8",
    )
    _, raw = make_key()

    response = api.get(
        proxy_url(fresh, "data/v62.0/query") + "?q=SELECT+Id+FROM+Account", **bearer(raw)
    )

    assert response.status_code == 200
    assert json.loads(content(response)) == QUERY_RESULT
    assert response["Content-Type"] == "application/json;charset=UTF-8"
    assert response["Sforce-Limit-Info"] == LIMIT_INFO
    assert response["Cache-Control"] == "private, no-store"
    [call] = rsps.calls
    assert call.request.url == QUERY_URL + "?q=SELECT+Id+FROM+Account"
    assert call.request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_it_forwards_the_method_body_and_content_type(api, make_key, fresh, rsps, method):
    url = f"{INSTANCE_URL}/services/data/v62.0/sobjects/Account/"
    rsps.add(method, url, status=201, json={"id": "001x", "success": True, "errors": []})
    _, raw = make_key()

    response = api.generic(
        method,
        proxy_url(fresh, "data/v62.0/sobjects/Account/"),
        b'{"Name": "Acme"}',
        content_type="application/json",
        **bearer(raw),
    )

    assert response.status_code == 201
    assert json.loads(content(response))["id"] == "001x"
    [call] = rsps.calls
    assert call.request.method == method
    assert call.request.body == b'{"Name": "Acme"}'
    assert call.request.headers["Content-Type"] == "application/json"
    assert call.request.headers["Content-Length"] == "16"


def test_salesforce_errors_come_back_as_they_are(api, make_key, fresh, rsps):
    error = [{"message": "unexpected token: 'FORM'", "errorCode": "MALFORMED_QUERY"}]
    rsps.get(QUERY_URL, status=400, json=error)
    _, raw = make_key()

    response = api.get(proxy_url(fresh, "data/v62.0/query") + "?q=x", **bearer(raw))

    assert response.status_code == 400
    assert json.loads(content(response)) == error
    assert response["Content-Type"] == "application/json"


def test_it_forwards_only_end_to_end_headers(api, make_key, fresh, rsps):
    rsps.get(QUERY_URL, json=QUERY_RESULT)
    _, raw = make_key()

    api.get(
        proxy_url(fresh, "data/v62.0/query"),
        HTTP_ACCEPT="application/xml",
        HTTP_SFORCE_QUERY_OPTIONS="batchSize=200",
        HTTP_IF_NONE_MATCH='"abc"',
        HTTP_COOKIE="sessionid=browser-session",
        HTTP_CONNECTION="keep-alive, X-Secret",
        HTTP_X_SECRET="hop-by-hop",
        HTTP_KEEP_ALIVE="timeout=5",
        HTTP_TE="trailers",
        HTTP_PROXY_AUTHORIZATION="Basic cHJveHk6cHc=",
        HTTP_X_FORWARDED_FOR="10.0.0.1",
        HTTP_X_SFDC_SESSION="someone-elses-session",
        **bearer(raw),
    )

    sent = rsps.calls[0].request.headers
    assert sent["Accept"] == "application/xml"
    assert sent["Sforce-Query-Options"] == "batchSize=200"
    assert sent["If-None-Match"] == '"abc"'
    assert sent["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    for name in ("Cookie", "X-Secret", "Keep-Alive", "TE", "Proxy-Authorization"):
        assert name not in sent
    for name in ("X-Forwarded-For", "X-SFDC-Session"):
        assert name not in sent
    assert raw not in str(dict(sent))


def test_it_returns_no_cookie_or_hop_by_hop_header(api, make_key, fresh, rsps):
    rsps.get(
        QUERY_URL,
        json=QUERY_RESULT,
        headers={
            "Set-Cookie": "BrowserId=abc; Domain=.salesforce.com",
            "Keep-Alive": "timeout=5",
            "Strict-Transport-Security": "max-age=63072000",
        },
    )
    _, raw = make_key()

    response = api.get(proxy_url(fresh, "data/v62.0/query"), **bearer(raw))

    assert response.status_code == 200
    assert "BrowserId" not in str(response.cookies)
    for name in ("Set-Cookie", "Keep-Alive"):
        assert not response.has_header(name)


def test_it_never_follows_a_redirect(api, make_key, fresh, rsps):
    elsewhere = "https://evil.example/collect"
    rsps.get(QUERY_URL, status=302, headers={"Location": elsewhere})
    rsps.get(elsewhere, json={})
    _, raw = make_key()

    response = api.get(proxy_url(fresh, "data/v62.0/query"), **bearer(raw))

    assert response.status_code == 302
    assert [call.request.url for call in rsps.calls] == [QUERY_URL]


def test_it_accepts_any_accept_header(api, make_key, fresh, rsps):
    rsps.get(QUERY_URL, body="<QueryResult/>", content_type="application/xml")
    _, raw = make_key()

    response = api.get(
        proxy_url(fresh, "data/v62.0/query"), HTTP_ACCEPT="application/xml", **bearer(raw)
    )

    assert response.status_code == 200
    assert content(response) == b"<QueryResult/>"
    assert response["Content-Type"] == "application/xml"


def test_it_uses_the_current_instance_url(api, make_key, team, rsps):
    connection = fresh_connection(team)
    moved = "https://acme-moved.my.salesforce.com"
    connection.tokens.instance_url = moved
    connection.tokens.save()
    rsps.get(f"{moved}/services/data/", json=[])
    _, raw = make_key()

    response = api.get(proxy_url(connection, "data/"), **bearer(raw))

    assert response.status_code == 200
    assert rsps.calls[0].request.url == f"{moved}/services/data/"


def test_it_encodes_the_path_it_forwards(api, make_key, fresh, rsps):
    target = f"{INSTANCE_URL}/services/data/v62.0/sobjects/Account/Ext__c/A%20B%C3%A9"
    rsps.get(target, json={})
    _, raw = make_key()

    response = api.get(proxy_url(fresh, "data/v62.0/sobjects/Account/Ext__c/A Bé"), **bearer(raw))

    assert response.status_code == 200
    assert rsps.calls[0].request.url == target


def test_it_refreshes_a_stale_token_first(api, make_key, team, rsps):
    stale = make_connection(team)  # issued 25 hours ago
    add_token_response(rsps, access_token=NEW_ACCESS_TOKEN)
    rsps.get(QUERY_URL, json=QUERY_RESULT)
    _, raw = make_key()

    response = api.get(proxy_url(stale, "data/v62.0/query"), **bearer(raw))

    assert response.status_code == 200
    assert rsps.calls[-1].request.headers["Authorization"] == f"Bearer {NEW_ACCESS_TOKEN}"


def test_wrong_methods_are_refused(api, make_key, fresh):
    _, raw = make_key()

    response = api.generic("TRACE", proxy_url(fresh, "data/"), **bearer(raw))

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_a_small_answer_keeps_its_length_and_a_large_one_streams(api, make_key, fresh, rsps):
    small, large = b'{"totalSize": 0}', b"[" + b'"x",' * 40_000 + b'"x"]'
    rsps.get(QUERY_URL, body=small, content_type="application/json")
    rsps.get(QUERY_URL, body=large, content_type="application/json")
    _, raw = make_key()

    first = api.get(proxy_url(fresh, "data/v62.0/query"), **bearer(raw))
    second = api.get(proxy_url(fresh, "data/v62.0/query"), **bearer(raw))

    assert (first.streaming, first["Content-Length"], first.content) == (False, "16", small)
    assert second.streaming
    assert content(second) == large


def test_a_form_body_goes_along_untouched(api, make_key, fresh, rsps):
    url = f"{INSTANCE_URL}/services/apexrest/orders"
    rsps.post(url, json={"ok": True})
    _, raw = make_key()

    response = api.generic(
        "POST",
        proxy_url(fresh, "apexrest/orders"),
        "name=Acme&city=Lyon",
        content_type="application/x-www-form-urlencoded",
        **bearer(raw),
    )

    assert response.status_code == 200
    sent = rsps.calls[0].request
    assert sent.body == b"name=Acme&city=Lyon"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_chunked_body_is_refused_rather_than_lost(api, make_key, fresh, rsps):
    _, raw = make_key()

    response = api.generic(
        "POST",
        proxy_url(fresh, "data/v62.0/sobjects/Account/"),
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **bearer(raw),
    )

    assert response.status_code == 411
    assert response.json()["code"] == "length_required"
    assert not rsps.calls


def test_a_call_with_a_fresh_token_runs_two_queries(
    api, make_key, fresh, rsps, django_assert_num_queries
):
    rsps.get(QUERY_URL, json=QUERY_RESULT)
    _, raw = make_key()
    api.get(proxy_url(fresh, "data/v62.0/query"), **bearer(raw))  # records the key's use

    with django_assert_num_queries(2):  # the key; the connection with its tokens
        response = api.get(proxy_url(fresh, "data/v62.0/query"), **bearer(raw))

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE", "CONNECT", "PROPFIND"])
def test_it_refuses_other_methods_with_a_problem(api, make_key, fresh, rsps, method):
    _, raw = make_key()

    response = api.generic(method, proxy_url(fresh, "data/v62.0/sobjects/"), **bearer(raw))

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, POST, PUT, PATCH, DELETE"
    if method != "HEAD":
        assert response.json()["code"] == "method_not_allowed"
        assert "Salesforce" not in response.content.decode()  # no DRF metadata, no docstring
    assert len(rsps.calls) == 0
