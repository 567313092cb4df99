"""A tiny OAuth client for the emulator tests: PKCE, authorize URL, code exchange, refresh."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from tests.emulators.salesforce import Emulator

TOKEN_PATH = "/services/oauth2/token"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def authorize_url(emu: Emulator, challenge: str | None = None, **overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": emu.demo_app.consumer_key,
        "redirect_uri": emu.demo_app.callback_urls[0],
        "scope": "id api refresh_token",
        "state": "state-123",
        "code_challenge_method": "S256",
    }
    if challenge:
        params["code_challenge"] = challenge
    params.update(overrides)
    params = {key: value for key, value in params.items() if value is not None}
    return f"{emu.base_url}/services/oauth2/authorize?{urlencode(params)}"


def query(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def get_code(emu: Emulator, **overrides: str) -> tuple[str, str]:
    """Sign in as the demo user and press Allow; returns (code, verifier)."""
    verifier, challenge = pkce_pair()
    location = emu.sign_in_and_allow(authorize_url(emu, challenge, **overrides))
    return query(location)["code"], verifier


def token_post(emu: Emulator, data: dict, **kwargs) -> requests.Response:
    return requests.post(emu.base_url + TOKEN_PATH, data=data, timeout=10, **kwargs)


def exchange(emu: Emulator, code: str, verifier: str | None, **overrides) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": emu.demo_app.consumer_key,
        "client_secret": emu.demo_app.consumer_secret,
        "redirect_uri": emu.demo_app.callback_urls[0],
        "code_verifier": verifier,
    }
    data.update(overrides)
    return token_post(emu, {key: value for key, value in data.items() if value is not None})


def connect(emu: Emulator) -> dict:
    """The whole browser flow plus code exchange; returns the token response body."""
    code, verifier = get_code(emu)
    response = exchange(emu, code, verifier)
    assert response.status_code == 200, response.text
    return response.json()


def refresh(emu: Emulator, refresh_token: str, **overrides) -> requests.Response:
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": emu.demo_app.consumer_key,
        "client_secret": emu.demo_app.consumer_secret,
    }
    data.update(overrides)
    return token_post(emu, {key: value for key, value in data.items() if value is not None})


def api_get(emu: Emulator, access_token: str, path: str = "/services/data/v62.0/limits"):
    return requests.get(
        emu.base_url + path, headers={"Authorization": f"Bearer {access_token}"}, timeout=10
    )


def assert_oauth_error(response: requests.Response, error: str, description: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"error": error, "error_description": description}
