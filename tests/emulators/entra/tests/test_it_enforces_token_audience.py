import requests

from tests.emulators.entra.tests.helpers import (
    bearer,
    connect,
    instances,
    refresh,
    who_am_i,
)


def assert_challenged(response: requests.Response, resource: str) -> None:
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer authorization_uri=")
    assert f"resource_id={resource}/" in challenge


def test_it_refuses_a_discovery_token_at_an_environment(entra_emulator):
    emu = entra_emulator
    rt = connect(emu)["refresh_token"]
    disco = refresh(emu, rt, resource=emu.discovery_url).json()["access_token"]

    assert_challenged(who_am_i(emu, disco), emu.environment_url())


def test_it_refuses_an_environment_token_at_discovery(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]

    assert_challenged(instances(emu, token), emu.discovery_url)


def test_it_refuses_one_environments_token_at_another(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]

    response = who_am_i(emu, token, "orgkeeper-sandbox")

    assert_challenged(response, emu.environment_url("orgkeeper-sandbox"))


def test_it_refuses_an_expired_or_missing_or_bad_token(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]
    url = f"{emu.environment_url()}/api/data/v9.2/WhoAmI"

    assert_challenged(requests.get(url, timeout=10), emu.environment_url())
    assert_challenged(who_am_i(emu, "not-a-token"), emu.environment_url())
    basic = requests.get(url, headers={"Authorization": f"Basic {token}"}, timeout=10)
    assert_challenged(basic, emu.environment_url())
    emu.advance(seconds=3600)
    assert_challenged(who_am_i(emu, token), emu.environment_url())


def test_it_names_the_environments_tenant_in_the_challenge(entra_emulator):
    emu = entra_emulator

    response = requests.get(
        f"{emu.environment_url()}/api/data/v9.2/WhoAmI", headers=bearer("x"), timeout=10
    )

    authority = f"{emu.authority}/{emu.demo_tenant.tenant_id}/oauth2/authorize"
    assert f"authorization_uri={authority}," in response.headers["WWW-Authenticate"]
