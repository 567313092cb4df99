from tests.emulators.entra import fingerprint
from tests.emulators.entra.tests.helpers import (
    assert_entra_error,
    connect,
    refresh,
    who_am_i,
)


def test_it_answers_a_new_refresh_token_and_keeps_the_old_one(entra_emulator):
    emu = entra_emulator
    first = connect(emu)["refresh_token"]

    second = refresh(emu, first).json()
    again = refresh(emu, first)

    assert second["refresh_token"] != first
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] not in (first, second["refresh_token"])
    assert who_am_i(emu, second["access_token"]).status_code == 200


def test_it_expires_a_refresh_token_90_days_after_its_issue_even_if_used(entra_emulator):
    emu = entra_emulator
    original = connect(emu)["refresh_token"]
    for _day in range(89):
        emu.advance(days=1)
        assert refresh(emu, original).status_code == 200

    emu.advance(days=1, seconds=1)
    response = refresh(emu, original)

    body = assert_entra_error(response, 400, "invalid_grant", 700082)
    assert "was inactive for 90.00:00:00" in body["error_description"]


def test_it_keeps_a_chain_alive_for_200_days_with_the_newest_token(entra_emulator):
    emu = entra_emulator
    newest = connect(emu)["refresh_token"]
    original = newest
    for _step in range(20):
        emu.advance(days=10)
        response = refresh(emu, newest)
        assert response.status_code == 200, response.text
        newest = response.json()["refresh_token"]
        assert who_am_i(emu, response.json()["access_token"]).status_code == 200

    assert_entra_error(refresh(emu, original), 400, "invalid_grant", 700082)
    log = emu.refresh_log()
    assert len(log) == 21
    assert all(entry["presented_generation"] == entry["newest_generation"] for entry in log[:20])
    assert log[-1]["presented"] == fingerprint(original)
    assert log[-1]["presented_generation"] == 1 and log[-1]["error_code"] == 700082


def test_it_records_which_token_each_refresh_presented(entra_emulator):
    emu = entra_emulator
    rt1 = connect(emu)["refresh_token"]
    rt2 = refresh(emu, rt1).json()["refresh_token"]

    refresh(emu, rt1)  # a stale copy, as a sibling worker would send it

    first, second = emu.refresh_log()
    assert (first["presented"], first["issued"]) == (fingerprint(rt1), fingerprint(rt2))
    assert first["presented_generation"] == first["newest_generation"] == 1
    assert second["presented"] == fingerprint(rt1)
    assert (second["presented_generation"], second["newest_generation"]) == (1, 2)
    assert rt1 not in str(emu.refresh_log()) and rt2 not in str(emu.refresh_log())


def test_it_mints_a_token_for_any_resource_from_one_refresh_token(entra_emulator):
    emu = entra_emulator
    tokens = connect(emu)

    disco = refresh(emu, tokens["refresh_token"], resource=emu.discovery_url)
    sandbox = refresh(
        emu, tokens["refresh_token"], resource=emu.environment_url("orgkeeper-sandbox")
    )

    assert disco.json()["scope"] == f"{emu.discovery_url}/user_impersonation"
    assert who_am_i(emu, sandbox.json()["access_token"], "orgkeeper-sandbox").status_code == 200


def test_it_requires_a_scope_on_refresh(entra_emulator):
    rt = connect(entra_emulator)["refresh_token"]

    response = refresh(entra_emulator, rt, scope=None)

    assert_entra_error(response, 400, "invalid_request", 900144)


def test_it_refuses_a_refresh_token_it_never_issued_or_another_client(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]

    assert_entra_error(refresh(emu, "0.AX-forged"), 400, "invalid_request", 9002313)
    assert_entra_error(refresh(emu, rt, client_secret="wrong"), 401, "invalid_client", 7000215)
    assert_entra_error(refresh(emu, rt, client_secret=None), 401, "invalid_client", 7000218)


def test_it_shortens_the_lifetime_per_tenant(entra_emulator):
    emu = entra_emulator
    emu.demo_tenant.refresh_token_lifetime = 12 * 3600  # a Conditional Access sign-in frequency
    rt = connect(emu)["refresh_token"]
    emu.advance(seconds=12 * 3600 + 1)

    body = assert_entra_error(refresh(emu, rt), 400, "invalid_grant", 700082)
    assert "was inactive for 12:00:00." in body["error_description"]
