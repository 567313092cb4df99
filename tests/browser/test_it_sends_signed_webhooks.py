"""An owner adds a webhook, sees its signing secret once, sends a test event that the worker
delivers signed to a receiver on loopback, sees the delivery, and reads the activity log."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import add_member, heading, reload_until, screenshot, sign_in
from tests.webhooks.helpers import Receiver

pytestmark = pytest.mark.browser


def test_it_sends_signed_webhooks(page, orgkeeper):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    with Receiver() as receiver:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
        expect(heading(page, "Webhooks")).to_be_visible()
        page.get_by_role("textbox", name="URL").fill(receiver.url)
        page.get_by_role("button", name="Add webhook").click()
        secret = page.locator("#signing-secret").inner_text()
        assert secret.startswith("whsec_")
        receiver.secrets.append(secret)
        screenshot(page, "20-webhook-added")

        page.get_by_role("link", name="Open the webhook").click()
        expect(page.get_by_text(secret)).to_have_count(0)
        page.get_by_role("button", name="Send test event").click()
        test_row = page.get_by_role("row").filter(has_text="webhook.test")
        reload_until(page, lambda: "Succeeded" in test_row.inner_text())
        expect(test_row).to_contain_text("HTTP 204")
        screenshot(page, "21-webhook-delivery")

        tests = [r for r in receiver.received if json.loads(r.body)["type"] == "webhook.test"]
        assert len(tests) == 1
        assert tests[0].verified_by == {secret}
        assert tests[0].headers["webhook-id"] in test_row.inner_text()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(heading(page, "Activity of Acme Admins")).to_be_visible()
    log = page.get_by_role("table")
    expect(log).to_contain_text("webhook.created")
    expect(log).to_contain_text(f"Webhook {receiver.url} created.")
    expect(log).to_contain_text("alice@example.com")
    screenshot(page, "22-activity-log")
    page.get_by_label("Type").select_option("member.invited")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No events match these filters.")).to_be_visible()
    assert slug == "acme-admins"
