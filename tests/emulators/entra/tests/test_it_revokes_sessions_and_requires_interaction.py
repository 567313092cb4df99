from tests.emulators.entra.tests.helpers import (
    assert_entra_error,
    connect,
    refresh,
)


def test_it_refuses_every_earlier_refresh_token_after_revoke_sessions(entra_emulator):
    emu = entra_emulator
    rt1 = connect(emu)["refresh_token"]
    rt2 = refresh(emu, rt1).json()["refresh_token"]

    emu.revoke_sessions(emu.demo_user)

    for token in (rt1, rt2):
        body = assert_entra_error(refresh(emu, token), 400, "invalid_grant", 50173)
        assert "TokensValidFrom" in body["error_description"]


def test_it_accepts_a_new_sign_in_after_revoke_sessions(entra_emulator):
    emu = entra_emulator
    connect(emu)
    emu.revoke_sessions(emu.demo_user)
    emu.advance(seconds=1)

    rt = connect(emu)["refresh_token"]

    assert refresh(emu, rt).status_code == 200


def test_it_requires_interaction_until_the_user_signs_in_again(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]
    emu.require_interaction(emu.demo_user)

    body = assert_entra_error(refresh(emu, rt), 400, "interaction_required", 50079)
    assert body["suberror"] == "basic_action"

    fresh = connect(emu)["refresh_token"]
    assert refresh(emu, fresh).status_code == 200
    assert refresh(emu, rt).status_code == 200  # the interactive sign-in cleared the requirement


def test_it_refuses_a_disabled_account(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]
    emu.demo_user.account_enabled = False

    assert_entra_error(refresh(emu, rt), 400, "invalid_grant", 50057)


def test_it_keeps_a_confidential_clients_tokens_through_a_password_change(entra_emulator):
    # https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens#token-revocation
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]

    emu.demo_user.password = "changed-1"

    assert refresh(emu, rt).status_code == 200
