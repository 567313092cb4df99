"""POST .../refresh/ ("Refresh now" on the connection page) and the admin action."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from connections.models import ConnectionEvent, TokenSet
from tests.connections.helpers import TOKEN_URL, token_body, url

pytestmark = pytest.mark.usefixtures("public_urls")


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("client_name", ["alice_client", "bob_client"])
def test_owners_and_admins_refresh_now(request, client_name, connection, rsps):
    rsps.post(TOKEN_URL, json=token_body(access_token="00D!fresh", refresh_token="5Aep!next"))

    response = request.getfixturevalue(client_name).post(url("refresh", connection), follow=True)

    assert "Refreshed." in messages_of(response)
    tokens = TokenSet.objects.get()
    assert (tokens.refresh_token, tokens.generation) == ("5Aep!next", 2)
    event = connection.events.get(kind=ConnectionEvent.Kind.REFRESHED)
    assert event.actor.email in ("alice@example.com", "bob@example.com")


def test_the_page_shows_the_button(alice_client, connection):
    page = alice_client.get(url("detail", connection)).content.decode()
    assert url("refresh", connection) in page and "Refresh now" in page


def test_a_failure_is_reported_in_plain_words(alice_client, connection, rsps):
    rsps.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "expired access/refresh token"},
    )

    response = alice_client.post(url("refresh", connection), follow=True)

    assert "The refresh failed. The connection now needs re-authorization" in messages_of(response)


def test_viewers_outsiders_and_get_are_refused(
    victor_client, charlie_client, alice_client, connection
):
    assert victor_client.post(url("refresh", connection)).status_code == 403
    assert charlie_client.post(url("refresh", connection)).status_code == 404
    assert alice_client.get(url("refresh", connection)).status_code == 405
    assert TokenSet.objects.get().generation == 1


def test_the_admin_action_refreshes_the_selected_connections(db, connection, rsps):
    rsps.post(TOKEN_URL, json=token_body(access_token="00D!fresh", refresh_token="5Aep!next"))
    client = Client()
    client.force_login(User.objects.create_superuser("root@example.com", "pw"))

    response = client.post(
        reverse("admin:connections_connection_changelist"),
        {"action": "refresh_now", "_selected_action": [connection.pk]},
        follow=True,
    )

    assert f"{connection.name}: refreshed: Token refreshed" in messages_of(response)
    assert TokenSet.objects.get().generation == 2
