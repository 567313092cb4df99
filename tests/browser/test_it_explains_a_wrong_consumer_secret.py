"""A Consumer Secret copied wrong fails at the token exchange, and the page says which
setup step to redo."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    add_member,
    screenshot,
    sign_in,
    sign_in_at_salesforce,
    start_connection,
)

pytestmark = pytest.mark.browser


def test_it_explains_a_wrong_consumer_secret(page, orgkeeper, emulator):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    start_connection(page, slug, emulator, "Acme production", consumer_secret="NotTheSecret0001")
    sign_in_at_salesforce(page, emulator)

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Consumer Secret"))
    content = page.get_by_role("main")
    expect(content).to_contain_text("Copy the Consumer Secret again (step 7)")
    expect(content.get_by_role("heading", name=re.compile("step 7"))).to_be_visible()
    expect(content.get_by_role("link", name="Start again")).to_be_visible()
    screenshot(page, "14-wrong-consumer-secret")
    assert emulator.live_grants() == []

    page.get_by_role("link", name="Back to Acme production").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Connected$"))
