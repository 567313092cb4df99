"""The main pages under the Content-Security-Policy in Chromium: first-run setup, connections,
both wizard steps, the Connect redirect to Salesforce (form-action), the connection's page and
the members page load without a console error or a CSP violation, and the copy buttons'
script (static/js/copy.js) runs."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    add_member,
    fill_step1,
    fill_step2,
    heading,
    sign_in,
    sign_in_at_salesforce,
)

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_it_passes_the_content_security_policy(page, orgkeeper, emulator):
    errors: list[str] = []
    ours = orgkeeper.base_url

    def on_console(message):
        if message.type == "error" and page.url.startswith(ours):
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)

    def check(what: str) -> None:
        assert page.url.startswith(ours), page.url
        assert "Content-Security-Policy" not in str(errors)
        violations = page.evaluate("window.__violations")
        assert violations == [], f"{what}: {violations}"
        assert errors == [], f"{what}: {errors}"

    page.goto("/setup/")
    expect(page.get_by_role("button")).not_to_have_count(0)
    check("setup")

    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    check("connections")

    page.get_by_role("link", name="New connection").click()
    expect(heading(page, "Set up Salesforce External Client App")).to_be_visible()
    expect(page.get_by_role("button", name="Copy").first).to_be_visible()  # copy.js ran
    check("wizard step 1")

    fill_step1(page, "Acme production", emulator.base_url)
    page.get_by_role("button", name="Next").click()
    app = emulator.demo_app
    fill_step2(page, app.consumer_key, app.consumer_secret)
    check("wizard step 2")

    # The Connect POST answers 302 to the emulator's authorize URL: form-action must allow it.
    page.get_by_role("button", name="Connect").click()
    expect(heading(page, re.compile("^Log in to"))).to_be_visible()
    assert not [error for error in errors if "form-action" in error]
    sign_in_at_salesforce(page, emulator)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")
    check("connection detail")

    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("status").first).to_be_visible()
    check("after Test connection")

    page.goto(f"/teams/{slug}/members/")
    expect(heading(page, re.compile("Members"))).to_be_visible()
    check("members")
