"""The Connection admin accepts only the login URLs the wizard's step 1 accepts, and Connect
refuses a My Domain URL saved before that (a form error, never a 500 or another host)."""

import pytest

from connections.models import AuthorizationRequest, Connection
from tests.connections.helpers import CONSUMER_KEY, admin_form_data, url

MY_DOMAIN = "my_domain"
BAD_URLS = {
    "http://127.0.0.1:9": "Salesforce login URLs must use https://.",
    "https://evil.test": "evil.test is not a My Domain login URL.",
    "https://acme.lightning.force.com": "is the Lightning address",
    "": "Enter your org&#x27;s My Domain URL",
}


@pytest.fixture(autouse=True)
def https_only(settings):
    settings.ALLOW_INSECURE_LOGIN_HOSTS = False


def change(admin_client, connection, **changes):
    path = f"/admin/connections/connection/{connection.pk}/change/"
    data = {**admin_form_data(admin_client.get(path)), **changes}
    return admin_client.post(path, data)


@pytest.mark.parametrize("bad_url", BAD_URLS)
def test_it_refuses_a_url_the_wizard_refuses(admin_client, connection, bad_url):
    response = change(admin_client, connection, environment=MY_DOMAIN, my_domain_url=bad_url)
    assert response.status_code == 200
    assert BAD_URLS[bad_url] in response.content.decode()
    saved = Connection.objects.get(pk=connection.pk)
    assert (saved.environment, saved.login_url) == (connection.environment, connection.login_url)


def test_it_stores_a_my_domain_url_as_the_wizard_does(admin_client, connection):
    response = change(
        admin_client,
        connection,
        environment=MY_DOMAIN,
        my_domain_url="https://Acme.my.salesforce.com/",
    )
    assert response.status_code == 302
    saved = Connection.objects.get(pk=connection.pk)
    assert saved.my_domain_url == saved.login_url == "https://acme.my.salesforce.com"


def test_it_drops_a_my_domain_url_for_production(admin_client, connection):
    response = change(admin_client, connection, my_domain_url="https://evil.test")
    assert response.status_code == 302
    saved = Connection.objects.get(pk=connection.pk)
    assert (saved.my_domain_url, saved.login_url) == ("", "https://login.salesforce.com")


@pytest.mark.parametrize("bad_url", ["http://127.0.0.1:9", "https://evil.test"])
def test_connect_refuses_a_bad_url_saved_before(alice_client, draft, bad_url):
    Connection.objects.filter(pk=draft.pk).update(
        environment=MY_DOMAIN, my_domain_url=bad_url, login_url=bad_url
    )
    response = alice_client.post(
        url("credentials", draft), {"consumer_key": CONSUMER_KEY, "consumer_secret": "s" * 20}
    )
    assert response.status_code == 400
    assert "Can&#x27;t sign in at this My Domain URL" in response.content.decode()
    assert not AuthorizationRequest.objects.exists()
