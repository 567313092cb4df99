import requests

from tests.emulators.salesforce.tests.helpers import (
    api_get,
    assert_oauth_error,
    authorize_url,
    exchange,
    get_code,
    pkce_pair,
    query,
    refresh,
)


def test_it_rejects_a_wrong_code_verifier(salesforce_emulator):
    code, _verifier = get_code(salesforce_emulator)

    response = exchange(salesforce_emulator, code, "w" * 43)

    assert_oauth_error(response, "invalid_grant", "invalid code verifier")


def test_it_rejects_a_missing_code_verifier(salesforce_emulator):
    code, _verifier = get_code(salesforce_emulator)

    assert_oauth_error(
        exchange(salesforce_emulator, code, None), "invalid_grant", "invalid code verifier"
    )


def test_it_rejects_a_missing_client_secret(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)

    response = exchange(salesforce_emulator, code, verifier, client_secret=None)

    assert_oauth_error(response, "invalid_client", "invalid client credentials")


def test_it_accepts_a_missing_secret_when_the_app_does_not_require_it(salesforce_emulator):
    salesforce_emulator.demo_app.require_secret_web_server = False
    code, verifier = get_code(salesforce_emulator)

    assert exchange(salesforce_emulator, code, verifier, client_secret=None).status_code == 200


def test_it_rejects_a_wrong_client_secret(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)

    response = exchange(salesforce_emulator, code, verifier, client_secret="nope")

    assert_oauth_error(response, "invalid_client", "invalid client credentials")


def test_it_rejects_an_unknown_client_id(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)

    response = exchange(salesforce_emulator, code, verifier, client_id="3MVG9Unknown")

    assert_oauth_error(response, "invalid_client_id", "client identifier invalid")


def test_it_rejects_a_redirect_uri_that_differs_from_authorize(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)

    response = exchange(
        salesforce_emulator,
        code,
        verifier,
        redirect_uri=salesforce_emulator.demo_app.callback_urls[1],
    )

    assert_oauth_error(response, "redirect_uri_mismatch", "redirect_uri must match configuration")


def test_it_rejects_a_reused_code_and_revokes_its_tokens(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)
    first = exchange(salesforce_emulator, code, verifier).json()

    second = exchange(salesforce_emulator, code, verifier)

    assert_oauth_error(second, "invalid_grant", "expired authorization code")
    assert not salesforce_emulator.is_refresh_token_live(first["refresh_token"])
    assert api_get(salesforce_emulator, first["access_token"]).status_code == 401
    assert_oauth_error(
        refresh(salesforce_emulator, first["refresh_token"]),
        "invalid_grant",
        "expired access/refresh token",
    )


def test_it_rejects_a_code_older_than_15_minutes(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)
    salesforce_emulator.advance(seconds=15 * 60 + 1)

    assert_oauth_error(
        exchange(salesforce_emulator, code, verifier), "invalid_grant", "expired authorization code"
    )


def test_it_accepts_a_code_within_15_minutes(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)
    salesforce_emulator.advance(seconds=14 * 60)

    assert exchange(salesforce_emulator, code, verifier).status_code == 200


def test_it_rejects_an_unknown_code(salesforce_emulator):
    response = exchange(salesforce_emulator, "made-up", "v" * 43)

    assert_oauth_error(response, "invalid_grant", "expired authorization code")


def test_it_rejects_a_json_body(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)
    app = salesforce_emulator.demo_app

    response = requests.post(
        salesforce_emulator.base_url + "/services/oauth2/token",
        json={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.consumer_key,
            "client_secret": app.consumer_secret,
            "redirect_uri": app.callback_urls[0],
            "code_verifier": verifier,
        },
        timeout=10,
    )

    assert_oauth_error(response, "unsupported_grant_type", "grant type not supported")


def test_it_rejects_an_unknown_grant_type(salesforce_emulator):
    response = exchange(salesforce_emulator, "x", None, grant_type="password")

    assert_oauth_error(response, "unsupported_grant_type", "grant type not supported")


def test_it_answers_inactive_user_at_the_exchange(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)
    salesforce_emulator.deactivate_user(salesforce_emulator.demo_user)

    assert_oauth_error(
        exchange(salesforce_emulator, code, verifier), "invalid_grant", "inactive user"
    )


def test_it_fails_a_plain_challenge_verified_as_s256_without_the_method(salesforce_emulator):
    # Clients that left out code_challenge_method got "invalid code verifier" (docs/salesforce-
    # protocol.md, "Authorize request and PKCE").
    emu = salesforce_emulator
    emu.demo_app.require_pkce = False
    verifier, challenge = pkce_pair()
    url = authorize_url(emu, challenge, code_challenge_method=None)
    code = query(emu.sign_in_and_allow(url))["code"]

    assert_oauth_error(exchange(emu, code, verifier), "invalid_grant", "invalid code verifier")


def test_it_never_verifies_a_challenge_sent_without_the_method(salesforce_emulator):
    # Not even as "plain" (verifier == challenge): S256 only (docs/salesforce-protocol.md,
    # "Authorize request and PKCE", "Errors").
    emu = salesforce_emulator
    emu.demo_app.require_pkce = False
    verifier = "p" * 43
    url = authorize_url(emu, verifier, code_challenge_method=None)
    code = query(emu.sign_in_and_allow(url))["code"]

    assert_oauth_error(exchange(emu, code, verifier), "invalid_grant", "invalid code verifier")
