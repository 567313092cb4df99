"""The Connection admin offers the providers' environments (not free text), refuses one the
connection's provider doesn't have, never changes an existing connection's provider, lists
labels, and the old ExternalClientApp admin URLs redirect to ClientCredentials'."""

import pytest

from connections.models import Connection
from tests.connections.helpers import admin_form_data

CHANGE = "/admin/connections/connection/{pk}/change/"


def change(admin_client, connection, **changes):
    path = CHANGE.format(pk=connection.pk)
    data = {**admin_form_data(admin_client.get(path)), **changes}
    return admin_client.post(path, data)


def test_the_environment_is_a_choice_of_the_providers_values(admin_client, connection):
    page = admin_client.get(CHANGE.format(pk=connection.pk)).content.decode()
    assert '<select name="environment"' in page
    for value, label in [("production", "Production"), ("sandbox", "Sandbox")]:
        assert f'<option value="{value}"' in page and f">{label}</option>" in page


@pytest.mark.parametrize("value", ["dataverse", "staging"])
def test_it_refuses_an_environment_the_provider_lacks(admin_client, connection, value):
    response = change(admin_client, connection, environment=value)
    assert response.status_code == 200
    assert Connection.objects.get(pk=connection.pk).environment == "production"


def test_it_saves_one_of_the_providers_environments(admin_client, connection):
    assert change(admin_client, connection, environment="sandbox").status_code == 302
    saved = Connection.objects.get(pk=connection.pk)
    assert (saved.environment, saved.login_url) == ("sandbox", "https://test.salesforce.com")


def test_an_existing_connections_provider_cant_be_changed(admin_client, connection):
    page = admin_client.get(CHANGE.format(pk=connection.pk)).content.decode()
    assert '<select name="provider"' not in page
    response = change(admin_client, connection, provider="dynamics", environment="dataverse")
    assert response.status_code == 200  # dataverse isn't Salesforce's
    change(admin_client, connection, provider="dynamics")
    assert Connection.objects.get(pk=connection.pk).provider == "salesforce"


def test_the_list_shows_the_environments_label(admin_client, connection):
    page = admin_client.get("/admin/connections/connection/").content.decode()
    assert '<td class="field-environment_label">Production</td>' in page


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/connections/externalclientapp/", "/admin/connections/clientcredentials/"),
        (
            "/admin/connections/externalclientapp/7/change/",
            "/admin/connections/clientcredentials/7/change/",
        ),
    ],
)
def test_old_admin_urls_redirect_for_good(client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)
