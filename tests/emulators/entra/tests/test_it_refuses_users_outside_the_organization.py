import requests

from tests.emulators.entra.tests.helpers import bearer, connect, who_am_i

NOT_A_MEMBER = {
    "error": {"code": "0x80072560", "message": "The user is not a member of the organization."}
}


def test_it_answers_403_for_a_user_without_a_dataverse_user(entra_emulator):
    emu = entra_emulator
    emu.add_user("new@orgkeeper-demo.onmicrosoft.com", "pw-1")
    token = connect(emu, "new@orgkeeper-demo.onmicrosoft.com", "pw-1")["access_token"]

    response = who_am_i(emu, token)

    assert response.status_code == 403
    assert response.json() == NOT_A_MEMBER


def test_it_answers_403_for_a_disabled_dataverse_user(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]
    emu.provision("orgkeeper-demo", emu.demo_user, enabled=False)

    response = who_am_i(emu, token)

    assert response.status_code == 403
    assert response.json() == NOT_A_MEMBER
    emu.provision("orgkeeper-demo", emu.demo_user, enabled=True)
    assert who_am_i(emu, token).status_code == 200


def test_it_serves_a_few_accounts(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]
    url = f"{emu.environment_url()}/api/data/v9.2/accounts?$top=3&$select=name"

    response = requests.get(url, headers=bearer(token), timeout=10)

    assert response.status_code == 200
    assert response.headers["OData-Version"] == "4.0"
    body = response.json()
    assert [row["name"] for row in body["value"]] == [
        "Orgkeeper Demo Account 01",
        "Orgkeeper Demo Account 02",
        "Orgkeeper Demo Account 03",
    ]
    assert body["@odata.context"].endswith("$metadata#accounts(name)")


def test_it_answers_404_for_an_unknown_entity_set_as_json(entra_emulator):
    emu = entra_emulator
    token = connect(emu)["access_token"]

    response = requests.get(
        f"{emu.environment_url()}/api/data/v9.2/nosuchthings", headers=bearer(token), timeout=10
    )

    assert response.status_code == 404
    assert (
        response.json()["error"]["message"] == "Resource not found for the segment 'nosuchthings'."
    )


def test_it_checks_the_token_before_the_path(entra_emulator):
    emu = entra_emulator

    response = requests.get(f"{emu.environment_url()}/api/data/v9.2/nosuchthings", timeout=10)

    assert response.status_code == 401
