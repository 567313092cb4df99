"""LOG_FORMAT=json in the web process: each line is one JSON object carrying the request ID
(the client's X-Request-ID, or a new one, echoed in the response) and the connection's code
when the URL names a connection."""

import logging
import re

import pytest
import responses

from tests.connections.helpers import add_token_response, make_connection, url

pytestmark = pytest.mark.django_db

NEW_ID = re.compile(r"[0-9a-f]{32}")


@responses.activate
def test_request_lines_carry_the_request_id_and_connection_code(alice_client, team, json_logs):
    connection = make_connection(team)
    add_token_response(responses)

    response = alice_client.post(url("refresh", connection), HTTP_X_REQUEST_ID="req-4711.a:b")

    assert response["X-Request-ID"] == "req-4711.a:b"
    records = json_logs.records()
    [refreshed] = [r for r in records if "Token refreshed" in r["message"]]
    assert refreshed["request_id"] == "req-4711.a:b"
    assert refreshed["connection_code"] == str(connection.code)
    assert refreshed["task_id"] is None
    assert {"timestamp", "level", "logger"} <= refreshed.keys()
    assert all(record["request_id"] == "req-4711.a:b" for record in records)


@pytest.mark.parametrize("incoming", [None, "", "has spaces", "x" * 129, "line\nbreak", "ü"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, incoming, json_logs):
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    response = client.get("/no-such-page/", **headers)
    assert NEW_ID.fullmatch(response["X-Request-ID"])
    assert response["X-Request-ID"] != incoming


def test_each_request_gets_its_own_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    assert client.get("/healthz")["X-Request-ID"] != first


def test_nothing_bound_by_a_request_outlives_it(alice_client, team, json_logs):
    connection = make_connection(team)
    alice_client.get(url("detail", connection), HTTP_X_REQUEST_ID="req-1")

    logging.getLogger("tests").warning("after the request")

    after = json_logs.records()[-1]
    assert after["message"] == "after the request"
    assert after["request_id"] is None
    assert after["connection_code"] is None


def test_tracebacks_stay_inside_their_json_line(json_logs):
    try:
        raise ValueError("multi\nline")
    except ValueError:
        logging.getLogger("tests").exception("failed")
    [record] = json_logs.records()
    assert "Traceback" in record["exc_info"]
