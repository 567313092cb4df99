import time

import pytest
import requests

from tests.emulators.salesforce.tests.helpers import connect, refresh


def test_it_fails_the_next_n_token_calls_with_503_html(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.fail_next(2, status=503)

    first, second = refresh(salesforce_emulator, token), refresh(salesforce_emulator, token)
    third = refresh(salesforce_emulator, token)

    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.headers["Content-Type"].startswith("text/html")
    assert "Service Unavailable" in first.text


def test_it_leaves_the_token_untouched_when_a_fault_answers_first(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.fail_next(1, status=500)

    refresh(salesforce_emulator, token)

    assert salesforce_emulator.is_refresh_token_live(token)


def test_it_returns_a_given_error_body(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    body = {"error": "invalid_grant", "error_description": "authentication failure"}
    salesforce_emulator.fail_next(1, status=400, body=body)

    response = refresh(salesforce_emulator, token)

    assert response.status_code == 400
    assert response.json() == body


def test_it_answers_429(salesforce_emulator):
    salesforce_emulator.fail_next(1, status=429)

    assert refresh(salesforce_emulator, "x").status_code == 429


def test_it_hangs_before_answering(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.fail_next(1, status=None, hang=1.0)

    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        requests.post(
            salesforce_emulator.base_url + "/services/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": token},
            timeout=0.2,
        )
    assert time.monotonic() - started < 0.9


def test_it_answers_normally_after_a_hang(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.fail_next(1, status=None, hang=0.1)

    assert refresh(salesforce_emulator, token).status_code == 200


def test_it_drops_the_connection(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.fail_next(1, drop=True)

    with pytest.raises(requests.ConnectionError):
        refresh(salesforce_emulator, token)
    assert salesforce_emulator.is_refresh_token_live(token)


def test_it_can_drop_the_answer_after_the_refresh_took_effect(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.fail_next(1, drop=True, commit=True)

    with pytest.raises(requests.ConnectionError):
        refresh(salesforce_emulator, token)

    # The rotation happened though the client never saw the new token: retrying is a replay.
    assert not salesforce_emulator.is_refresh_token_live(token)
    assert refresh(salesforce_emulator, token).json()["error"] == "invalid_grant"
    assert salesforce_emulator.grants[0].revoked


def test_it_adds_latency_to_every_call(salesforce_emulator):
    salesforce_emulator.latency = 0.15

    started = time.monotonic()
    requests.get(salesforce_emulator.base_url + "/services/data/", timeout=5)

    assert time.monotonic() - started >= 0.15


def test_it_records_faults_in_the_request_log(salesforce_emulator):
    salesforce_emulator.fail_next(1, status=503)
    refresh(salesforce_emulator, "x")

    (record,) = salesforce_emulator.token_requests()
    assert record.status == 503
    assert record.outcome == "fault"
    assert record.fault == "status 503"
