from tests.emulators.salesforce.tests.helpers import api_get, assert_oauth_error, connect, refresh


def test_it_revokes_the_oldest_grant_on_the_sixth_approval(salesforce_emulator):
    bodies = [connect(salesforce_emulator) for _ in range(6)]

    oldest = bodies[0]
    assert not salesforce_emulator.is_refresh_token_live(oldest["refresh_token"])
    assert_oauth_error(
        refresh(salesforce_emulator, oldest["refresh_token"]),
        "invalid_grant",
        "expired access/refresh token",
    )
    assert api_get(salesforce_emulator, oldest["access_token"]).status_code == 401
    assert all(salesforce_emulator.is_refresh_token_live(b["refresh_token"]) for b in bodies[1:])


def test_it_counts_five_grants_as_within_the_limit(salesforce_emulator):
    bodies = [connect(salesforce_emulator) for _ in range(5)]

    assert all(salesforce_emulator.is_refresh_token_live(b["refresh_token"]) for b in bodies)


def test_it_counts_per_user(salesforce_emulator):
    emu = salesforce_emulator
    for _ in range(5):
        emu.mint_grant()
    other = emu.add_user(emu.demo_org, "second@orgkeeper.example", "pw-2")

    emu.mint_grant(user=other)

    assert len(emu.live_grants()) == 6


def test_it_counts_only_live_grants(salesforce_emulator):
    emu = salesforce_emulator
    minted = [emu.mint_grant() for _ in range(5)]
    emu.revoke_grant(emu.grants[2])

    emu.mint_grant()

    assert emu.is_refresh_token_live(minted[0]["refresh_token"])
    assert len(emu.live_grants()) == 5
