"""The consumer key and secret entered in step 2 replace the External Client App's only when
the sign-in succeeds, so a mistyped secret can't break a working connection."""

import pytest

from connections import keepalive
from connections.models import ClientCredentials, Connection, TokenSet
from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    OLD_REFRESH_TOKEN,
    REFRESH_TOKEN,
    REVOKE_URL,
    TOKEN_URL,
    finish_flow,
    form_body,
    oauth_error,
    query,
    register_success,
    start_flow,
    token_body,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")

WRONG_SECRET = "WrongSecret0123456789ABCDEF"
NEW_KEY = "3MVG9NewConsumerKey.For_Orgkeeper_Tests0002"
NEW_SECRET = "NEWSECRET0123456789ABCDEF0123456789ABCDEF"


def app_of(connection: Connection) -> tuple[str, str]:
    app = ClientCredentials.objects.get(connection=connection)
    return app.consumer_key, app.consumer_secret


@pytest.mark.parametrize(
    "reply",
    [
        # "Require secret for Web Server Flow" on: Salesforce refuses the secret.
        oauth_error("invalid_client", "invalid client credentials"),
        # Off (PKCE only): Salesforce answers, signed with the real secret.
        {"json": token_body(CONSUMER_SECRET)},
    ],
)
def test_a_wrong_secret_leaves_the_working_connection_alone(alice_client, connection, rsps, reply):
    params = start_flow(alice_client, connection, secret=WRONG_SECRET)
    rsps.post(TOKEN_URL, **reply)
    rsps.post(REVOKE_URL)

    response = finish_flow(alice_client, {"code": "c", "state": params["state"]})

    assert response.status_code == 400
    assert form_body(rsps.calls[0])["client_secret"] == WRONG_SECRET
    assert app_of(connection) == (CONSUMER_KEY, CONSUMER_SECRET)
    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.refresh_token, tokens.generation) == (OLD_REFRESH_TOKEN, 1)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED

    # The keep-alive still refreshes with the stored secret.
    rsps.reset()
    rsps.post(TOKEN_URL, json=token_body(CONSUMER_SECRET))
    result = keepalive.refresh_connection(connection.pk, force=True)
    assert result.outcome == keepalive.Outcome.REFRESHED
    assert form_body(rsps.calls[0])["client_secret"] == CONSUMER_SECRET


def test_a_successful_sign_in_saves_the_new_credentials_with_the_new_tokens(
    alice_client, connection, rsps
):
    response = alice_client.post(
        url("credentials", connection), {"consumer_key": NEW_KEY, "consumer_secret": NEW_SECRET}
    )
    assert query(response["Location"])["client_id"] == NEW_KEY
    assert app_of(connection) == (CONSUMER_KEY, CONSUMER_SECRET)
    register_success(rsps, secret=NEW_SECRET)
    rsps.post(REVOKE_URL)

    response = finish_flow(
        alice_client, {"code": "c", "state": query(response["Location"])["state"]}
    )

    assert response.status_code == 302
    sent = form_body(rsps.calls[0])
    assert (sent["client_id"], sent["client_secret"]) == (NEW_KEY, NEW_SECRET)
    assert app_of(connection) == (NEW_KEY, NEW_SECRET)
    tokens = TokenSet.objects.get(connection=connection)
    assert (tokens.refresh_token, tokens.signature_verified) == (REFRESH_TOKEN, True)


def test_an_empty_secret_keeps_the_stored_one(alice_client, connection, rsps):
    params = start_flow(alice_client, connection, secret="")
    register_success(rsps)
    rsps.post(REVOKE_URL)

    assert finish_flow(alice_client, {"code": "c", "state": params["state"]}).status_code == 302

    assert form_body(rsps.calls[0])["client_secret"] == CONSUMER_SECRET
    assert app_of(connection) == (CONSUMER_KEY, CONSUMER_SECRET)


def test_a_new_connection_gets_its_app_when_the_sign_in_succeeds(alice_client, team, alice, rsps):
    fresh = Connection.objects.create(team=team, name="Acme", created_by=alice)
    params = start_flow(alice_client, fresh, secret=CONSUMER_SECRET)
    assert not ClientCredentials.objects.exists()
    register_success(rsps)

    assert finish_flow(alice_client, {"code": "c", "state": params["state"]}).status_code == 302

    assert app_of(fresh) == (CONSUMER_KEY, CONSUMER_SECRET)
    fresh.refresh_from_db()
    assert fresh.status == Connection.Status.CONNECTED


def test_a_failed_first_sign_in_saves_no_app(alice_client, team, alice, rsps):
    fresh = Connection.objects.create(team=team, name="Acme", created_by=alice)
    params = start_flow(alice_client, fresh, secret=WRONG_SECRET)
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))

    assert finish_flow(alice_client, {"code": "c", "state": params["state"]}).status_code == 400

    assert not ClientCredentials.objects.exists()
    fresh.refresh_from_db()
    assert fresh.status == Connection.Status.DRAFT
