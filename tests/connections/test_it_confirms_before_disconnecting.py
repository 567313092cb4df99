"""Disconnect asks first: the detail page links to a confirmation page that says what will
happen; only its POST disconnects."""

from connections.models import Connection, TokenSet
from tests.connections.helpers import ORG_ID, USERNAME, url


def test_the_detail_page_links_to_the_confirmation(alice_client, connection):
    page = alice_client.get(url("detail", connection)).content.decode()
    link = f'<a class="button danger" href="{url("disconnect", connection)}">Disconnect</a>'
    assert link in page
    assert f'action="{url("disconnect", connection)}"' not in page


def test_the_confirmation_says_what_will_happen_and_changes_nothing(alice_client, connection, rsps):
    response = alice_client.get(url("disconnect", connection))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Disconnect {connection.name}?" in page
    assert f"revoke the refresh token of {USERNAME}" in page
    assert f"delete the tokens it holds for org {ORG_ID}" in page
    assert "stop the keep-alive" in page
    assert '<form method="post">' in page
    assert '<button type="submit" class="danger">Disconnect</button>' in page
    assert not rsps.calls
    assert TokenSet.objects.exists()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED


def test_viewers_and_outsiders_get_no_confirmation(victor_client, charlie_client, connection):
    assert victor_client.get(url("disconnect", connection)).status_code == 403
    assert charlie_client.get(url("disconnect", connection)).status_code == 404
