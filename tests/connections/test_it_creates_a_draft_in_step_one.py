"""Step 1 of 2, "Set up Salesforce External Client App": /teams/<slug>/connections/new/."""

import pytest
from django.urls import reverse

from connections.models import Connection, ConnectionEvent

pytestmark = pytest.mark.usefixtures("public_urls")


@pytest.fixture
def new_url(team):
    return reverse("connections:new", args=[team.slug])


def test_it_shows_the_values_and_checklist(alice_client, new_url):
    response = alice_client.get(new_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Set up Salesforce External Client App" in page
    assert (
        '<code id="callback-url-1">http://127.0.0.1:8881/api/connections/oauth/callback</code>'
        in page
    )
    assert 'id="step-2"' in page and 'id="step-7"' in page
    assert "Distribution State" in page
    assert "Next" in page


def test_it_warns_when_the_outbound_ip_is_missing(alice_client, new_url):
    page = alice_client.get(new_url).content.decode()
    assert "Server Outbound IP is not configured" in page
    assert "SERVER_OUTBOUND_IP" in page


def test_it_shows_the_outbound_ip_and_its_callback(alice_client, new_url, settings):
    settings.PUBLIC_BASE_URL = "https://orgkeeper.example.com"
    settings.SERVER_OUTBOUND_IP = "203.0.113.7"
    page = alice_client.get(new_url).content.decode()
    assert '<code id="outbound-ip">203.0.113.7</code>' in page
    assert "https://orgkeeper.example.com/api/connections/oauth/callback" in page
    assert "https://203.0.113.7/api/connections/oauth/callback" in page
    assert "not configured" not in page


@pytest.mark.parametrize(
    ("environment", "my_domain", "login_url"),
    [
        ("production", "", "https://login.salesforce.com"),
        ("sandbox", "", "https://test.salesforce.com"),
        ("my_domain", "acme.my.salesforce.com/", "https://acme.my.salesforce.com"),
    ],
)
def test_it_creates_a_draft(bob_client, bob, team, new_url, environment, my_domain, login_url):
    data = {"name": "Acme", "environment": environment, "my_domain_url": my_domain}
    response = bob_client.post(new_url, data)
    connection = Connection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "connections:credentials", args=[team.slug, connection.code]
    )
    assert (connection.team, connection.created_by, connection.status) == (team, bob, "draft")
    assert connection.login_url == login_url
    event = connection.events.get()
    assert (event.kind, event.actor) == (ConnectionEvent.Kind.CREATED, bob)


def test_it_refuses_a_lightning_url_with_a_hint(alice_client, new_url):
    data = {
        "name": "Acme",
        "environment": "my_domain",
        "my_domain_url": "https://acme.lightning.force.com",
    }
    response = alice_client.post(new_url, data)
    assert response.status_code == 400
    assert "https://acme.my.salesforce.com" in response.content.decode()
    assert not Connection.objects.exists()


def test_it_refuses_http_unless_insecure_hosts_are_allowed(alice_client, new_url, settings):
    settings.ALLOW_INSECURE_LOGIN_HOSTS = False
    data = {"name": "Acme", "environment": "my_domain", "my_domain_url": "http://127.0.0.1:8882"}
    response = alice_client.post(new_url, data)
    assert "must use https://" in response.content.decode()
    assert not Connection.objects.exists()


def test_it_requires_a_my_domain_url_for_my_domain(alice_client, new_url):
    response = alice_client.post(new_url, {"name": "Acme", "environment": "my_domain"})
    assert "Enter your org" in response.content.decode()


def test_it_forbids_viewers(victor_client, new_url):
    assert victor_client.get(new_url).status_code == 403
    assert (
        victor_client.post(new_url, {"name": "x", "environment": "production"}).status_code == 403
    )
    assert not Connection.objects.exists()


def test_it_hides_the_team_from_outsiders(charlie_client, new_url):
    assert charlie_client.get(new_url).status_code == 404


def test_it_sends_anonymous_users_to_sign_in(client, new_url, team):
    response = client.get(new_url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_allows_only_get_and_post(alice_client, new_url):
    assert alice_client.put(new_url).status_code == 405
