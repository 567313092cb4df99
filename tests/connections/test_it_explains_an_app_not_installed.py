"""The External Client App isn't installed in the org (OAUTH_EC_APP_NOT_FOUND): at the
authorize redirect after sign-in, at the code exchange, or at a refresh. Orgkeeper says to
install the app in the org or use the org that owns it; the sign-in's state is used up,
nothing is retried and nothing is stored."""

import pytest
from django.core import mail

from connections.models import Connection, TokenSet
from tests.connections.helpers import (
    connect_emulator,
    emulator_authorize,
    emulator_callback,
    emulator_start,
    url,
)
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("public_urls")]

FIX = "Install the External Client App in"
OWNER = "or use the org that owns it"


def test_the_authorize_redirect_is_explained_and_used_up(alice_client, team, salesforce_emulator):  # noqa: F811
    emulator = salesforce_emulator
    emulator.demo_app.installed = False
    connection, response = connect_emulator(alice_client, team, emulator)

    assert response.status_code == 400
    page = response.content.decode()
    assert "The External Client App isn&#x27;t installed in this org." in page
    assert f"{FIX} the org you signed in to ({emulator.base_url}), {OWNER}" in page
    assert "OAUTH_EC_APP_NOT_FOUND" in page
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DRAFT
    assert not TokenSet.objects.exists()
    assert not emulator.token_requests()  # no code, no token call, no retry


def test_a_reloaded_callback_is_not_tried_again(alice_client, team, salesforce_emulator):  # noqa: F811
    emulator = salesforce_emulator
    emulator.demo_app.installed = False
    _connection, authorize_url = emulator_start(
        alice_client,
        team,
        emulator,
        emulator.demo_app.consumer_key,
        emulator.demo_app.consumer_secret,
    )
    location = emulator.sign_in_and_allow(authorize_url)
    emulator_callback(alice_client, location)
    emulator.demo_app.installed = True

    again = emulator_callback(alice_client, location)

    assert "This sign-in was already used." in again.content.decode()
    assert not emulator.token_requests()


def test_the_code_exchange_names_the_org_of_a_reauthorization(
    alice_client,
    team,
    salesforce_emulator,  # noqa: F811
):
    emulator = salesforce_emulator
    connection, _ = connect_emulator(alice_client, team, emulator)
    tokens = TokenSet.objects.get()
    app = emulator.demo_app
    location = emulator.sign_in_and_allow(
        emulator_authorize(alice_client, connection, emulator, app.consumer_key)
    )
    app.installed = False  # uninstalled between Allow and the code exchange

    response = emulator_callback(alice_client, location)

    assert response.status_code == 400
    assert f"{FIX} org {emulator.demo_org.org_id}, {OWNER}" in response.content.decode()
    assert len(emulator.token_requests("authorization_code")) == 2  # one per sign-in
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert TokenSet.objects.get().refresh_token == tokens.refresh_token


def test_a_refresh_makes_it_misconfigured_until_installed(alice_client, team, salesforce_emulator):  # noqa: F811
    emulator = salesforce_emulator
    connection, _ = connect_emulator(alice_client, team, emulator)
    refresh_token = TokenSet.objects.get().refresh_token
    emulator.demo_app.installed = False

    alice_client.post(url("refresh", connection))

    connection.refresh_from_db()
    assert connection.status == Connection.Status.MISCONFIGURED
    org_id = emulator.demo_org.org_id
    assert f"install the External Client App in org {org_id}, {OWNER}" in connection.status_reason
    assert len(emulator.token_requests("refresh_token")) == 1  # no retry loop
    assert emulator.is_refresh_token_live(refresh_token)
    (alert,) = mail.outbox
    assert f"install the External Client App in org {org_id}" in alert.body

    emulator.demo_app.installed = True
    alice_client.post(url("refresh", connection))
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
