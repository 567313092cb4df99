"""A viewer sees the team's connections but no button that changes anything."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    add_member,
    fact,
    screenshot,
    sign_in,
    sign_in_at_salesforce,
    start_connection,
)

pytestmark = pytest.mark.browser

ACTIONS = re.compile(
    r"^(New connection|Connect|Re-authorize|Test connection|Refresh now|Edit|Disconnect|Delete)$"
)


def test_it_hides_actions_from_viewers(page, orgkeeper, emulator):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    add_member(orgkeeper, "victor@example.com", "Acme Admins", "viewer")
    sign_in(page, "alice@example.com")
    start_connection(page, slug, emulator, "Acme production")
    sign_in_at_salesforce(page, emulator)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "victor@example.com")
    content = page.get_by_role("main")
    expect(content.get_by_role("link", name="Acme production")).to_be_visible()
    expect(content.get_by_role("link", name=ACTIONS)).to_have_count(0)
    screenshot(page, "12-viewer-connections")

    content.get_by_role("link", name="Acme production").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")
    expect(fact(page, "Org ID")).to_have_text(emulator.demo_org.org_id)
    expect(content.get_by_role("button")).to_have_count(0)
    expect(content.get_by_role("link", name=ACTIONS)).to_have_count(0)
    screenshot(page, "13-viewer-detail")
