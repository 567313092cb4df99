import uuid

import pytest
import requests

from tests.emulators.entra.tests.helpers import (
    assert_entra_error,
    exchange,
    get_code,
    token_post,
)


def test_it_redeems_a_code_once(entra_emulator):
    code, verifier = get_code(entra_emulator)
    assert exchange(entra_emulator, code, verifier).status_code == 200

    again = exchange(entra_emulator, code, verifier)

    assert_entra_error(again, 400, "invalid_grant", 54005)


def test_it_expires_a_code_after_ten_minutes(entra_emulator):
    code, verifier = get_code(entra_emulator)
    entra_emulator.advance(seconds=601)

    assert_entra_error(exchange(entra_emulator, code, verifier), 400, "invalid_grant", 70008)


def test_it_redeems_a_code_just_inside_ten_minutes(entra_emulator):
    code, verifier = get_code(entra_emulator)
    entra_emulator.advance(seconds=590)

    assert exchange(entra_emulator, code, verifier).status_code == 200


def test_it_binds_the_code_to_the_redirect_uri(entra_emulator):
    code, verifier = get_code(entra_emulator)
    other = entra_emulator.demo_app.redirect_uris[1]

    response = exchange(entra_emulator, code, verifier, redirect_uri=other)

    assert_entra_error(response, 400, "invalid_grant", 500112)


def test_it_binds_the_code_to_the_verifier(entra_emulator):
    code, _verifier = get_code(entra_emulator)

    response = exchange(entra_emulator, code, "a-decoy-verifier-" + "x" * 40)

    assert_entra_error(response, 400, "invalid_grant", 501481)


def test_it_requires_the_verifier_when_a_challenge_was_sent(entra_emulator):
    code, _verifier = get_code(entra_emulator)

    response = exchange(entra_emulator, code, None)

    assert_entra_error(response, 400, "invalid_request", 900144)


def test_it_binds_the_code_to_the_client(entra_emulator):
    emu = entra_emulator
    other = emu.store.add_app(
        str(uuid.uuid4()), "other-secret", "Other", emu.demo_app.redirect_uris
    )
    code, verifier = get_code(emu)

    response = exchange(
        emu, code, verifier, client_id=other.client_id, client_secret="other-secret"
    )

    assert_entra_error(response, 400, "invalid_grant", 70000)


def test_it_binds_the_code_to_the_tenant(entra_emulator):
    emu = entra_emulator
    other = emu.add_tenant("elsewhere.onmicrosoft.com")
    code, verifier = get_code(emu)

    response = exchange(emu, code, verifier, tenant=other.tenant_id)

    assert_entra_error(response, 400, "invalid_grant", 700005)


@pytest.mark.parametrize(
    ("overrides", "status", "error", "code"),
    [
        ({"client_secret": None}, 401, "invalid_client", 7000218),
        ({"client_secret": "wrong"}, 401, "invalid_client", 7000215),
        ({"client_id": "00000000-0000-0000-0000-00000000dead"}, 400, "unauthorized_client", 700016),
        ({"client_id": None}, 400, "invalid_request", 900144),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
        ({"code": None}, 400, "invalid_request", 900144),
        ({"code": "not-a-code"}, 400, "invalid_grant", 70000),
    ],
)
def test_it_authenticates_the_client_and_the_request(
    entra_emulator, overrides, status, error, code
):
    auth_code, verifier = get_code(entra_emulator)

    response = exchange(entra_emulator, auth_code, verifier, **overrides)

    assert_entra_error(response, status, error, code)


def test_it_takes_the_secret_by_http_basic(entra_emulator):
    emu = entra_emulator
    code, verifier = get_code(emu)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": emu.demo_app.redirect_uris[0],
        "code_verifier": verifier,
    }

    response = token_post(emu, data, auth=(emu.demo_app.client_id, emu.demo_app.client_secret))

    assert response.status_code == 200, response.text


def test_it_refuses_a_json_body(entra_emulator):
    response = requests.post(
        entra_emulator.token_url(), json={"grant_type": "authorization_code"}, timeout=10
    )

    assert_entra_error(response, 400, "invalid_request", 9002313)


def test_it_echoes_the_client_request_id_as_correlation_id(entra_emulator):
    correlation = str(uuid.uuid4())
    code, _verifier = get_code(entra_emulator)

    response = exchange(
        entra_emulator, code, "wrong" * 10, headers={"client-request-id": correlation}
    )

    body = assert_entra_error(response, 400, "invalid_grant", 501481)
    assert body["correlation_id"] == correlation
    assert f"Correlation ID: {correlation}" in body["error_description"]
    assert response.headers["client-request-id"] == correlation


def test_it_refuses_an_unknown_tenant(entra_emulator):
    code, verifier = get_code(entra_emulator)

    response = exchange(entra_emulator, code, verifier, tenant="nosuch.onmicrosoft.com")

    assert_entra_error(response, 400, "invalid_request", 90002)
