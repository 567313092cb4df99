"""Salesforce's September 2025 uninstalled-app restriction: the callback arrives with
error=OAUTH_APPROVAL_ERROR_GENERIC. Orgkeeper names the install step and the two user
permissions, makes no token call and stores nothing; connections authorized before keep
refreshing."""

import pytest

from connections.models import Connection, TokenSet
from tests.connections.helpers import connect_emulator, url
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("public_urls")]


def test_the_callback_names_the_install_step_and_the_permissions(
    alice_client,
    team,
    salesforce_emulator,  # noqa: F811
):
    emulator = salesforce_emulator
    emulator.demo_app.uninstalled_app_restricted = True

    connection, response = connect_emulator(alice_client, team, emulator)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Salesforce didn&#x27;t let this user approve the app." in page
    assert "Setup &gt; Connected Apps OAuth Usage: find the app and click Install" in page
    assert "Approve Uninstalled Connected Apps" in page
    assert "Use Any API Client" in page
    assert "OAUTH_APPROVAL_ERROR_GENERIC" in page
    assert not emulator.token_requests()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DRAFT
    assert not TokenSet.objects.exists()


def test_a_user_given_the_permission_connects(alice_client, team, salesforce_emulator):  # noqa: F811
    emulator = salesforce_emulator
    emulator.demo_app.uninstalled_app_restricted = True
    emulator.demo_user.approve_uninstalled_apps = True

    connection, response = connect_emulator(alice_client, team, emulator)

    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED


def test_connections_authorized_before_keep_refreshing(alice_client, team, salesforce_emulator):  # noqa: F811
    emulator = salesforce_emulator
    connection, _ = connect_emulator(alice_client, team, emulator)
    emulator.demo_app.uninstalled_app_restricted = True
    generation = TokenSet.objects.get().generation

    alice_client.post(url("refresh", connection))

    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    tokens = TokenSet.objects.get()
    assert tokens.generation == generation + 1
    assert emulator.is_refresh_token_live(tokens.refresh_token)
