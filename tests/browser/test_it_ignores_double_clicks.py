"""A new admin's double clicks on a slow server (issue 14, item 11): the second click reaches
the server while the first is still being handled. Send invitation, step 1's Next, Connect and
Refresh now each act once and land where a single click leads."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import (
    add_member,
    field,
    fill_step1,
    fill_step2,
    heading,
    message,
    sign_in,
    sign_in_at_salesforce,
    writes_held,
)

pytestmark = pytest.mark.browser
BETWEEN_CLICKS_MS = 300


def count(orgkeeper, model: str) -> int:
    app = "accounts" if model == "Invitation" else "connections"
    code = f"from {app}.models import {model}; print({model}.objects.count())"
    return int(orgkeeper.shell(code).strip())


def click_twice(page: Page, button: Locator) -> None:
    """Two clicks of the mouse, the second while the first's request is still being handled
    (Playwright's own click would wait for that navigation first)."""
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(BETWEEN_CLICKS_MS)
    page.mouse.click(x, y)
    page.wait_for_timeout(BETWEEN_CLICKS_MS)


def test_a_double_clicked_invitation_is_sent_once(page, orgkeeper):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    page.goto(f"/teams/{slug}/members/")
    field(page, "Email").fill("dave@example.com")
    with writes_held(orgkeeper, "accounts_invitation"):
        click_twice(page, page.get_by_role("button", name="Send invitation"))
    expect(message(page, "Invitation sent to dave@example.com")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Members of"))
    assert count(orgkeeper, "Invitation") == 1
    assert orgkeeper.logs().count("Subject: Join Acme Admins on Orgkeeper") == 1


def test_double_clicks_in_the_wizard_make_one_connection(page, orgkeeper, emulator):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    page.goto(f"/teams/{slug}/connections/new/")
    fill_step1(page, "Acme production", emulator.base_url)
    with writes_held(orgkeeper, "connections_connection"):
        click_twice(page, page.get_by_role("button", name="Next"))
    app = emulator.demo_app
    fill_step2(page, app.consumer_key, app.consumer_secret)
    assert count(orgkeeper, "Connection") == 1

    with writes_held(orgkeeper, "connections_authorizationrequest"):
        click_twice(page, page.get_by_role("button", name="Connect"))
    expect(heading(page, re.compile("^Log in to"))).to_be_visible()
    assert count(orgkeeper, "AuthorizationRequest") == 1
    sign_in_at_salesforce(page, emulator)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")

    emulator.token_processing_seconds = 1.0  # Salesforce answers the refresh slowly
    click_twice(page, page.get_by_role("button", name="Refresh now"))
    expect(message(page, "Refreshed. Salesforce issued new tokens.")).to_be_visible()
    assert len(emulator.token_requests("refresh_token")) == 1
