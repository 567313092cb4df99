"""The README's "Try Dynamics without a tenant" journey, as an admin does it: New connection
> Microsoft Dynamics 365, the environment URL, Sign in with Microsoft at the Entra emulator,
consent, Connected with the tenant and organization, Test connection."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PASSWORD, Orgkeeper, fact, field, heading, message, screenshot
from tests.emulators.entra.fixtures import entra_emulator  # noqa: F401

pytestmark = pytest.mark.browser

CONNECTION = "Contoso sales"


@pytest.fixture
def orgkeeper(tmp_path, entra_emulator) -> Iterator[Orgkeeper]:  # noqa: F811
    """Orgkeeper configured with the emulator's demo app, authority and environments."""
    server = Orgkeeper(tmp_path)
    app = entra_emulator.demo_app
    app.redirect_uris = [server.callback_url]
    server.env.update(
        DYNAMICS_CLIENT_ID=app.client_id,
        DYNAMICS_CLIENT_SECRET=app.client_secret,
        DYNAMICS_AUTHORITY=entra_emulator.authority,
        DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES=f"{entra_emulator.authority}/env/",
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_it_connects_a_dynamics_environment(page, orgkeeper, entra_emulator):  # noqa: F811
    emulator = entra_emulator
    page.goto("/")
    field(page, "Email").fill("alice@example.com")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password again").fill(PASSWORD)
    field(page, "Team name").fill("Acme Admins")
    page.get_by_role("button", name="Create administrator").click()

    page.get_by_role("link", name="New connection").click()
    page.get_by_role("link", name="Microsoft Dynamics 365").click()
    expect(heading(page, "Connect Microsoft Dynamics 365")).to_be_visible()
    field(page, "Name").fill(CONNECTION)
    environment = emulator.environment_url("orgkeeper-demo")
    field(page, "Environment URL").fill(f"{environment}/api/data/v9.2")  # a Web API URL
    screenshot(page, "20-dynamics-step1")
    page.get_by_role("button", name="Next").click()

    expect(heading(page, "Sign in with Microsoft")).to_be_visible()
    expect(page.get_by_text(environment)).to_be_visible()  # normalised
    screenshot(page, "21-dynamics-sign-in")
    page.get_by_role("button", name="Sign in with Microsoft").click()

    user = emulator.demo_user
    page.get_by_label("Email").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    screenshot(page, "22-dynamics-microsoft-sign-in")
    page.get_by_role("button", name="Sign in").click()
    screenshot(page, "23-dynamics-consent")
    page.get_by_role("button", name="Accept").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CONNECTION} Connected")
    expect(message(page, "Connected.")).to_be_visible()
    expect(fact(page, "Environment URL")).to_have_text(environment)
    expect(fact(page, "Tenant ID")).to_have_text(emulator.demo_tenant.tenant_id)
    expect(fact(page, "Signed-in user")).to_have_text(user.username)
    organization_id = emulator.store.environments["orgkeeper-demo"].organization_id
    expect(fact(page, "Organization ID")).to_have_text(organization_id)
    page.get_by_role("button", name="Test connection").click()
    expect(message(page, "Dataverse answered WhoAmI")).to_be_visible()
    screenshot(page, "24-dynamics-connected")

    page.get_by_role("link", name="Disconnect").click()
    page.get_by_role("button", name="Disconnect").click()
    expect(message(page, "Disconnected.")).to_be_visible()
    expect(page.get_by_text("no per-token revoke").first).to_be_visible()
