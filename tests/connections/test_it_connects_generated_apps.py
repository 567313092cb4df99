"""Apps the emulator generates (consumer key and secret left out) go through Orgkeeper's real
credentials form and connect, every one of them: a generated key once held a ``-`` that the
form refuses, so such tests failed about one run in three."""

import pytest

from connections.models import Connection, TokenSet
from tests.connections.helpers import connect_emulator
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("public_urls")]

APPS = 25


def test_every_generated_app_connects_through_the_form(alice_client, team, salesforce_emulator):  # noqa: F811
    emulator = salesforce_emulator
    for number in range(APPS):
        app = emulator.add_app(emulator.demo_org, ip_allowlist=["127.0.0.1/32"])
        # A user per app, so no two connections share an org user.
        user = emulator.add_user(emulator.demo_org, f"generated{number}@orgkeeper.example", "pw")
        connection, response = connect_emulator(alice_client, team, emulator, app, user=user)
        assert response.status_code == 302, (app.consumer_key, response.content[-2000:])
        connection.refresh_from_db()
        assert connection.status == Connection.Status.CONNECTED
        assert connection.client_credentials.consumer_key == app.consumer_key
        assert connection.username == user.username
        tokens = TokenSet.objects.get(connection=connection)
        assert emulator.is_refresh_token_live(tokens.refresh_token)
    assert Connection.objects.filter(status=Connection.Status.CONNECTED).count() == APPS
