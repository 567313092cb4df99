"""Issue 14 items 3 and 4 in Chromium, as a new admin meets them: a second connection signed
in as the same Salesforce user and External Client App is offered as a re-authorization of
the first (no extra approval), and a mistyped consumer secret under Edit is refused before it
is saved."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    add_member,
    field,
    heading,
    message,
    screenshot,
    sign_in,
    sign_in_at_salesforce,
    start_connection,
)

pytestmark = pytest.mark.browser


def connect(page, slug, emulator, name: str) -> None:
    start_connection(page, slug, emulator, name)
    sign_in_at_salesforce(page, emulator)


def test_a_second_sign_in_as_the_same_user_reauthorizes_the_first(page, orgkeeper, emulator):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    connect(page, slug, emulator, "Acme production")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")

    connect(page, slug, emulator, "Acme again")
    choice = page.get_by_role("region", name=re.compile("Acme production already connects"))
    expect(choice).to_contain_text("Salesforce keeps at most 5 approvals")
    assert len(emulator.live_grants()) == 2  # Salesforce made the approval at Allow
    screenshot(page, "duplicate-sign-in-choice")
    choice.get_by_role("button", name="Re-authorize Acme production instead").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")
    expect(message(page, "Re-authorized with the new sign-in")).to_be_visible()
    assert len(emulator.live_grants()) == 1  # the old approval was revoked
    page.goto(f"/teams/{slug}/connections/")
    expect(page.get_by_role("link", name="Acme again")).to_have_count(0)
    expect(page.get_by_role("link", name="Acme production")).to_have_count(1)


def test_a_wrong_secret_under_edit_is_refused_and_nothing_saved(page, orgkeeper, emulator):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    connect(page, slug, emulator, "Acme production")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")

    page.get_by_role("link", name="Edit").click()
    field(page, "Consumer Secret (Client Secret)").fill("NotTheSecret0001")
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert").filter(has_text="Nothing was saved")
    expect(summary).to_contain_text("The Consumer Secret is wrong.")
    expect(summary).to_be_focused()
    expect(heading(page, "Fix it in Salesforce: step 7")).to_be_visible()
    screenshot(page, "edit-wrong-secret")

    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")

    page.get_by_role("link", name="Edit").click()
    field(page, "Consumer Secret (Client Secret)").fill(emulator.demo_app.consumer_secret)
    page.get_by_role("button", name="Save").click()
    expect(message(page, "Saved.")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Changed Consumer Secret (accepted by Salesforce).")
    ).to_be_visible()
    assert (
        len(emulator.token_requests("refresh_token")) == 2
    )  # the refused try and the accepted one
