import requests

from tests.emulators.entra import DEMO_TENANT_ID


def get_json(url: str) -> dict:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_it_omits_code_challenge_methods_supported_like_entra(entra_emulator):
    # Clients must not read the absence as "no PKCE" (get-convex/convex-auth#457).
    emu = entra_emulator

    config = get_json(f"{emu.authority}/organizations/v2.0/.well-known/openid-configuration")

    assert "code_challenge_methods_supported" not in config
    assert (
        config["authorization_endpoint"] == f"{emu.authority}/organizations/oauth2/v2.0/authorize"
    )
    assert config["token_endpoint"] == f"{emu.authority}/organizations/oauth2/v2.0/token"
    assert config["issuer"] == f"{emu.authority}/{{tenantid}}/v2.0"


def test_it_names_the_tenant_issuer_and_its_keys(entra_emulator):
    emu = entra_emulator

    config = get_json(f"{emu.authority}/{DEMO_TENANT_ID}/v2.0/.well-known/openid-configuration")
    keys = get_json(config["jwks_uri"])["keys"]

    assert config["issuer"] == f"{emu.authority}/{DEMO_TENANT_ID}/v2.0"
    assert config["jwks_uri"] == f"{emu.authority}/{DEMO_TENANT_ID}/discovery/v2.0/keys"
    assert [(k["kty"], k["use"], k["issuer"]) for k in keys] == [("RSA", "sig", config["issuer"])]


def test_it_answers_an_unknown_tenant_with_90002(entra_emulator):
    response = requests.get(
        f"{entra_emulator.authority}/nosuch.example/v2.0/.well-known/openid-configuration",
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json()["error_codes"] == [90002]
