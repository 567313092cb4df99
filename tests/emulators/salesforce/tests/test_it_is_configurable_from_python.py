import pytest

from tests.emulators.salesforce import DEMO_ORG_ID, Emulator, demo_config
from tests.emulators.salesforce.models import salesforce_id
from tests.emulators.salesforce.tests.helpers import assert_oauth_error, refresh


def test_it_uses_fixed_valid_looking_demo_ids():
    emu = Emulator()

    assert emu.demo_org.org_id == DEMO_ORG_ID == "00D8d000000DemoEAC"
    assert emu.demo_user.user_id == "0058d000000DemoAAC"
    assert emu.demo_app.require_pkce and emu.demo_app.refresh_token_rotation
    assert emu.demo_app.ip_allowlist == ["127.0.0.1/32"]
    assert emu.demo_app.idle_refresh_token_ttl == 30 * 86400


def test_it_computes_the_18_char_id_checksum():
    assert salesforce_id("00D5g000004Xmpl") == "00D5g000004XmplEAC"


def test_it_rejects_a_bad_config():
    config = demo_config()
    config["orgs"][0]["org_id"] = "001000000000000AAA"
    with pytest.raises(ValueError, match="must start with '00D'"):
        Emulator(config)

    config = demo_config()
    config["apps"][0]["rotation"] = True
    with pytest.raises(ValueError, match="unknown app setting"):
        Emulator(config)


@pytest.mark.parametrize("key", ["callback_urls", "ip_allowlist"])
def test_it_rejects_a_lone_string_where_a_list_belongs(key):
    # Iterated as a list, "http://..." would become one callback URL per character.
    config = demo_config()
    config["apps"][0][key] = "127.0.0.1/32" if key == "ip_allowlist" else "http://a.example/cb"
    with pytest.raises(ValueError, match=f"{key} must be a list"):
        Emulator(config)


def test_it_runs_a_custom_config_in_a_with_block():
    config = {
        "orgs": [{"my_domain": "acme", "sandbox": True}],
        "users": [{"username": "a@acme.example", "password": "pw"}],
        "apps": [
            {
                "consumer_key": "3MVG9Acme",
                "consumer_secret": "acme-secret",
                "callback_urls": ["https://app.example/cb"],
                "require_pkce": False,
                "refresh_token_rotation": False,
                "ip_allowlist": None,
            }
        ],
        "token_processing_seconds": 0.01,
    }
    with Emulator(config) as emu:
        assert emu.demo_org.sandbox
        assert emu.demo_org.org_id.startswith("00D") and len(emu.demo_org.org_id) == 18
        body = emu.mint_grant()
        response = refresh(emu, body["refresh_token"])
        assert response.status_code == 200
        assert "refresh_token" not in response.json()


def test_it_mints_for_a_user_with_separate_users(salesforce_emulator):
    grants = salesforce_emulator.mint_grants(7, separate="user")

    assert len({g["user_id"] for g in grants}) == 7
    assert len(salesforce_emulator.live_grants()) == 7


def test_it_refuses_to_mint_a_cross_org_grant(salesforce_emulator):
    emu = salesforce_emulator
    other = emu.add_user(emu.add_org("globex"), "x@globex.example", "pw")

    with pytest.raises(ValueError, match="cross-org"):
        emu.mint_grant(user=other)


def test_it_serves_an_added_app_in_another_org(salesforce_emulator):
    emu = salesforce_emulator
    org = emu.add_org("initech")
    user = emu.add_user(org, "peter@initech.example", "pw")
    app = emu.add_app(org, require_secret_refresh=False)

    body = emu.mint_grant(app=app, user=user)

    assert body["id"].endswith(f"/id/{org.org_id}/{user.user_id}")
    assert refresh(emu, body["refresh_token"], client_id=app.consumer_key, client_secret=None).ok
    assert_oauth_error(
        refresh(emu, body["refresh_token"]), "invalid_grant", "expired access/refresh token"
    )
