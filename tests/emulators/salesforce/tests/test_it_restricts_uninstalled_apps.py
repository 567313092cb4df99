"""`uninstalled_app_restricted`: Salesforce's September 2025 restriction on uninstalled apps.
A user without "Approve Uninstalled Connected Apps" / "Use Any API Client" gets
OAUTH_APPROVAL_ERROR_GENERIC on Allow; users who approved the app before keep refreshing."""

import requests

from tests.emulators.salesforce import Emulator, demo_config
from tests.emulators.salesforce.tests.helpers import (
    authorize_url,
    connect,
    exchange,
    pkce_pair,
    query,
    refresh,
)

APPROVAL_ERROR = (
    "OAUTH_APPROVAL_ERROR_GENERIC",
    "An unexpected error has occurred during authentication. Please try again.",
)


def allow(emu) -> dict[str, str]:
    verifier, challenge = pkce_pair()
    params = query(emu.sign_in_and_allow(authorize_url(emu, challenge)))
    params["verifier"] = verifier
    return params


def test_a_user_without_the_permission_gets_the_generic_approval_error(salesforce_emulator):
    emu = salesforce_emulator
    emu.demo_app.uninstalled_app_restricted = True

    params = allow(emu)

    assert (params["error"], params["error_description"]) == APPROVAL_ERROR
    assert params["state"] == "state-123"
    assert not emu.store.codes


def test_a_user_with_the_permission_connects(salesforce_emulator):
    emu = salesforce_emulator
    emu.demo_app.uninstalled_app_restricted = True
    response = requests.post(
        f"{emu.base_url}/_emulator/users/{emu.demo_user.user_id}",
        json={"approve_uninstalled_apps": True},
        timeout=5,
    )
    assert response.json()["approve_uninstalled_apps"] is True

    params = allow(emu)

    assert exchange(emu, params["code"], params["verifier"]).status_code == 200


def test_users_who_approved_before_keep_refreshing(salesforce_emulator):
    emu = salesforce_emulator
    body = connect(emu)
    requests.post(
        f"{emu.base_url}/_emulator/apps/{emu.demo_app.consumer_key}",
        json={"uninstalled_app_restricted": True},
        timeout=5,
    )

    refreshed = refresh(emu, body["refresh_token"])

    assert refreshed.status_code == 200, refreshed.text
    assert "error" in allow(emu)  # while a new approval is refused


def test_the_json_config_sets_the_switches():
    config = demo_config()
    config["users"][0]["approve_uninstalled_apps"] = True
    config["apps"][0].update(
        installed=False, uninstalled_app_restricted=True, high_assurance_required=True
    )

    emu = Emulator(config)

    assert emu.demo_user.approve_uninstalled_apps
    app = emu.demo_app
    assert (app.installed, app.uninstalled_app_restricted, app.high_assurance_required) == (
        False,
        True,
        True,
    )
