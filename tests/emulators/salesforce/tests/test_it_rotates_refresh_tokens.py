import base64
import hashlib
import hmac

from tests.emulators.salesforce.tests.helpers import api_get, assert_oauth_error, connect, refresh

EXPIRED = "expired access/refresh token"


def test_it_returns_a_new_refresh_token_and_kills_the_old_one(salesforce_emulator):
    first = connect(salesforce_emulator)

    response = refresh(salesforce_emulator, first["refresh_token"])

    body = response.json()
    assert response.status_code == 200, response.text
    assert body["refresh_token"] != first["refresh_token"]
    assert body["access_token"] != first["access_token"]
    assert "expires_in" not in body
    assert salesforce_emulator.is_refresh_token_live(body["refresh_token"])
    assert not salesforce_emulator.is_refresh_token_live(first["refresh_token"])


def test_it_keeps_rotating_on_every_refresh(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    for _ in range(3):
        token = refresh(salesforce_emulator, token).json()["refresh_token"]

    (grant,) = salesforce_emulator.grants
    assert grant.rotation_count == 3
    assert grant.refresh_token == token


def test_it_omits_the_refresh_token_without_rotation(salesforce_emulator):
    salesforce_emulator.demo_app.refresh_token_rotation = False
    first = connect(salesforce_emulator)

    body = refresh(salesforce_emulator, first["refresh_token"]).json()
    again = refresh(salesforce_emulator, first["refresh_token"])

    assert "refresh_token" not in body
    assert set(body) == {
        "access_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    assert again.status_code == 200


def test_it_revokes_the_whole_chain_when_a_rotated_out_token_is_replayed(salesforce_emulator):
    first = connect(salesforce_emulator)
    second = refresh(salesforce_emulator, first["refresh_token"]).json()

    replay = refresh(salesforce_emulator, first["refresh_token"])

    assert_oauth_error(replay, "invalid_grant", EXPIRED)
    assert not salesforce_emulator.is_refresh_token_live(second["refresh_token"])
    assert_oauth_error(
        refresh(salesforce_emulator, second["refresh_token"]), "invalid_grant", EXPIRED
    )
    assert api_get(salesforce_emulator, second["access_token"]).status_code == 401
    assert salesforce_emulator.grants[0].revoked


def test_it_requires_the_secret_on_refresh_when_the_app_says_so(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]

    response = refresh(salesforce_emulator, token, client_secret=None)

    assert_oauth_error(response, "invalid_client", "invalid client credentials")
    assert salesforce_emulator.is_refresh_token_live(token)


def test_it_refreshes_without_secret_when_not_required(salesforce_emulator):
    salesforce_emulator.demo_app.require_secret_refresh = False
    token = connect(salesforce_emulator)["refresh_token"]

    assert refresh(salesforce_emulator, token, client_secret=None).status_code == 200


def test_it_ignores_a_scope_parameter_on_refresh(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]

    response = refresh(salesforce_emulator, token, scope="api")

    assert response.status_code == 200
    assert response.json()["scope"] == "id api refresh_token"


def test_it_rejects_an_unknown_refresh_token(salesforce_emulator):
    assert_oauth_error(refresh(salesforce_emulator, "5Aep861nope"), "invalid_grant", EXPIRED)


def test_it_rejects_a_refresh_token_of_another_app(salesforce_emulator):
    emu = salesforce_emulator
    token = connect(emu)["refresh_token"]
    other = emu.add_app(emu.demo_org)

    response = refresh(
        emu, token, client_id=other.consumer_key, client_secret=other.consumer_secret
    )

    assert_oauth_error(response, "invalid_grant", EXPIRED)


def test_it_answers_inactive_user_and_inactive_organization(salesforce_emulator):
    token = connect(salesforce_emulator)["refresh_token"]
    salesforce_emulator.deactivate_user(salesforce_emulator.demo_user)
    assert_oauth_error(refresh(salesforce_emulator, token), "invalid_grant", "inactive user")

    salesforce_emulator.deactivate_org(salesforce_emulator.demo_org)
    assert_oauth_error(
        refresh(salesforce_emulator, token), "invalid_grant", "inactive organization"
    )


def test_it_signs_refresh_responses_too(salesforce_emulator):
    body = refresh(salesforce_emulator, connect(salesforce_emulator)["refresh_token"]).json()

    secret = salesforce_emulator.demo_app.consumer_secret.encode()
    digest = hmac.new(secret, (body["id"] + body["issued_at"]).encode(), hashlib.sha256).digest()
    assert base64.b64encode(digest).decode() == body["signature"]
