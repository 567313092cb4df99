from urllib.parse import quote

import pytest

from tests.emulators.salesforce.tests.helpers import api_get

QUERY = "/services/data/v62.0/query?q="


def run(emu, soql: str, path: str = QUERY):
    return api_get(emu, emu.mint_grant()["access_token"], path + quote(soql))


def test_it_returns_records_with_attributes(salesforce_emulator):
    response = run(salesforce_emulator, "SELECT Id, Name FROM Account LIMIT 2")

    assert response.status_code == 200
    assert response.json() == {
        "totalSize": 2,
        "done": True,
        "records": [
            {
                "attributes": {
                    "type": "Account",
                    "url": "/services/data/v62.0/sobjects/Account/001000000000001AAA",
                },
                "Id": "001000000000001AAA",
                "Name": "Account 01",
            },
            {
                "attributes": {
                    "type": "Account",
                    "url": "/services/data/v62.0/sobjects/Account/001000000000002AAA",
                },
                "Id": "001000000000002AAA",
                "Name": "Account 02",
            },
        ],
    }


def test_it_returns_every_record_without_a_limit(salesforce_emulator):
    body = run(salesforce_emulator, "select id from contact").json()

    assert body["totalSize"] == len(body["records"]) == 50
    assert body["done"] is True
    assert set(body["records"][0]) == {"attributes", "Id"}


def test_it_filters_orders_and_offsets(salesforce_emulator):
    soql = (
        "SELECT Name, AccountId FROM Contact WHERE AccountId = '001000000000003AAA' "
        "ORDER BY Name DESC LIMIT 5 OFFSET 0"
    )

    records = run(salesforce_emulator, soql).json()["records"]

    assert [r["AccountId"] for r in records] == ["001000000000003AAA"] * 2
    assert [r["Name"] for r in records] == sorted((r["Name"] for r in records), reverse=True)


def test_it_counts(salesforce_emulator):
    body = run(
        salesforce_emulator, "SELECT COUNT() FROM Account WHERE Industry != 'banking'"
    ).json()

    assert body == {"totalSize": 20, "done": True, "records": []}


def test_query_all_answers_like_query(salesforce_emulator):
    soql = "SELECT Id FROM Account LIMIT 3"
    path = "/services/data/v62.0/queryAll?q="

    assert run(salesforce_emulator, soql, path).json() == run(salesforce_emulator, soql).json()


@pytest.mark.parametrize(
    ("soql", "code", "text"),
    [
        ("SELECT Id FORM Account", "MALFORMED_QUERY", "unexpected token: 'FORM'"),
        ("SELECT Id FROM Account LIMIT", "MALFORMED_QUERY", "unexpected token: <EOF>"),
        ("SELECT Id FROM Account WHERE Name LIKE 'A%'", "MALFORMED_QUERY", "unexpected token"),
        ("SELECT Nope FROM Account", "INVALID_FIELD", "No such column 'Nope' on entity 'Account'"),
        ("SELECT Id FROM Opportunity", "INVALID_TYPE", "sObject type 'Opportunity'"),
        ("", "MALFORMED_QUERY", "A query string has to be specified"),
    ],
)
def test_it_refuses_a_bad_query_as_salesforce_does(salesforce_emulator, soql, code, text):
    response = run(salesforce_emulator, soql)

    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == code
    assert text in error["message"]


def test_a_malformed_query_points_at_the_token(salesforce_emulator):
    [error] = run(salesforce_emulator, "SELECT Id FORM Account").json()

    assert error["message"] == (
        "\nSELECT Id FORM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FORM'"
    )


def test_it_needs_a_live_session(salesforce_emulator):
    response = api_get(salesforce_emulator, "nope", QUERY + quote("SELECT Id FROM Account"))

    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_it_reports_api_usage(salesforce_emulator):
    response = run(salesforce_emulator, "SELECT Id FROM Account")

    assert response.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
