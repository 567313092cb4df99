"""GET/POST .../edit/: name, credentials, and the environment while no tokens are held."""

from connections.models import ClientCredentials
from tests.conftest import signed_in
from tests.connections.helpers import CONSUMER_KEY, CONSUMER_SECRET, url


def test_it_renames_and_keeps_an_empty_secret(bob_client, connection):
    page = bob_client.get(url("edit", connection)).content.decode()
    assert CONSUMER_SECRET not in page
    assert 'name="environment"' not in page
    assert 'name="consumer_secret"' in page
    response = bob_client.post(
        url("edit", connection), {"name": "Renamed", "consumer_key": CONSUMER_KEY}
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Renamed"
    assert connection.login_url == "https://login.salesforce.com"
    assert ClientCredentials.objects.get().consumer_secret == CONSUMER_SECRET
    assert connection.events.first().kind == "updated"


def test_it_changes_the_environment_of_a_draft(alice_client, draft):
    data = {
        "name": "Acme",
        "environment": "my_domain",
        "my_domain_url": "https://acme--uat.sandbox.my.salesforce.com",
        "consumer_key": CONSUMER_KEY,
        "consumer_secret": "AnotherSecret12345",
    }
    assert alice_client.post(url("edit", draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.login_url == "https://acme--uat.sandbox.my.salesforce.com"
    assert ClientCredentials.objects.get().consumer_secret == "AnotherSecret12345"


def test_it_ignores_an_environment_change_while_connected(alice_client, connection):
    data = {"name": "A", "environment": "sandbox", "consumer_key": CONSUMER_KEY}
    alice_client.post(url("edit", connection), data)
    connection.refresh_from_db()
    assert connection.environment == "production"


def test_it_forbids_viewers(victor_client, connection):
    assert victor_client.get(url("edit", connection)).status_code == 403
    assert victor_client.post(url("edit", connection), {"name": "x"}).status_code == 403


def test_it_guards_the_page(charlie_client, client, alice_client, connection):
    assert charlie_client.get(url("edit", connection)).status_code == 404
    assert client.get(url("edit", connection)).status_code == 302
    assert alice_client.delete(url("edit", connection)).status_code == 405


def test_it_enforces_csrf(alice, connection):
    client = signed_in(alice, enforce_csrf_checks=True)
    assert client.post(url("edit", connection), {"name": "x"}).status_code == 403
