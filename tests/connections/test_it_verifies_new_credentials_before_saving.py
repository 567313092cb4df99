"""Editing a connected connection's consumer secret (or key) tries it with one refresh first
(issue 14, item 4): accepted, the rotated tokens and the secret are saved and the history
names the field; refused, nothing is saved and the page names the setup step."""

import pytest

from connections.models import ClientCredentials, Connection, ConnectionEvent, TokenSet
from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    TOKEN_URL,
    form_body,
    oauth_error,
    token_body,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")
NEW_SECRET = "N3WSECRET0123456789ABCDEF"


def edit(client, connection, secret: str, name: str = "Acme production"):
    data = {"name": name, "consumer_key": CONSUMER_KEY, "consumer_secret": secret}
    return client.post(url("edit", connection), data)


def test_an_accepted_secret_is_saved_with_the_rotated_tokens(alice_client, connection, rsps):
    rsps.post(TOKEN_URL, json=token_body(NEW_SECRET, access_token="00D!new", refresh_token="5A!n"))

    assert edit(alice_client, connection, NEW_SECRET).status_code == 302

    sent = form_body(rsps.calls[0])
    assert (sent["grant_type"], sent["client_secret"]) == ("refresh_token", NEW_SECRET)
    assert ClientCredentials.objects.get().consumer_secret == NEW_SECRET
    tokens = TokenSet.objects.get()
    assert (tokens.refresh_token, tokens.generation) == ("5A!n", 2)
    event = connection.events.filter(kind=ConnectionEvent.Kind.UPDATED).get()
    assert event.message == "Changed Consumer Secret (accepted by Salesforce)."


def test_a_refused_secret_saves_nothing_and_names_the_step(alice_client, connection, rsps):
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))

    response = edit(alice_client, connection, "WrongSecret000111", name="Renamed")

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Nothing was saved. The Consumer Secret is wrong. Check it in Salesforce (step 7, "
        "below) and paste it again."
    ) in page
    assert "Fix it in Salesforce: step 7" in page and 'id="step-7"' in page
    assert ClientCredentials.objects.get().consumer_secret == CONSUMER_SECRET
    connection.refresh_from_db()
    assert (connection.name, connection.status) == ("Acme production", "connected")
    assert connection.consecutive_failures == 0 and not connection.last_error
    assert TokenSet.objects.get().generation == 1
    assert not connection.events.exists()


def test_a_misconfigured_connection_recovers_with_the_right_secret(alice_client, connection, rsps):
    Connection.objects.filter(pk=connection.pk).update(status="misconfigured")
    rsps.post(TOKEN_URL, json=token_body(NEW_SECRET))
    assert edit(alice_client, connection, NEW_SECRET).status_code == 302
    connection.refresh_from_db()
    assert connection.status == "connected"


def test_a_rename_alone_calls_nobody_and_says_what_changed(alice_client, connection, rsps):
    assert edit(alice_client, connection, "", name="Renamed").status_code == 302
    assert not rsps.calls
    assert connection.events.get().message == "Changed Name."


def test_a_connection_without_live_tokens_saves_without_a_refresh(alice_client, connection, rsps):
    Connection.objects.filter(pk=connection.pk).update(status="needs_reauthorization")
    assert edit(alice_client, connection, NEW_SECRET).status_code == 302
    assert not rsps.calls
    assert ClientCredentials.objects.get().consumer_secret == NEW_SECRET
