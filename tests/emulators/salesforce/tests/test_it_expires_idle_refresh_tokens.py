from tests.emulators.salesforce.tests.helpers import assert_oauth_error, connect, refresh

DAY = 86400


def test_it_accepts_a_refresh_token_idle_for_29_days(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.advance(days=29)

    assert refresh(salesforce_emulator, token).status_code == 200


def test_it_rejects_a_refresh_token_idle_for_31_days(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.advance(days=31)

    assert not salesforce_emulator.is_refresh_token_live(token)
    assert_oauth_error(
        refresh(salesforce_emulator, token), "invalid_grant", "expired access/refresh token"
    )


def test_it_resets_the_idle_window_on_every_use(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    for _ in range(3):
        salesforce_emulator.advance(days=20)
        response = refresh(salesforce_emulator, token)
        assert response.status_code == 200, response.text
        token = response.json()["refresh_token"]

    salesforce_emulator.advance(days=31)
    assert refresh(salesforce_emulator, token).status_code == 400


def test_it_keeps_tokens_until_revoked_without_an_idle_ttl(salesforce_emulator):
    salesforce_emulator.demo_app.idle_refresh_token_ttl = None
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.advance(days=400)

    assert refresh(salesforce_emulator, token).status_code == 200


def test_it_applies_a_tightened_policy_at_once(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.demo_app.idle_refresh_token_ttl = 7 * DAY
    salesforce_emulator.advance(days=8)

    assert refresh(salesforce_emulator, token).status_code == 400
