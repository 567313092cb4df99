import pytest
import requests

from tests.emulators.salesforce.tests.helpers import api_get

NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def test_it_lists_the_resources_and_the_identity_url(salesforce_emulator):
    emu = salesforce_emulator
    token = emu.mint_grant()["access_token"]

    response = api_get(emu, token, "/services/data/v62.0/")

    prefix = "/services/data/v62.0"
    assert response.status_code == 200
    assert response.json() == {
        "identity": f"{emu.base_url}/id/{emu.demo_org.org_id}/{emu.demo_user.user_id}",
        **{
            name: f"{prefix}/{name}"
            for name in (
                "sobjects",
                "query",
                "queryAll",
                "search",
                "limits",
                "recent",
                "tooling",
                "composite",
                "analytics",
            )
        },
    }


def test_every_listed_resource_is_served(salesforce_emulator):
    emu = salesforce_emulator
    token = emu.mint_grant()["access_token"]
    directory = api_get(emu, token, "/services/data/v62.0/").json()
    params = {"query": "?q=SELECT+Id+FROM+Account", "queryAll": "?q=SELECT+Id+FROM+Account"}
    params["search"] = "?q=FIND+%7Bacme%7D"

    for name, url in directory.items():
        path = url.removeprefix(emu.base_url) + params.get(name, "")
        assert api_get(emu, token, path).status_code == 200, name


def test_search_finds_nothing_and_refuses_a_non_sosl_string(salesforce_emulator):
    emu = salesforce_emulator
    token = emu.mint_grant()["access_token"]

    found = api_get(emu, token, "/services/data/v62.0/search?q=FIND+%7Bacme%7D")
    refused = api_get(emu, token, "/services/data/v62.0/search?q=acme")

    assert found.json() == {"searchRecords": []}
    assert refused.status_code == 400
    assert refused.json()[0]["errorCode"] == "MALFORMED_SEARCH"


@pytest.mark.parametrize(
    "path",
    [
        "/services/data/v62.0/nope",
        "/services/data/v62.0/sobjects/Account/describe/extra",
        "/services/data/v62.0/tooling/query",
        "/services/data/latest/",
        "/services/apexrest/orders",
    ],
)
def test_an_unknown_rest_path_answers_json_not_found(salesforce_emulator, path):
    response = api_get(salesforce_emulator, salesforce_emulator.mint_grant()["access_token"], path)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_an_unsupported_method_answers_json(salesforce_emulator):
    emu = salesforce_emulator

    response = requests.delete(emu.base_url + "/services/data/v62.0/query", timeout=10)

    assert response.status_code == 405
    assert response.json() == [
        {
            "errorCode": "METHOD_NOT_ALLOWED",
            "message": "HTTP Method 'DELETE' not allowed. Allowed are GET,HEAD",
        }
    ]
