""" "Refresh token expires if unused" shows a date only while Salesforce still accepts the
refresh token (connected, misconfigured); otherwise it says how to get a new one."""

import pytest

from connections.models import Connection, TokenSet
from tests.connections.helpers import url

NO_TOKEN = "— (re-authorize to get a new refresh token)"


def pages(client, connection) -> tuple[str, str]:
    detail = client.get(url("detail", connection)).content.decode()
    listing = client.get(f"/teams/{connection.team.slug}/connections/").content.decode()
    return detail, listing


@pytest.mark.parametrize("status", ["connected", "misconfigured"])
def test_it_shows_the_date_while_the_refresh_token_is_alive(alice_client, connection, status):
    Connection.objects.filter(pk=connection.pk).update(status=status)
    expires = TokenSet.objects.get().refresh_token_expires_at
    detail, listing = pages(alice_client, connection)
    assert f"{expires:%Y-%m-%d %H:%M} UTC" in detail
    assert f"{expires:%Y-%m-%d %H:%M} UTC" in listing
    assert NO_TOKEN not in detail + listing


def test_it_says_how_to_get_a_new_refresh_token_after_a_revocation(alice_client, connection):
    Connection.objects.filter(pk=connection.pk).update(status="needs_reauthorization")
    expires = TokenSet.objects.get().refresh_token_expires_at
    detail, listing = pages(alice_client, connection)
    assert NO_TOKEN in detail and NO_TOKEN in listing
    assert f"{expires:%Y-%m-%d}" not in detail + listing


def test_it_says_how_to_get_a_new_refresh_token_after_a_disconnect(alice_client, connection):
    TokenSet.objects.all().delete()
    Connection.objects.filter(pk=connection.pk).update(status="disconnected")
    detail, listing = pages(alice_client, connection)
    assert NO_TOKEN in detail and NO_TOKEN in listing


def test_a_draft_shows_a_dash(alice_client, draft):
    detail, _ = pages(alice_client, draft)
    assert "<dt>Refresh token expires if unused</dt><dd>—</dd>" in detail
