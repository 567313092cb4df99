from tests.emulators.salesforce.tests.helpers import api_get


def get(emu, path: str):
    return api_get(emu, emu.mint_grant()["access_token"], "/services/data/v62.0" + path)


def test_it_lists_sobjects(salesforce_emulator):
    body = get(salesforce_emulator, "/sobjects/").json()

    assert body["encoding"] == "UTF-8"
    assert body["maxBatchSize"] == 200
    account, contact = body["sobjects"]
    assert (account["name"], account["keyPrefix"], account["queryable"]) == ("Account", "001", True)
    assert contact["name"] == "Contact"
    assert account["urls"] == {
        "sobject": "/services/data/v62.0/sobjects/Account",
        "describe": "/services/data/v62.0/sobjects/Account/describe",
        "rowTemplate": "/services/data/v62.0/sobjects/Account/{ID}",
    }


def test_it_describes_account(salesforce_emulator):
    response = get(salesforce_emulator, "/sobjects/Account/describe")

    body = response.json()
    assert response.status_code == 200
    assert (body["name"], body["label"], body["labelPlural"]) == ("Account", "Account", "Accounts")
    fields = {field["name"]: field for field in body["fields"]}
    assert fields["Id"]["type"] == "id"
    assert fields["Id"]["nillable"] is False
    assert fields["Name"]["type"] == "string"
    assert fields["NumberOfEmployees"]["soapType"] == "xsd:int"
    assert body["childRelationships"] == []


def test_a_reference_field_names_its_target(salesforce_emulator):
    fields = get(salesforce_emulator, "/sobjects/contact/describe").json()["fields"]

    account_id = next(field for field in fields if field["name"] == "AccountId")
    assert (account_id["referenceTo"], account_id["relationshipName"]) == (["Account"], "Account")


def test_an_unknown_sobject_is_not_found(salesforce_emulator):
    response = get(salesforce_emulator, "/sobjects/Opportunity/describe")

    assert response.status_code == 404
    assert response.json() == [
        {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
    ]
