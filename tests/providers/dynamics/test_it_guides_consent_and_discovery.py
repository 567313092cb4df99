"""Consent blocked by the tenant, a user outside the environment, and picking another
environment from Global Discovery's list: against the emulator over real HTTP."""

import html
import re

import pytest

from connections.models import Connection, TokenSet
from tests.connections.helpers import url
from tests.providers.dynamics.helpers import callback, connect, sign_in_url, start

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("public_urls", "dynamics_settings"),
]


def test_it_shows_the_admin_consent_link_then_connects(alice_client, team, entra_emulator):
    emulator = entra_emulator
    emulator.set_user_consent(False)
    connection, response = connect(alice_client, team, emulator)
    page = response.content.decode()
    assert response.status_code == 400
    assert "requires an administrator&#x27;s consent" in page
    assert not TokenSet.objects.exists()
    link = html.unescape(re.search(r'<a href="([^"]+/adminconsent\?[^"]+)"', page)[1])
    assert link.startswith(f"{emulator.authority}/organizations/adminconsent?client_id=")

    granted = callback(alice_client, emulator.grant_admin_consent(link))
    assert granted.status_code == 200
    assert "Consent granted for your organization." in granted.content.decode()

    location = emulator.sign_in(sign_in_url(alice_client, connection))
    assert callback(alice_client, location).status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED


def test_it_lists_reachable_environments_and_connects_the_one_picked(
    alice_client,
    team,
    entra_emulator,
):
    emulator = entra_emulator
    emulator.unprovision("orgkeeper-demo", emulator.demo_user)
    connection, response = connect(alice_client, team, emulator)
    page = response.content.decode()
    assert response.status_code == 409
    assert f"{emulator.demo_user.username} can&#x27;t reach this environment." in page
    sandbox = emulator.environment_url("orgkeeper-sandbox")
    assert sandbox in page and "Use Orgkeeper Sandbox" in page
    assert not TokenSet.objects.exists()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DRAFT

    picked = alice_client.post(
        url("setup", connection), {"name": connection.name, "environment_url": sandbox}
    )
    assert picked.status_code == 302
    location = emulator.sign_in(sign_in_url(alice_client, connection))
    assert callback(alice_client, location).status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert connection.instance_url == sandbox
    assert (
        connection.organization_id
        == emulator.store.environments["orgkeeper-sandbox"].organization_id
    )


def test_it_names_a_user_without_any_environment(alice_client, team, entra_emulator):
    emulator = entra_emulator
    user = emulator.add_user("nobody@orgkeeper-demo.onmicrosoft.com", "pw-1", environments=[])
    _, response = connect(alice_client, team, emulator, username=user.username, password="pw-1")
    assert response.status_code == 403
    page = response.content.decode()
    assert (
        "nobody@orgkeeper-demo.onmicrosoft.com can&#x27;t reach any Dataverse environment" in page
    )
    assert "security role" in page


def test_it_names_the_user_when_dataverse_says_not_a_member(
    alice_client,
    team,
    entra_emulator,
):
    emulator = entra_emulator
    connection, response = connect(alice_client, team, emulator)
    assert response.status_code == 302
    emulator.unprovision("orgkeeper-demo", emulator.demo_user)
    tested = alice_client.post(url("test", connection), follow=True).content.decode()
    assert f"{emulator.demo_user.username} has no enabled Dataverse user" in tested
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED  # not a re-authorization


def test_it_sends_a_mistyped_environment_url_back_to_step_1(alice_client, team, entra_emulator):
    emulator = entra_emulator
    mistyped = f"{emulator.authority}/env/orgkeeper-demmo"
    # A new draft with the mistyped URL (passes validation: it is under the allowed prefix).
    draft = start(alice_client, team, mistyped, name="Typo")
    location = emulator.sign_in(sign_in_url(alice_client, draft))
    page = callback(alice_client, location).content.decode()
    assert "Microsoft doesn&#x27;t know this environment URL in your tenant: check it." in page
    assert url("setup", draft) in page
    assert "Back to step 1" in page


def test_it_offers_no_environment_pick_when_re_authorizing_a_connected_one(
    alice_client, team, entra_emulator
):
    emulator = entra_emulator
    connection, _ = connect(alice_client, team, emulator)
    emulator.unprovision("orgkeeper-demo", emulator.demo_user)
    location = emulator.sign_in(sign_in_url(alice_client, connection))
    response = callback(alice_client, location)
    page = response.content.decode()
    assert response.status_code == 409
    assert emulator.environment_url("orgkeeper-sandbox") in page
    # The setup page would only redirect a connected connection to Edit and drop the pick.
    assert "Use Orgkeeper Sandbox" not in page
    assert url("setup", connection) not in page
    assert "create a new connection" in page
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert connection.instance_url == emulator.environment_url("orgkeeper-demo")
