"""A tiny Entra ID client for the emulator's tests: PKCE, authorize URL, code, refresh, APIs."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.emulators.entra import Emulator

SCOPES = "offline_access openid profile"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def resource_scope(resource: str) -> str:
    return f"{resource}/user_impersonation {SCOPES}"


def authorize_url(
    emu: Emulator, challenge: str | None = None, tenant: str = "organizations", **overrides
) -> str:
    params = {
        "client_id": emu.demo_app.client_id,
        "response_type": "code",
        "redirect_uri": emu.demo_app.redirect_uris[0],
        "response_mode": "query",
        "scope": resource_scope(emu.environment_url()),
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    params = {key: value for key, value in params.items() if value is not None}
    return f"{emu.authorize_url(tenant)}?{urlencode(params)}"


def query(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def get_code(emu: Emulator, username=None, password=None, **overrides) -> tuple[str, str]:
    """Sign in and consent; returns (code, verifier)."""
    verifier, challenge = pkce_pair()
    location = emu.sign_in(authorize_url(emu, challenge, **overrides), username, password)
    params = query(location)
    assert "code" in params, params
    return params["code"], verifier


def token_post(emu: Emulator, data: dict, tenant: str = "organizations", **kwargs):
    data = {key: value for key, value in data.items() if value is not None}
    return requests.post(emu.token_url(tenant), data=data, timeout=10, **kwargs)


def exchange(
    emu: Emulator,
    code: str,
    verifier: str | None,
    /,
    tenant="organizations",
    headers=None,
    **overrides,
):
    data = {
        "grant_type": "authorization_code",
        "client_id": emu.demo_app.client_id,
        "client_secret": emu.demo_app.client_secret,
        "code": code,
        "redirect_uri": emu.demo_app.redirect_uris[0],
        "code_verifier": verifier,
    }
    data.update(overrides)
    return token_post(emu, data, tenant, headers=headers)


def connect(emu: Emulator, username=None, password=None, **overrides) -> dict:
    """Browser sign-in plus code exchange; returns the token response body."""
    code, verifier = get_code(emu, username, password, **overrides)
    response = exchange(emu, code, verifier)
    assert response.status_code == 200, response.text
    return response.json()


def refresh(emu: Emulator, refresh_token: str, /, resource: str | None = None, **overrides):
    data = {
        "grant_type": "refresh_token",
        "client_id": emu.demo_app.client_id,
        "client_secret": emu.demo_app.client_secret,
        "refresh_token": refresh_token,
        "scope": resource_scope(resource or emu.environment_url()),
    }
    data.update(overrides)
    return token_post(emu, data)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def who_am_i(emu: Emulator, access_token: str, environment: str | None = None):
    url = f"{emu.environment_url(environment)}/api/data/v9.2/WhoAmI"
    return requests.get(url, headers=bearer(access_token), timeout=10)


def instances(emu: Emulator, access_token: str, suffix: str = "Instances"):
    url = f"{emu.discovery_url}/api/discovery/v2.0/{suffix}"
    return requests.get(url, headers=bearer(access_token), timeout=10)


def assert_entra_error(response: requests.Response, status: int, error: str, code: int) -> dict:
    """Entra's token error body, with the AADSTS code in `error_codes` and the description."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    assert body["error_codes"] == [code], body
    assert body["error_description"].startswith(f"AADSTS{code}: "), body
    for key in ("timestamp", "trace_id", "correlation_id", "error_uri"):
        assert body[key], key
    return body


def assert_redirected_error(location: str, error: str, code: int, state="state-123") -> dict:
    params = query(location)
    assert params["error"] == error, params
    assert params["error_description"].startswith(f"AADSTS{code}: "), params
    assert "Correlation ID: " in params["error_description"]
    assert params["error_uri"].endswith(f"/error?code={code}")
    assert params.get("state") == state
    assert "code" not in params
    return params
