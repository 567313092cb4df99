import jwt
import requests

from tests.emulators.entra import DEMO_TENANT_ID, DEMO_USERNAME
from tests.emulators.entra.tests.helpers import (
    authorize_url,
    connect,
    exchange,
    pkce_pair,
    query,
    who_am_i,
)


def test_it_answers_every_token_field(entra_emulator):
    body = connect(entra_emulator)

    assert body["token_type"] == "Bearer"
    assert body["scope"] == f"{entra_emulator.environment_url()}/user_impersonation"
    assert body["expires_in"] == body["ext_expires_in"] == 3600
    assert body["access_token"] and body["refresh_token"] and body["id_token"]


def test_it_signs_the_id_token_with_the_published_key(entra_emulator):
    emu = entra_emulator
    body = connect(emu)
    config = requests.get(
        f"{emu.authority}/{DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration", timeout=10
    ).json()

    signing_key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(body["id_token"])
    claims = jwt.decode(
        body["id_token"],
        signing_key.key,
        algorithms=["RS256"],
        audience=emu.demo_app.client_id,
        issuer=config["issuer"],
    )

    assert claims["tid"] == DEMO_TENANT_ID
    assert claims["oid"] == emu.demo_user.oid
    assert claims["preferred_username"] == DEMO_USERNAME
    assert claims["iss"] == f"{emu.authority}/{DEMO_TENANT_ID}/v2.0"


def test_it_echoes_the_nonce(entra_emulator):
    body = connect(entra_emulator, nonce="n-0S6_WzA2Mj")

    claims = jwt.decode(body["id_token"], options={"verify_signature": False})

    assert claims["nonce"] == "n-0S6_WzA2Mj"


def test_it_gives_a_token_the_environment_accepts(entra_emulator):
    emu = entra_emulator
    body = connect(emu)

    response = who_am_i(emu, body["access_token"])

    assert response.status_code == 200
    data = response.json()
    environment = emu.environments[0]
    assert data["OrganizationId"] == environment.organization_id
    assert data["BusinessUnitId"] == environment.business_unit_id
    assert data["UserId"] == environment.members[emu.demo_user.oid].system_user_id
    assert data["@odata.context"].endswith("$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse")


def test_it_asks_for_consent_only_on_the_first_sign_in(entra_emulator):
    emu = entra_emulator
    connect(emu)
    verifier, challenge = pkce_pair()

    # consent=False would press Cancel if a consent page came up again.
    location = emu.sign_in(authorize_url(emu, challenge), consent=False)

    assert exchange(emu, query(location)["code"], verifier).status_code == 200


def test_it_leaves_out_the_refresh_token_without_offline_access(entra_emulator):
    emu = entra_emulator
    scope = f"{emu.environment_url()}/user_impersonation openid"

    body = connect(emu, scope=scope)

    assert "refresh_token" not in body
    assert "id_token" in body


def test_it_takes_the_default_scope_and_a_double_slash(entra_emulator):
    emu = entra_emulator

    default = connect(emu, scope=f"{emu.environment_url()}/.default offline_access")
    double = connect(emu, scope=f"{emu.environment_url()}//user_impersonation offline_access")

    assert default["scope"] == double["scope"] == f"{emu.environment_url()}/user_impersonation"
    assert "id_token" not in default


def test_it_accepts_the_tenant_id_and_domain_as_authority(entra_emulator):
    emu = entra_emulator

    for tenant in (DEMO_TENANT_ID, emu.demo_tenant.domain, "common"):
        verifier, challenge = pkce_pair()
        location = emu.sign_in(authorize_url(emu, challenge, tenant=tenant))
        response = exchange(emu, query(location)["code"], verifier, tenant=tenant)
        assert response.status_code == 200, (tenant, response.text)


def test_it_answers_who_am_i_with_parentheses_too(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]

    response = requests.get(
        f"{emu.environment_url()}/api/data/v9.0/WhoAmI()",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )

    assert response.status_code == 200
    assert response.json()["OrganizationId"] == emu.environments[0].organization_id
