"""The core's pages and emails about one connection speak of its provider: a Dynamics 365
connection's pages never say "Salesforce", "External Client App" or "Consumer Key"."""

import pytest
from django.template.loader import render_to_string

from connections import providers
from tests.connections.helpers import url

pytestmark = pytest.mark.usefixtures("public_urls")
SALESFORCE_WORDS = ("Salesforce", "External Client App", "Consumer Key", "Consumer Secret")
ENVIRONMENT_URL = "https://contoso.crm.dynamics.com"


@pytest.fixture
def dynamics_draft(connection_factory):
    return connection_factory(
        connected=False, provider="dynamics", environment="dataverse", instance_url=ENVIRONMENT_URL
    )


def assert_no_salesforce_words(text: str) -> None:
    for words in SALESFORCE_WORDS:
        assert words not in text, words


@pytest.mark.parametrize("name", ["detail", "delete", "edit", "credentials"])
def test_a_dynamics_connections_pages_name_its_provider(alice_client, dynamics_draft, name):
    response = alice_client.get(url(name, dynamics_draft), HTTP_HOST="localhost:8881")
    assert response.status_code == 200
    assert_no_salesforce_words(response.content.decode())


def test_the_host_warning_names_the_provider(alice_client, dynamics_draft):
    page = alice_client.get(url("credentials", dynamics_draft), HTTP_HOST="localhost:8881")
    assert "After you click Allow, Microsoft Dynamics 365 sends your browser back" in (
        page.content.decode()
    )


def test_the_delete_page_says_what_stays_at_the_provider(alice_client, dynamics_draft, draft):
    page = alice_client.get(url("delete", dynamics_draft)).content.decode()
    assert "Microsoft Entra app stays: it is the operator&#x27;s" in page
    salesforce_page = alice_client.get(url("delete", draft)).content.decode()
    assert (
        "This removes the connection and its External Client App credentials from Orgkeeper; "
        "its history stays in the team's activity log. The app in Salesforce stays; delete it "
        "in Salesforce Setup if nothing else uses it."
    ) in salesforce_page


def test_the_misconfigured_email_names_only_the_providers_fixes(team, dynamics_draft, draft):
    def email(connection) -> str:
        context = {
            "provider": providers.for_connection(connection),
            "connection": connection,
            "team": team,
            "url": "https://orgkeeper.example/",
        }
        return render_to_string("connections/email/misconfigured.txt", context)

    assert_no_salesforce_words(email(dynamics_draft))
    assert (
        '"Refresh now". A wrong Consumer Secret is replaced under "Edit"; another Consumer Key '
        'needs "Re-authorize". Until then'
    ) in email(draft)
