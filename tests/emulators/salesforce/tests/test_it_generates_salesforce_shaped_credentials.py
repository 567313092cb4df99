"""Generated consumer keys and secrets have Salesforce's alphabet and shape, whichever way an
app is made: `add_app`, `POST /_emulator/apps`, or a cloned org."""

import re

import requests

KEY = re.compile(r"3MVG[A-Za-z0-9][A-Za-z0-9._]{79}[A-Za-z0-9]")
SECRET = re.compile(r"[0-9A-F]{64}")
MANY = 300


def assert_shaped(key: str, secret: str) -> None:
    assert KEY.fullmatch(key), key
    assert len(key) == 85
    assert SECRET.fullmatch(secret), secret


def test_add_app_generates_keys_of_salesforce_shape(salesforce_emulator):
    apps = [salesforce_emulator.add_app(salesforce_emulator.demo_org) for _ in range(MANY)]
    for app in apps:
        assert_shaped(app.consumer_key, app.consumer_secret)
    assert len({app.consumer_key for app in apps}) == MANY
    assert len({app.consumer_secret for app in apps}) == MANY


def test_the_control_api_adds_an_app_with_generated_credentials(salesforce_emulator):
    response = requests.post(
        f"{salesforce_emulator.base_url}/_emulator/apps",
        json={"name": "Generated", "require_secret_refresh": False},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert_shaped(body["consumer_key"], body["consumer_secret"])
    assert body["org_id"] == salesforce_emulator.demo_org.org_id
    app = salesforce_emulator.store.get_app(body["consumer_key"])
    assert app.name == "Generated"
    assert not app.require_secret_refresh


def test_the_control_api_keeps_given_credentials_and_refuses_unknown_settings(
    salesforce_emulator,
):
    base = f"{salesforce_emulator.base_url}/_emulator/apps"
    given = {"consumer_key": "3MVG9Given_Key.0001", "consumer_secret": "GIVEN0001"}
    assert (
        requests.post(base, json=given, timeout=5).json()["consumer_key"] == given["consumer_key"]
    )
    assert requests.post(base, json=given, timeout=5).status_code == 400  # taken
    assert requests.post(base, json={"colour": "red"}, timeout=5).status_code == 400
    assert requests.post(base, json={"org_id": "00Dnope"}, timeout=5).status_code == 400


def test_cloned_orgs_get_keys_of_salesforce_shape(salesforce_emulator):
    grants = salesforce_emulator.mint_grants(50, separate="org")
    for grant in grants:
        assert_shaped(grant["consumer_key"], grant["consumer_secret"])
