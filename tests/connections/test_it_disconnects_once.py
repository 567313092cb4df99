"""A second Disconnect (a double click, a resubmitted form, two tabs) changes nothing: no
revoke call, no second event, and it says the connection is already disconnected."""

import pytest

from connections import oauth
from connections.models import Connection, ConnectionEvent, TokenSet
from tests.connections.helpers import REVOKE_URL, url


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.tags, str(m)) for m in response.context["messages"]]


def disconnected_events(connection) -> int:
    return connection.events.filter(kind=ConnectionEvent.Kind.DISCONNECTED).count()


def test_a_second_post_changes_nothing_and_says_so(alice_client, connection, rsps):
    rsps.post(REVOKE_URL)
    alice_client.post(url("disconnect", connection), follow=True)  # shows its message
    connection.refresh_from_db()
    updated = connection.updated

    response = alice_client.post(url("disconnect", connection))

    assert response.status_code == 302
    assert response["Location"] == connection.get_absolute_url()
    page = alice_client.get(response["Location"])
    assert messages_of(page) == [("info", "This connection is already disconnected.")]
    assert "Salesforce revoked the refresh token" not in page.content.decode()
    assert len(rsps.calls) == 1
    assert disconnected_events(connection) == 1
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DISCONNECTED
    assert connection.updated == updated


def test_the_check_reads_the_locked_row_not_the_loaded_one(alice, connection, rsps):
    """Two requests that both loaded the connection while it was connected: the one that
    takes the row lock second finds it disconnected and does nothing."""
    first, second = (
        Connection.objects.get(pk=connection.pk),
        Connection.objects.get(pk=connection.pk),
    )
    rsps.post(REVOKE_URL)

    assert oauth.disconnect(first, alice) is True
    with pytest.raises(oauth.AlreadyDisconnected):
        oauth.disconnect(second, alice)

    assert len(rsps.calls) == 1
    assert disconnected_events(connection) == 1
    assert not TokenSet.objects.exists()


def test_a_disconnected_connection_still_holding_tokens_is_disconnected_again(
    alice_client, connection, rsps
):
    """Only the tokens matter: any left behind are still revoked and deleted."""
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.DISCONNECTED)
    rsps.post(REVOKE_URL)

    response = alice_client.post(url("disconnect", connection), follow=True)

    assert ("success", "Disconnected. Salesforce revoked the refresh token.") in messages_of(
        response
    )
    assert len(rsps.calls) == 1
    assert not TokenSet.objects.exists()
    assert disconnected_events(connection) == 1
