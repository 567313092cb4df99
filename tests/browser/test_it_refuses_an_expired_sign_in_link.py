"""Coming back from Salesforce after the sign-in expired (10 minutes) shows the
start-again page instead of connecting."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    add_member,
    heading,
    screenshot,
    sign_in,
    sign_in_at_salesforce,
    start_connection,
)

pytestmark = pytest.mark.browser

EXPIRE_SIGN_INS = """
from datetime import timedelta
from django.utils import timezone
from connections.models import AuthorizationRequest
AuthorizationRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
"""


def test_it_refuses_an_expired_sign_in_link(page, orgkeeper, emulator):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    start_connection(page, slug, emulator, "Acme production")
    orgkeeper.shell(EXPIRE_SIGN_INS)  # the admin left the Salesforce tab open too long
    sign_in_at_salesforce(page, emulator)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("no longer valid .* start again")
    )
    expect(page.get_by_role("main")).to_contain_text("more than 10 minutes")
    screenshot(page, "15-expired-sign-in-link")
    assert emulator.token_requests("authorization_code") == []

    page.get_by_role("link", name="Start again").click()
    expect(heading(page, "Enter External Client App Credentials")).to_be_visible()
