"""simple-salesforce, a widely used client, against the emulator."""

import pytest
from simple_salesforce import Salesforce, SalesforceExpiredSession, SalesforceMalformedRequest

from tests.emulators.salesforce.plain_http import plain_http_session


def client(emu, access_token: str) -> Salesforce:
    return Salesforce(
        instance_url=emu.base_url,
        session_id=access_token,
        version="62.0",
        session=plain_http_session(emu.base_url),
    )


def test_it_reads_limits_and_the_directory(salesforce_emulator):
    sf = client(salesforce_emulator, salesforce_emulator.mint_grant()["access_token"])

    limits = sf.limits()
    directory = sf.restful("")

    assert limits["DailyApiRequests"]["Max"] == 15000
    assert directory["identity"].endswith(salesforce_emulator.demo_user.user_id)
    assert directory["query"] == "/services/data/v62.0/query"


def test_it_queries(salesforce_emulator):
    sf = client(salesforce_emulator, salesforce_emulator.mint_grant()["access_token"])

    result = sf.query("SELECT Id, Name FROM Account WHERE Name = 'Account 07'")
    everything = sf.query_all("SELECT Id FROM Contact")

    assert result["totalSize"] == 1
    assert result["records"][0]["Id"] == "001000000000007AAA"
    assert len(everything["records"]) == 50


def test_it_describes(salesforce_emulator):
    sf = client(salesforce_emulator, salesforce_emulator.mint_grant()["access_token"])

    assert sf.Account.describe()["name"] == "Account"
    assert [s["name"] for s in sf.describe()["sobjects"]] == ["Account", "Contact"]


def test_a_malformed_query_raises_its_malformed_request(salesforce_emulator):
    sf = client(salesforce_emulator, salesforce_emulator.mint_grant()["access_token"])

    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query("SELECT Id FORM Account")

    assert raised.value.content[0]["errorCode"] == "MALFORMED_QUERY"


def test_an_expired_session_raises_salesforce_expired_session(salesforce_emulator):
    emu = salesforce_emulator
    sf = client(emu, emu.mint_grant()["access_token"])
    emu.advance(seconds=emu.demo_app.session_timeout + 1)

    with pytest.raises(SalesforceExpiredSession) as raised:
        sf.query("SELECT Id FROM Account")

    assert raised.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
