"""What the proxy answers when it can't reach Salesforce with a token: problem details."""

from unittest.mock import patch

import pytest
import requests

from connections import keepalive
from connections.errors import Classification, ErrorKind
from connections.models import Connection, ConnectionEvent, status_change
from tests.api.conftest import bearer
from tests.api.helpers import fresh_connection, proxy_url
from tests.connections.helpers import INSTANCE_URL

URL = f"{INSTANCE_URL}/services/data/"


def get(api, raw, connection):
    return api.get(proxy_url(connection, "data/"), **bearer(raw))


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    return body


def test_salesforce_unreachable_is_503_with_retry_after(api, make_key, team, rsps):
    rsps.get(URL, body=requests.ConnectionError("connection reset"))
    _, raw = make_key()

    response = get(api, raw, fresh_connection(team))

    body = assert_problem(response, 503, "salesforce_unavailable")
    assert int(response["Retry-After"]) > 0
    assert "acme-dev.my.salesforce.com" in body["detail"]


def test_a_timeout_is_503(api, make_key, team, rsps):
    rsps.get(URL, body=requests.ReadTimeout("read timed out"))
    _, raw = make_key()

    response = get(api, raw, fresh_connection(team))

    body = assert_problem(response, 503, "salesforce_unavailable")
    assert "didn't answer within the timeout" in body["detail"]


@pytest.mark.parametrize("status", ["draft", "disconnected"])
def test_a_connection_that_isnt_connected_is_409(api, make_key, team, rsps, status):
    _, raw = make_key()

    response = get(api, raw, fresh_connection(team, status=status, tokens=status != "draft"))

    assert_problem(response, 409, "not_connected")
    assert not rsps.calls


def _misconfigured(team, classification: Classification) -> Connection:
    """A connection a refresh made misconfigured, its history recording the classification."""
    connection = fresh_connection(team, status=Connection.Status.MISCONFIGURED)
    connection.status_reason = classification.reason
    connection.save()
    connection.record(
        ConnectionEvent.Kind.STATUS_CHANGED,
        f"Connected → Misconfigured: {classification.reason}",
        type=ConnectionEvent.Type.CONNECTION_MISCONFIGURED,
        **status_change("connected", "misconfigured", classification, "invalid_client"),
    )
    return connection


def test_a_misconfigured_connection_is_424_with_guidance(api, make_key, team, rsps):
    reason = "The consumer secret is wrong: fix it under Edit."
    connection = _misconfigured(team, Classification(ErrorKind.MISCONFIGURED, reason, 3))
    _, raw = make_key()

    response = get(api, raw, connection)

    body = assert_problem(response, 424, "misconfigured")
    assert body["guidance"] == connection.status_reason
    assert body["setup_step"] == 3


def test_the_setup_step_comes_from_the_classification_not_the_words(api, make_key, team, rsps):
    # A provider's own words may mention a step of something else entirely.
    said = "Salesforce refused the refresh request: step 4 of the login flow failed."
    connection = _misconfigured(team, Classification(ErrorKind.MISCONFIGURED, said))
    _, raw = make_key()

    body = assert_problem(get(api, raw, connection), 424, "misconfigured")

    assert (body["guidance"], body["setup_step"]) == (said, None)


def test_a_connection_needing_reauthorization_is_424(api, make_key, team, rsps):
    connection = fresh_connection(team, status=Connection.Status.NEEDS_REAUTHORIZATION)
    _, raw = make_key()

    response = get(api, raw, connection)

    body = assert_problem(response, 424, "needs_reauthorization")
    assert str(connection.code) in body["reauthorize_url"]


def test_a_refresh_held_by_another_request_is_refresh_in_progress(api, make_key, team, rsps):
    busy = keepalive.RefreshResult(keepalive.Outcome.FAILED, "busy", ErrorKind.TRANSIENT, busy=True)
    _, raw = make_key()

    with patch(
        "api.proxy.keepalive.issue_access_token",
        autospec=True,
        side_effect=keepalive.RefreshFailed(busy),
    ):
        response = get(api, raw, fresh_connection(team))

    assert_problem(response, 503, "refresh_in_progress")
    assert int(response["Retry-After"]) > 0


def test_an_http_instance_url_gets_no_token(api, make_key, team, rsps, settings):
    settings.ALLOW_INSECURE_LOGIN_HOSTS = False
    connection = fresh_connection(team)
    connection.tokens.instance_url = "http://acme-dev.my.salesforce.com"
    connection.tokens.save()
    _, raw = make_key()

    response = get(api, raw, connection)

    body = assert_problem(response, 424, "misconfigured")
    assert "only HTTPS" in body["detail"]
    assert not rsps.calls


def test_a_signed_in_browser_without_a_key_is_refused(client, alice, team, rsps):
    client.force_login(alice)

    response = client.get(proxy_url(fresh_connection(team), "data/"))

    assert_problem(response, 401, "unauthenticated")
    assert not rsps.calls


def test_an_answer_cut_off_before_it_is_passed_on_is_503(api, make_key, team, rsps):
    rsps.get(URL, json=[])
    _, raw = make_key()
    cut = requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")

    def broken(self, chunk_size=1, decode_unicode=False):
        raise cut
        yield b""  # a generator, like requests' own

    with patch.object(requests.Response, "iter_content", broken):
        response = get(api, raw, fresh_connection(team))

    body = assert_problem(response, 503, "salesforce_unavailable")
    assert "cut off" in body["detail"]
