"""`high_assurance_required`: the app's session policy makes its sessions unfit for the REST
API. Every REST call answers 401 "This session is not valid for use with the REST API", also
with the access token of a fresh refresh; the refresh itself and the identity URL work."""

import requests

from tests.emulators.salesforce.tests.helpers import api_get, connect, refresh

NOT_VALID = [
    {
        "message": "This session is not valid for use with the REST API",
        "errorCode": "INVALID_SESSION_ID",
    }
]


def test_rest_calls_are_refused_even_after_a_refresh(salesforce_emulator):
    emu = salesforce_emulator
    body = connect(emu)
    emu.demo_app.high_assurance_required = True

    for path in ("/services/data/", "/services/data/v62.0/", "/services/data/v62.0/limits"):
        response = api_get(emu, body["access_token"], path)
        assert response.status_code == 401, path
        assert response.json() == NOT_VALID

    refreshed = refresh(emu, body["refresh_token"])
    assert refreshed.status_code == 200
    fresh = refreshed.json()
    assert api_get(emu, fresh["access_token"]).json() == NOT_VALID
    assert emu.is_refresh_token_live(fresh["refresh_token"])
    identity = requests.get(
        fresh["id"], headers={"Authorization": f"Bearer {fresh['access_token']}"}, timeout=10
    )
    assert identity.status_code == 200


def test_the_control_api_switches_it_off_again(salesforce_emulator):
    emu = salesforce_emulator
    body = connect(emu)
    app_url = f"{emu.base_url}/_emulator/apps/{emu.demo_app.consumer_key}"
    requests.post(app_url, json={"high_assurance_required": True}, timeout=5)
    assert api_get(emu, body["access_token"]).status_code == 401

    requests.post(app_url, json={"high_assurance_required": False}, timeout=5)

    assert api_get(emu, body["access_token"]).status_code == 200


def test_an_expired_session_still_says_so(salesforce_emulator):
    response = api_get(salesforce_emulator, "00D!not-a-token")

    assert response.json()[0]["message"] == "Session expired or invalid"
