import requests

from tests.emulators.salesforce.tests.helpers import api_get, connect


def test_it_returns_the_identity_document(salesforce_emulator):
    emu = salesforce_emulator
    body = connect(emu)

    response = api_get(emu, body["access_token"], body["id"].removeprefix(emu.base_url))

    doc = response.json()
    assert response.status_code == 200
    assert doc["id"] == body["id"]
    assert doc["user_id"] == emu.demo_user.user_id
    assert doc["organization_id"] == emu.demo_org.org_id
    assert doc["username"] == emu.demo_user.username
    assert doc["display_name"] == "Demo Admin"
    assert doc["email"] == emu.demo_user.email
    assert doc["active"] is True
    assert doc["urls"]["rest"] == emu.base_url + "/services/data/v{version}/"
    assert doc["urls"]["custom_domain"] == emu.base_url


def test_it_accepts_the_oauth_token_query_parameter(salesforce_emulator):
    body = connect(salesforce_emulator)

    response = requests.get(body["id"], params={"oauth_token": body["access_token"]}, timeout=10)

    assert response.status_code == 200


def test_it_answers_bad_oauth_token_for_a_bad_token(salesforce_emulator):
    body = connect(salesforce_emulator)

    response = requests.get(body["id"], headers={"Authorization": "Bearer nope"}, timeout=10)

    assert response.status_code == 401
    assert response.text == "Bad_OAuth_Token"


def test_it_forbids_another_users_identity_url(salesforce_emulator):
    emu = salesforce_emulator
    other = emu.add_user(emu.demo_org, "other@orgkeeper.example", "pw-2")
    token = connect(emu)["access_token"]

    response = api_get(emu, token, f"/id/{emu.demo_org.org_id}/{other.user_id}")

    assert response.status_code == 403


def test_it_returns_openid_userinfo(salesforce_emulator):
    emu = salesforce_emulator
    body = connect(emu)

    claims = api_get(emu, body["access_token"], "/services/oauth2/userinfo").json()

    assert claims["sub"] == body["id"]
    assert claims["user_id"] == emu.demo_user.user_id
    assert claims["organization_id"] == emu.demo_org.org_id
    assert claims["preferred_username"] == emu.demo_user.username
    assert claims["name"] == "Demo Admin"
    assert claims["email"] == emu.demo_user.email


def test_it_rejects_userinfo_after_revocation(salesforce_emulator):
    body = connect(salesforce_emulator)
    salesforce_emulator.revoke_grant(salesforce_emulator.grants[0])

    response = api_get(salesforce_emulator, body["access_token"], "/services/oauth2/userinfo")

    assert response.status_code == 401
