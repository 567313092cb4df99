import pytest
import requests

from tests.emulators.entra import Emulator, demo_config
from tests.emulators.entra.tests.helpers import connect, instances, refresh, who_am_i


def test_it_runs_a_custom_config_in_a_with_block():
    config = {
        "tenants": [{"domain": "contoso.onmicrosoft.com", "user_consent_allowed": False}],
        "users": [{"username": "boss@contoso.onmicrosoft.com", "password": "pw", "admin": True}],
        "apps": [
            {
                "client_id": "11111111-2222-3333-4444-555555555555",
                "client_secret": "s3cret",
                "name": "Contoso Sync",
                "redirect_uris": ["https://app.example/callback"],
            }
        ],
        "environments": [
            {"unique_name": "contoso", "members": [{"user": "boss@contoso.onmicrosoft.com"}]}
        ],
    }
    with Emulator(config) as emu:
        body = connect(emu)  # an admin may consent although user consent is blocked
        assert who_am_i(emu, body["access_token"], "contoso").status_code == 200
        assert emu.environment_url("contoso") == f"{emu.base_url}/env/contoso"
        disco = refresh(emu, body["refresh_token"], resource=emu.discovery_url).json()
        assert [i["UniqueName"] for i in instances(emu, disco["access_token"]).json()["value"]] == [
            "contoso"
        ]


def test_it_adds_users_and_environments_at_run_time(entra_emulator):
    emu = entra_emulator
    emu.add_environment("orgkeeper-third", friendly_name="Third")
    emu.add_user("third@orgkeeper-demo.onmicrosoft.com", "pw-3", environments=["orgkeeper-third"])

    body = connect(emu, "third@orgkeeper-demo.onmicrosoft.com", "pw-3")
    token = refresh(
        emu, body["refresh_token"], resource=emu.environment_url("orgkeeper-third")
    ).json()["access_token"]

    assert who_am_i(emu, token, "orgkeeper-third").status_code == 200


def test_it_mints_tokens_without_a_browser(entra_emulator):
    emu = entra_emulator

    body = entra_emulator.mint_tokens()

    assert who_am_i(emu, body["access_token"]).status_code == 200
    assert refresh(emu, body["refresh_token"]).status_code == 200


@pytest.mark.parametrize(
    ("section", "key"),
    [("tenants", "colour"), ("users", "role"), ("apps", "secret"), ("environments", "url")],
)
def test_it_rejects_unknown_config_keys(section, key):
    config = demo_config()
    config[section][0][key] = "x"

    with pytest.raises(ValueError, match="unknown"):
        Emulator(config)


def test_it_serves_behind_another_base_url():
    with Emulator().start(base_url="http://emulator.test:8883/") as emu:
        assert emu.authority == "http://emulator.test:8883"
        assert emu.environment_url() == "http://emulator.test:8883/env/orgkeeper-demo"
        local = f"http://127.0.0.1:{emu.port}/_emulator/state"
        assert requests.get(local, timeout=10).json()["authority"] == "http://emulator.test:8883"
