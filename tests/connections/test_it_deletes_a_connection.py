"""GET/POST .../delete/: only drafts, unfinished sign-ins and disconnected connections."""

import pytest
from django.urls import reverse

from connections.models import Connection
from tests.conftest import signed_in


def test_it_asks_for_confirmation(alice_client, draft):
    response = alice_client.get(reverse("connections:delete", args=[draft.team.slug, draft.code]))
    assert response.status_code == 200
    assert "Delete Acme production?" in response.content.decode()
    assert Connection.objects.exists()


@pytest.mark.parametrize("status", ["draft", "pending_authorization", "disconnected"])
def test_it_deletes(alice_client, connection_factory, team, status):
    connection = connection_factory(connected=False, status=status)
    response = alice_client.post(reverse("connections:delete", args=[team.slug, connection.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("connections:list", args=[team.slug])
    assert not Connection.objects.exists()


def test_it_refuses_while_connected(alice_client, connection):
    path = reverse("connections:delete", args=[connection.team.slug, connection.code])
    response = alice_client.post(path, follow=True)
    assert "Disconnect this connection before deleting it" in response.content.decode()
    assert alice_client.get(path).status_code == 302
    assert Connection.objects.exists()


def test_it_forbids_viewers(victor_client, draft):
    path = reverse("connections:delete", args=[draft.team.slug, draft.code])
    assert victor_client.post(path).status_code == 403
    assert Connection.objects.exists()


def test_it_guards_the_action(charlie_client, client, alice_client, draft):
    path = reverse("connections:delete", args=[draft.team.slug, draft.code])
    assert charlie_client.post(path).status_code == 404
    assert client.post(path).status_code == 302
    assert alice_client.put(path).status_code == 405
    assert Connection.objects.exists()


def test_it_enforces_csrf(alice, draft):
    client = signed_in(alice, enforce_csrf_checks=True)
    assert (
        client.post(reverse("connections:delete", args=[draft.team.slug, draft.code])).status_code
        == 403
    )
    assert Connection.objects.exists()
