import time

import jwt
import pytest
import requests

from tests.emulators.entra.tests.helpers import connect, instances, refresh, who_am_i


def test_it_throttles_the_token_endpoint_with_retry_after(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]
    emu.fail_next(1, status=429, retry_after=7)

    throttled = refresh(emu, rt)
    after = refresh(emu, rt)

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert throttled.json()["error"] == "temporarily_unavailable"
    assert after.status_code == 200
    assert [e["fault"] for e in emu.refresh_log()] == ["429", None]


def test_it_throttles_dataverse_with_its_service_protection_error(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]
    emu.fail_next(1, status=429, target="dataverse")

    throttled = who_am_i(emu, token)

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.json()["error"]["code"] == "0x80072322"
    assert who_am_i(emu, token).status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_it_fails_with_a_server_error(entra_emulator, status):
    emu = entra_emulator
    tokens = connect(emu)
    emu.fail_next(2, status=status, target="any")

    assert refresh(emu, tokens["refresh_token"]).status_code == status
    assert instances(emu, tokens["access_token"]).status_code == status
    assert refresh(emu, tokens["refresh_token"]).status_code == 200


def test_it_leaves_the_token_endpoint_alone_for_a_dataverse_fault(entra_emulator):
    emu = entra_emulator
    tokens = connect(emu)
    emu.fail_next(1, status=503, target="dataverse")

    assert refresh(emu, tokens["refresh_token"]).status_code == 200
    assert emu.store.faults.pending()[0]["target"] == "dataverse"


def test_it_drops_the_connection(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]
    emu.fail_next(1, drop=True)

    with pytest.raises(requests.ConnectionError):
        refresh(emu, rt)


def test_it_adds_latency_to_every_call_but_control(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]
    emu.latency = 0.3

    started = time.monotonic()
    who_am_i(emu, token)
    slow = time.monotonic() - started
    started = time.monotonic()
    requests.get(f"{emu.base_url}/_emulator/state", timeout=10)
    fast = time.monotonic() - started

    assert slow >= 0.3 > fast


def test_it_skews_the_times_it_reports(entra_emulator):
    emu = entra_emulator
    emu.clock_skew = 600  # the identity provider's clock runs 10 minutes ahead

    body = connect(emu)

    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert claims["nbf"] == claims["iat"] >= time.time() + 590
    assert who_am_i(emu, body["access_token"]).status_code == 200  # expiry uses the true clock
