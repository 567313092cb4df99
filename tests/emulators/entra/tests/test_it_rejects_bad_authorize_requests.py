import pytest
import requests

from tests.emulators.entra.tests.helpers import (
    assert_redirected_error,
    authorize_url,
    pkce_pair,
)


def get(url: str) -> requests.Response:
    return requests.get(url, allow_redirects=False, timeout=10)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"client_id": "00000000-0000-0000-0000-00000000dead"}, 700016),
        ({"client_id": None}, 900144),
        ({"redirect_uri": "http://127.0.0.1:8881/api/connections/oauth/callback/"}, 50011),
        ({"redirect_uri": "http://evil.example/callback"}, 50011),
        ({"tenant": "nosuch.onmicrosoft.com"}, 90002),
    ],
)
def test_it_shows_an_error_page_without_redirecting(entra_emulator, overrides, code):
    tenant = overrides.pop("tenant", "organizations")
    _verifier, challenge = pkce_pair()

    response = get(authorize_url(entra_emulator, challenge, tenant=tenant, **overrides))

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert f"AADSTS{code}: " in response.text


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"response_type": "token"}, "unsupported_response_type", 70005),
        ({"response_type": None}, "invalid_request", 900144),
        ({"scope": None}, "invalid_request", 900144),
        ({"scope": "openid offline_access User.Read"}, "invalid_scope", 70011),
        ({"scope": "openid offline_access"}, "invalid_scope", 70011),
        ({"scope": "https://x.crm.dynamics.com/user_impersonation"}, "invalid_resource", 500011),
        ({"response_mode": "form_post"}, "invalid_request", 9002313),
        ({"prompt": "sometimes"}, "invalid_request", 9002313),
    ],
)
def test_it_redirects_bad_parameters(entra_emulator, overrides, error, code):
    _verifier, challenge = pkce_pair()

    response = get(authorize_url(entra_emulator, challenge, **overrides))

    assert response.status_code == 302
    assert_redirected_error(response.headers["Location"], error, code)


def test_it_refuses_two_resources_in_one_request(entra_emulator):
    emu = entra_emulator
    _verifier, challenge = pkce_pair()
    scope = f"{emu.environment_url()}/user_impersonation {emu.discovery_url}/user_impersonation"

    response = get(authorize_url(emu, challenge, scope=scope))

    assert_redirected_error(response.headers["Location"], "invalid_request", 28000)


@pytest.mark.parametrize(
    ("challenge", "method"),
    [
        ("p" * 43, "plain"),  # Entra takes plain; the emulator refuses any downgrade
        ("p" * 43, None),  # no method means plain (RFC 7636 section 4.3)
        (None, None),  # the demo app requires PKCE
        ("too-short", "S256"),
    ],
)
def test_it_takes_pkce_s256_only(entra_emulator, challenge, method):
    url = authorize_url(
        entra_emulator, challenge=challenge, code_challenge_method=method, code_challenge=challenge
    )

    response = get(url)

    assert_redirected_error(response.headers["Location"], "invalid_request", 9002313)


def test_it_echoes_no_state_when_none_was_sent(entra_emulator):
    _verifier, challenge = pkce_pair()

    response = get(authorize_url(entra_emulator, challenge, response_type="token", state=None))

    assert_redirected_error(response.headers["Location"], "unsupported_response_type", 70005, None)
