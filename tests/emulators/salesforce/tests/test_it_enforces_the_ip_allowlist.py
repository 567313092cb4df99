from tests.emulators.salesforce.tests.helpers import (
    assert_oauth_error,
    connect,
    exchange,
    get_code,
    refresh,
)


def test_it_allows_the_demo_loopback_address(salesforce_emulator):
    assert salesforce_emulator.demo_app.ip_allowlist == ["127.0.0.1/32"]
    assert (
        refresh(salesforce_emulator, connect(salesforce_emulator)["refresh_token"]).status_code
        == 200
    )


def test_it_blocks_the_code_exchange_from_outside_the_allowlist(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator)
    salesforce_emulator.demo_app.ip_allowlist = ["10.0.0.0/8"]

    assert_oauth_error(
        exchange(salesforce_emulator, code, verifier), "invalid_grant", "ip restricted"
    )


def test_it_blocks_a_refresh_from_outside_the_allowlist(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.demo_app.ip_allowlist = ["10.0.0.0/8", "192.168.1.7"]

    assert_oauth_error(refresh(salesforce_emulator, token), "invalid_grant", "ip restricted")
    # Blocked, not revoked: fixing the allowlist makes the same token work.
    salesforce_emulator.demo_app.ip_allowlist = ["10.0.0.0/8", "127.0.0.0/8"]
    assert refresh(salesforce_emulator, token).status_code == 200


def test_it_does_not_enforce_an_empty_allowlist(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    for allowlist in (None, []):
        salesforce_emulator.demo_app.ip_allowlist = allowlist
        response = refresh(salesforce_emulator, token)
        assert response.status_code == 200
        token = response.json()["refresh_token"]
