import requests

from tests.emulators.entra import DEMO_CLIENT_SECRET, DEMO_TENANT_ID, fingerprint
from tests.emulators.entra.tests.helpers import (
    assert_entra_error,
    assert_redirected_error,
    authorize_url,
    connect,
    pkce_pair,
    refresh,
    who_am_i,
)


def control(emu, path: str, body: dict | None = None, method: str = "POST") -> dict:
    response = requests.request(method, f"{emu.base_url}/_emulator/{path}", json=body, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_it_advances_the_clock(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]

    answer = control(emu, "advance", {"days": 90, "seconds": 1})

    assert answer["clock_offset"] == 90 * 86400 + 1
    assert_entra_error(refresh(emu, rt), 400, "invalid_grant", 700082)


def test_it_queues_faults_and_sets_latency_and_skew(entra_emulator):
    emu = entra_emulator
    body = {"count": 2, "status": 429, "retry_after": 3, "target": "token", "latency": 0.01}

    answer = control(emu, "faults", {**body, "clock_skew": -30})

    assert len(answer["pending"]) == 2 and answer["latency"] == 0.01
    assert answer["clock_skew"] == -30
    assert control(emu, "faults", {"clear": True})["pending"] == []


def test_it_adds_users_and_manages_their_dataverse_membership(entra_emulator):
    emu = entra_emulator
    user = control(
        emu,
        "users",
        {"username": "ops@orgkeeper-demo.onmicrosoft.com", "password": "pw-2", "environments": []},
    )
    token = connect(emu, "ops@orgkeeper-demo.onmicrosoft.com", "pw-2")["access_token"]
    assert who_am_i(emu, token).status_code == 403

    member = control(emu, f"environments/orgkeeper-demo/users/{user['oid']}", {"enabled": True})
    assert member["member"] and who_am_i(emu, token).status_code == 200

    control(emu, f"environments/orgkeeper-demo/users/{user['oid']}", {"enabled": False})
    assert who_am_i(emu, token).status_code == 403
    control(emu, f"environments/orgkeeper-demo/users/{user['oid']}", method="DELETE")
    assert user["oid"] not in emu.environments[0].members


def test_it_switches_consent_revocation_and_interaction(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]

    control(emu, f"users/{emu.demo_user.username}", {"interaction_required": True})
    assert_entra_error(refresh(emu, rt), 400, "interaction_required", 50079)
    control(emu, f"users/{emu.demo_user.oid}", {"interaction_required": False})
    control(emu, f"users/{emu.demo_user.oid}/revoke_sessions")
    assert_entra_error(refresh(emu, rt), 400, "invalid_grant", 50173)

    control(
        emu, f"tenants/{DEMO_TENANT_ID}", {"user_consent_allowed": False, "revoke_consent": True}
    )
    _verifier, challenge = pkce_pair()
    assert_redirected_error(emu.sign_in(authorize_url(emu, challenge)), "access_denied", 90094)


def test_it_shortens_the_refresh_token_lifetime(entra_emulator):
    emu = entra_emulator
    control(emu, "tenants/orgkeeper-demo.onmicrosoft.com", {"refresh_token_lifetime_days": 1})
    rt = connect(emu)["refresh_token"]
    control(emu, "advance", {"days": 1, "seconds": 1})

    assert_entra_error(refresh(emu, rt), 400, "invalid_grant", 700082)


def test_it_serves_the_refresh_log_without_tokens(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]
    new = refresh(emu, rt).json()["refresh_token"]

    log = control(emu, "refresh_log", method="GET")["requests"]
    everything = control(emu, "token_requests", method="GET")["requests"]

    assert [e["presented"] for e in log] == [fingerprint(rt)]
    assert log[0]["issued"] == fingerprint(new)
    assert [e["grant_type"] for e in everything] == ["authorization_code", "refresh_token"]
    assert rt not in str(everything) and new not in str(everything)


def test_it_shows_state_and_a_status_page_without_secrets(entra_emulator):
    emu = entra_emulator
    tokens = connect(emu)

    state = control(emu, "state", method="GET")
    page = requests.get(f"{emu.base_url}/", timeout=10).text

    assert state["refresh_tokens"][0]["fingerprint"] == fingerprint(tokens["refresh_token"])
    assert state["refresh_tokens"][0]["status"] == "live (newest)"
    for text in (str(state), page):
        assert DEMO_CLIENT_SECRET not in text
        assert tokens["refresh_token"] not in text and tokens["access_token"] not in text
        assert emu.demo_user.password not in text
    assert "orgkeeper-sandbox" in page and "Refresh tokens" in page


def test_it_resets(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]
    emu.set_user_consent(False)

    control(emu, "reset")

    assert emu.demo_tenant.user_consent_allowed
    assert emu.snapshot()["refresh_tokens"] == []
    assert_entra_error(refresh(emu, rt), 400, "invalid_request", 9002313)


def test_it_answers_bad_control_input_with_400_and_404(entra_emulator):
    base = f"{entra_emulator.base_url}/_emulator"

    unknown_key = requests.post(f"{base}/faults", json={"statuss": 500}, timeout=10)
    bad_target = requests.post(f"{base}/faults", json={"count": 1, "target": "x"}, timeout=10)
    no_user = requests.post(f"{base}/users/nobody@example.com", json={}, timeout=10)

    assert (unknown_key.status_code, bad_target.status_code, no_user.status_code) == (400, 400, 404)
