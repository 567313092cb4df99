"""The Dynamics 365 wizard against the Entra + Dataverse emulator over real HTTP."""

import pytest

from connections.models import Connection, TokenSet
from tests.connections.helpers import url
from tests.emulators.entra import fingerprint
from tests.providers.dynamics.helpers import connect

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("public_urls", "dynamics_settings"),
]


def test_it_connects_and_tests_an_environment(alice_client, team, entra_emulator):
    emulator = entra_emulator
    connection, response = connect(alice_client, team, emulator)
    assert response.status_code == 302, response.content.decode()[-2000:]
    connection.refresh_from_db()
    environment = emulator.store.environments["orgkeeper-demo"]
    assert connection.status == Connection.Status.CONNECTED
    assert connection.provider == "dynamics"
    assert connection.instance_url == emulator.environment_url("orgkeeper-demo")
    assert connection.organization_id == environment.organization_id
    assert connection.username == emulator.demo_user.username
    tokens = TokenSet.objects.get()
    assert tokens.provider_data["tenant_id"] == emulator.demo_tenant.tenant_id
    assert tokens.expires_at is not None
    # The newest refresh token (the discovery's) is the one kept.
    newest = emulator.refresh_log()[-1]["issued"]
    assert fingerprint(tokens.refresh_token) == newest

    page = alice_client.get(url("detail", connection)).content.decode()
    assert emulator.demo_tenant.tenant_id in page
    assert "Conditional Access sign-in frequency" in page  # 90 days is only the default
    tested = alice_client.post(url("test", connection), follow=True)
    assert "Dataverse answered WhoAmI" in tested.content.decode()

    disconnected = alice_client.post(url("disconnect", connection), follow=True)
    assert "no per-token revoke" in disconnected.content.decode()
    assert not TokenSet.objects.exists()
    # The tenant stays shown, as the other facts do.
    page = alice_client.get(url("detail", connection)).content.decode()
    assert emulator.demo_tenant.tenant_id in page
    assert connection.username in page


def test_it_renames_a_connected_environment(alice_client, team, entra_emulator):
    connection, _ = connect(alice_client, team, entra_emulator)
    page = alice_client.get(url("edit", connection))
    assert page.status_code == 200
    assert "can&#x27;t change while the connection holds tokens" not in page.content.decode()
    saved = alice_client.post(url("edit", connection), {"name": "Contoso service"})
    assert saved.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Contoso service"
    assert connection.status == Connection.Status.CONNECTED
