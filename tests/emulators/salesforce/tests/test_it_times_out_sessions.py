from tests.emulators.salesforce.tests.helpers import api_get, connect, refresh

INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_it_serves_limits_with_a_fresh_token(salesforce_emulator):
    response = api_get(salesforce_emulator, connect(salesforce_emulator)["access_token"])

    assert response.status_code == 200
    assert response.json()["DailyApiRequests"]["Max"] == 15000


def test_it_accepts_any_api_version(salesforce_emulator):
    token = connect(salesforce_emulator)["access_token"]

    assert api_get(salesforce_emulator, token, "/services/data/v59.0/limits").status_code == 200
    assert api_get(salesforce_emulator, token, "/services/data/v64.0/").status_code == 200
    assert api_get(salesforce_emulator, token, "/services/data/latest/limits").status_code == 404


def test_it_lists_versions(salesforce_emulator):
    response = api_get(
        salesforce_emulator, connect(salesforce_emulator)["access_token"], "/services/data/"
    )

    assert {
        "label": "Winter '25",
        "url": "/services/data/v62.0",
        "version": "62.0",
    } in response.json()


def test_it_expires_the_session_after_the_inactivity_timeout(salesforce_emulator):
    token = connect(salesforce_emulator)["access_token"]
    salesforce_emulator.advance(seconds=2 * 3600 + 1)

    response = api_get(salesforce_emulator, token)

    assert response.status_code == 401
    assert response.json() == INVALID_SESSION


def test_it_keeps_the_session_alive_while_it_is_used(salesforce_emulator):
    token = connect(salesforce_emulator)["access_token"]
    for _ in range(3):
        salesforce_emulator.advance(seconds=2 * 3600 - 60)
        assert api_get(salesforce_emulator, token).status_code == 200


def test_it_uses_the_app_session_timeout(salesforce_emulator):
    salesforce_emulator.demo_app.session_timeout = 15 * 60
    token = connect(salesforce_emulator)["access_token"]

    salesforce_emulator.advance(seconds=14 * 60)
    assert api_get(salesforce_emulator, token).status_code == 200
    salesforce_emulator.advance(seconds=16 * 60)
    assert api_get(salesforce_emulator, token).status_code == 401


def test_it_gives_a_working_access_token_on_refresh_after_expiry(salesforce_emulator):
    body = connect(salesforce_emulator)
    salesforce_emulator.advance(seconds=3 * 3600)

    fresh = refresh(salesforce_emulator, body["refresh_token"]).json()

    assert api_get(salesforce_emulator, fresh["access_token"]).status_code == 200


def test_it_counts_api_calls_per_access_token(salesforce_emulator):
    token = connect(salesforce_emulator)["access_token"]
    for _ in range(3):
        api_get(salesforce_emulator, token)

    (grant,) = salesforce_emulator.grants
    assert grant.access_tokens[0].api_calls == 3
    remaining = api_get(salesforce_emulator, token).json()["DailyApiRequests"]["Remaining"]
    assert remaining == 15000 - 4


def test_it_rejects_a_deactivated_user_on_the_api(salesforce_emulator):
    token = connect(salesforce_emulator)["access_token"]
    salesforce_emulator.deactivate_user(salesforce_emulator.demo_user)

    assert api_get(salesforce_emulator, token).status_code == 401
