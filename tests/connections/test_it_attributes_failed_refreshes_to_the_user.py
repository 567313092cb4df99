""" "Refresh now" failures are attributed to the user who clicked, like its successes."""

from connections.models import ConnectionEvent
from tests.connections.helpers import TOKEN_URL, oauth_error, token_body, url

Kind = ConnectionEvent.Kind


def test_a_successful_refresh_names_the_user(alice_client, alice, connection, rsps):
    rsps.post(TOKEN_URL, json=token_body(access_token="00D!fresh", refresh_token="5Aep!next"))
    alice_client.post(url("refresh", connection))
    assert connection.events.get(kind=Kind.REFRESHED).actor == alice


def test_a_failed_refresh_names_the_user(alice_client, alice, connection, rsps):
    rsps.post(TOKEN_URL, **oauth_error("invalid_grant", "expired access/refresh token"))

    alice_client.post(url("refresh", connection))

    failed = connection.events.get(kind=Kind.REFRESH_FAILED)
    changed = connection.events.get(kind=Kind.STATUS_CHANGED)
    assert (failed.actor, changed.actor) == (alice, alice)
    assert connection.events.get(kind=Kind.ALERT_SENT).actor is None  # the email is Orgkeeper's
