import base64
import hashlib
import hmac

import pytest
import requests

from tests.emulators.salesforce import SignInFailed
from tests.emulators.salesforce.tests.helpers import (
    authorize_url,
    connect,
    exchange,
    get_code,
    pkce_pair,
    query,
    token_post,
)


def test_it_returns_a_salesforce_shaped_token_response(salesforce_emulator):
    emu = salesforce_emulator
    body = connect(emu)

    assert list(body) == [
        "access_token",
        "refresh_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    ]
    assert "expires_in" not in body
    assert body["access_token"].startswith(emu.demo_org.org_id + "!")
    assert body["scope"] == "id api refresh_token"
    assert body["instance_url"] == emu.base_url
    assert body["id"] == f"{emu.base_url}/id/{emu.demo_org.org_id}/{emu.demo_user.user_id}"
    assert body["token_type"] == "Bearer"
    assert len(body["issued_at"]) == 13 and body["issued_at"].isdigit()


def test_it_signs_id_and_issued_at_with_the_consumer_secret(salesforce_emulator):
    body = connect(salesforce_emulator)

    secret = salesforce_emulator.demo_app.consumer_secret.encode()
    digest = hmac.new(secret, (body["id"] + body["issued_at"]).encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(base64.b64encode(digest).decode(), body["signature"])


def test_it_echoes_state_with_the_code(salesforce_emulator):
    _verifier, challenge = pkce_pair()
    location = salesforce_emulator.sign_in_and_allow(
        authorize_url(salesforce_emulator, challenge, state="xyz 42")
    )

    assert location.startswith(salesforce_emulator.demo_app.callback_urls[0] + "?")
    assert query(location)["state"] == "xyz 42"
    assert query(location)["code"]


def test_it_accepts_client_credentials_in_a_basic_header(salesforce_emulator):
    emu = salesforce_emulator
    code, verifier = get_code(emu)
    response = token_post(
        emu,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": emu.demo_app.callback_urls[0],
            "code_verifier": verifier,
        },
        auth=(emu.demo_app.consumer_key, emu.demo_app.consumer_secret),
    )

    assert response.status_code == 200, response.text


def test_it_omits_the_refresh_token_without_the_refresh_scope(salesforce_emulator):
    code, verifier = get_code(salesforce_emulator, scope="id api")
    body = exchange(salesforce_emulator, code, verifier).json()

    assert "refresh_token" not in body
    assert body["scope"] == "id api"


def test_it_shows_a_sign_in_form_naming_the_org(salesforce_emulator):
    _verifier, challenge = pkce_pair()
    page = requests.get(authorize_url(salesforce_emulator, challenge), timeout=10)

    assert page.status_code == 200
    for text in ("Username", "Password", "Log In", "orgkeeper-demo", 'name="pending"'):
        assert text in page.text


def test_it_shows_the_form_again_after_a_wrong_password(salesforce_emulator):
    _verifier, challenge = pkce_pair()
    session = requests.Session()
    page = session.get(authorize_url(salesforce_emulator, challenge), timeout=10)
    pending = page.text.split('name="pending" value="')[1].split('"')[0]

    again = session.post(
        salesforce_emulator.base_url + "/login",
        data={
            "pending": pending,
            "username": salesforce_emulator.demo_user.username,
            "password": "x",
        },
        allow_redirects=False,
        timeout=10,
    )

    assert again.status_code == 200
    assert "Please check your username and password" in again.text
    assert "Log In" in again.text


def test_it_rejects_an_inactive_user_at_sign_in(salesforce_emulator):
    salesforce_emulator.deactivate_user(salesforce_emulator.demo_user)
    _verifier, challenge = pkce_pair()

    with pytest.raises(SignInFailed, match="check your username and password"):
        salesforce_emulator.sign_in_and_allow(authorize_url(salesforce_emulator, challenge))
