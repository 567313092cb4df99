import requests

from tests.emulators.salesforce.tests.helpers import api_get, assert_oauth_error, connect, refresh

REVOKE_PATH = "/services/oauth2/revoke"


def revoke(emu, token):
    return requests.post(emu.base_url + REVOKE_PATH, data={"token": token}, timeout=10)


def test_it_revokes_an_access_token_alone(salesforce_emulator):
    body = connect(salesforce_emulator)

    response = revoke(salesforce_emulator, body["access_token"])

    assert response.status_code == 200
    assert api_get(salesforce_emulator, body["access_token"]).status_code == 401
    assert salesforce_emulator.is_refresh_token_live(body["refresh_token"])


def test_it_revokes_the_grant_with_a_refresh_token(salesforce_emulator):
    body = connect(salesforce_emulator)

    assert revoke(salesforce_emulator, body["refresh_token"]).status_code == 200

    assert api_get(salesforce_emulator, body["access_token"]).status_code == 401
    assert_oauth_error(
        refresh(salesforce_emulator, body["refresh_token"]),
        "invalid_grant",
        "expired access/refresh token",
    )


def test_it_accepts_a_get_with_the_token_in_the_query(salesforce_emulator):
    body = connect(salesforce_emulator)

    response = requests.get(
        salesforce_emulator.base_url + REVOKE_PATH,
        params={"token": body["refresh_token"]},
        timeout=10,
    )

    assert response.status_code == 200
    assert not salesforce_emulator.is_refresh_token_live(body["refresh_token"])


def test_it_rejects_an_unknown_or_already_revoked_token(salesforce_emulator):
    body = connect(salesforce_emulator)
    revoke(salesforce_emulator, body["refresh_token"])

    for token in ("nope", body["refresh_token"], body["access_token"]):
        assert_oauth_error(revoke(salesforce_emulator, token), "invalid_token", "invalid token")


def test_it_revokes_server_side_like_an_admin(salesforce_emulator):
    body = connect(salesforce_emulator)

    salesforce_emulator.revoke_grant(salesforce_emulator.grants[0])

    assert api_get(salesforce_emulator, body["access_token"]).status_code == 401
    assert refresh(salesforce_emulator, body["refresh_token"]).status_code == 400
