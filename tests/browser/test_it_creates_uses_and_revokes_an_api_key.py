"""Team settings → API keys in Chromium: create a key, see it once, copy it, use it from
another program, revoke it (after a confirmation), and the key stops working. The keys page
and the API docs page pass the Content-Security-Policy."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.helpers import (
    add_member,
    heading,
    screenshot,
    sign_in,
    sign_in_at_salesforce,
    start_connection,
)
from tests.browser.test_it_passes_the_content_security_policy import RECORD_VIOLATIONS

pytestmark = pytest.mark.browser


def access_token(orgkeeper, code: str, key: str) -> requests.Response:
    return requests.post(
        f"{orgkeeper.base_url}/api/v1/connections/{code}/access-token",
        json={},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )


def test_it_creates_uses_and_revokes_an_api_key(page, orgkeeper, emulator):
    def scope(name: str):
        return page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(name)}:"))

    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, "alice@example.com")
    start_connection(page, slug, emulator, "Acme production")
    sign_in_at_salesforce(page, emulator)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")
    code = re.search(r"/connections/([0-9a-f-]{36})/", page.url)[1]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API keys")
    page.get_by_label("Name").fill("Nightly ETL")
    expect(scope("connections:read")).to_be_checked()
    expect(scope("tokens:issue")).to_be_checked()
    expect(scope("proxy")).not_to_be_checked()
    page.get_by_role("button", name="Create key").click()

    expect(heading(page, "Key Nightly ETL created")).to_be_visible()
    shown = page.locator("#raw-key").inner_text()
    assert re.fullmatch(r"okk_[A-Za-z0-9_-]{40,}", shown)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == shown
    screenshot(page, "20-api-key-created")
    assert page.evaluate("window.__violations") == []

    issued = access_token(orgkeeper, code, copied)
    assert issued.status_code == 200, issued.text
    assert issued.json()["instance_url"]

    page.reload()  # the form again: no second key, and the key is never shown again
    expect(page.get_by_role("status").filter(has_text="created already")).to_be_visible()
    expect(page.get_by_text(copied)).to_have_count(0)
    row = page.get_by_role("table", name="API keys").get_by_role("row").filter(has_text="Nightly")
    expect(row).to_contain_text(copied[:12])
    expect(row.locator("time")).to_have_count(2)  # created, and last used just now
    history = page.get_by_role("table", name="History").get_by_role("row")
    expect(history.filter(has_text=f"API key Nightly ETL ({copied[:12]}…) created.")).to_have_count(
        1
    )

    row.get_by_role("link", name="Revoke").click()
    expect(heading(page, "Revoke API key Nightly ETL?")).to_be_visible()
    page.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_role("status").filter(has_text="Revoked Nightly ETL")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Nightly ETL").first).to_contain_text("revoked")

    refused = access_token(orgkeeper, code, copied)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "unauthenticated"

    page.goto("/api/v1/docs/")
    expect(page.get_by_text("Orgkeeper API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/connections/{id}/access-token").first).to_be_visible()
    assert page.evaluate("window.__violations") == []
