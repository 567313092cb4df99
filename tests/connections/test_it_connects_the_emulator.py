"""The whole wizard against the Salesforce emulator over real HTTP: My Domain = the
emulator's base URL (http:// is allowed by the test settings)."""

import pytest

from connections.models import Connection, TokenSet
from tests.connections.helpers import connect_emulator, url
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("public_urls")]


def test_it_connects_and_tests_the_emulator_org(alice_client, team, salesforce_emulator):  # noqa: F811
    emulator = salesforce_emulator
    connection, response = connect_emulator(alice_client, team, emulator)
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert connection.organization_id == emulator.demo_org.org_id
    assert connection.username == emulator.demo_user.username
    assert connection.instance_url == emulator.base_url
    tokens = TokenSet.objects.get()
    assert tokens.signature_verified
    assert emulator.is_refresh_token_live(tokens.refresh_token)

    tested = alice_client.post(url("test", connection), follow=True)
    assert "Salesforce answered (API versions" in tested.content.decode()

    alice_client.post(url("disconnect", connection))
    assert not emulator.is_refresh_token_live(tokens.refresh_token)


def test_it_explains_a_wrong_consumer_secret(alice_client, team, salesforce_emulator):  # noqa: F811
    connection, response = connect_emulator(
        alice_client, team, salesforce_emulator, consumer_secret="WrongSecret000111"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The Consumer Secret is wrong." in page
    assert "step 7" in page
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DRAFT
    assert not TokenSet.objects.exists()
