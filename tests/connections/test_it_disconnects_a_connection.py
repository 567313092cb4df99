"""POST .../disconnect/ (sent by the confirmation page): revoke the refresh token at
Salesforce and delete the tokens."""

import requests
from django.utils import timezone

from connections.models import Connection, ConnectionEvent, TokenSet
from tests.conftest import signed_in
from tests.connections.helpers import OLD_REFRESH_TOKEN, REVOKE_URL, form_body, url


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_it_revokes_and_deletes_the_tokens(alice_client, alice, connection, rsps):
    rsps.post(REVOKE_URL)
    response = alice_client.post(url("disconnect", connection), follow=True)
    assert form_body(rsps.calls[0]) == {"token": OLD_REFRESH_TOKEN}
    assert not TokenSet.objects.exists()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DISCONNECTED
    assert connection.next_refresh_at is None
    assert "Salesforce revoked the refresh token" in messages_of(response)
    event = connection.events.first()
    assert (event.kind, event.actor) == (ConnectionEvent.Kind.DISCONNECTED, alice)
    assert OLD_REFRESH_TOKEN not in event.message


def test_it_deletes_locally_and_warns_when_salesforce_is_unreachable(
    alice_client, connection, rsps
):
    rsps.post(REVOKE_URL, body=requests.ConnectionError("refused"))
    response = alice_client.post(url("disconnect", connection), follow=True)
    assert not TokenSet.objects.exists()
    assert "couldn&#x27;t confirm" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DISCONNECTED
    assert "Connected Apps OAuth Usage" in connection.events.first().message


def test_it_forbids_viewers(victor_client, connection, rsps):
    assert victor_client.post(url("disconnect", connection)).status_code == 403
    assert TokenSet.objects.exists()
    assert not rsps.calls


def test_it_guards_the_action(charlie_client, client, alice_client, connection):
    assert charlie_client.post(url("disconnect", connection)).status_code == 404
    assert client.post(url("disconnect", connection)).status_code == 302
    assert alice_client.put(url("disconnect", connection)).status_code == 405
    assert TokenSet.objects.exists()


def test_it_enforces_csrf(alice, connection, rsps):
    client = signed_in(alice, enforce_csrf_checks=True)
    assert client.post(url("disconnect", connection)).status_code == 403
    assert TokenSet.objects.exists()


def test_it_clears_the_keepalive_problems(alice_client, connection, rsps):
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.MISCONFIGURED,
        status_reason="Add the Server Outbound IP to the allowlist.",
        consecutive_failures=4,
        failing_since=timezone.now(),
        last_error="ip restricted",
        last_error_at=timezone.now(),
    )
    rsps.post(REVOKE_URL)
    alice_client.post(url("disconnect", connection))
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DISCONNECTED
    assert (connection.status_reason, connection.last_error) == ("", "")
    assert (connection.consecutive_failures, connection.failing_since) == (0, None)
    assert (connection.last_error_at, connection.next_refresh_at) == (None, None)


def test_the_page_says_how_to_reconnect(alice_client, victor_client, connection, rsps):
    rsps.post(REVOKE_URL)
    page = alice_client.post(url("disconnect", connection), follow=True).content.decode()
    assert "To connect it again, click <strong>Re-authorize</strong>" in page
    assert url("credentials", connection) in page
    assert "Add the Server Outbound IP to the allowlist." not in page
    viewer_page = victor_client.get(url("detail", connection)).content.decode()
    assert "An owner or admin can connect it again with Re-authorize." in viewer_page
