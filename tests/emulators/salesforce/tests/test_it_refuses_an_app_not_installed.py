"""`installed=False`: the External Client App isn't installed in the org. The user signs in,
then the authorize redirect carries OAUTH_EC_APP_NOT_FOUND; the token endpoint answers it to
code exchanges and refreshes alike."""

import requests

from tests.emulators.salesforce.tests.helpers import (
    assert_oauth_error,
    authorize_url,
    connect,
    exchange,
    get_code,
    pkce_pair,
    query,
    refresh,
)

NOT_INSTALLED = ("OAUTH_EC_APP_NOT_FOUND", "External client app is not installed in this org")


def test_the_authorize_redirect_says_so_after_sign_in(salesforce_emulator):
    emu = salesforce_emulator
    emu.demo_app.installed = False
    _verifier, challenge = pkce_pair()

    location = emu.sign_in_and_allow(authorize_url(emu, challenge))

    params = query(location)
    assert location.startswith(emu.demo_app.callback_urls[0] + "?")
    assert (params["error"], params["error_description"]) == NOT_INSTALLED
    assert params["state"] == "state-123"
    assert not emu.store.codes and not emu.store.pending


def test_the_token_endpoint_refuses_the_code(salesforce_emulator):
    emu = salesforce_emulator
    code, verifier = get_code(emu)
    emu.demo_app.installed = False

    assert_oauth_error(exchange(emu, code, verifier), *NOT_INSTALLED)
    assert not emu.grants


def test_the_token_endpoint_refuses_a_refresh_until_installed(salesforce_emulator):
    emu = salesforce_emulator
    body = connect(emu)
    emu.demo_app.installed = False

    assert_oauth_error(refresh(emu, body["refresh_token"]), *NOT_INSTALLED)
    assert emu.is_refresh_token_live(body["refresh_token"])

    emu.demo_app.installed = True
    assert refresh(emu, body["refresh_token"]).status_code == 200


def test_the_control_api_switches_it(salesforce_emulator):
    emu = salesforce_emulator
    response = requests.post(
        f"{emu.base_url}/_emulator/apps/{emu.demo_app.consumer_key}",
        json={"installed": False},
        timeout=5,
    )

    assert response.status_code == 200
    assert emu.demo_app.installed is False
    assert emu.snapshot()["apps"][0]["installed"] is False
