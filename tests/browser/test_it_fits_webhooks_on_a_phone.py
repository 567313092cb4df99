"""On a 390 px phone the Webhooks list stacks each endpoint into a labelled card, like the
other tables: its Event types, State and Created are on screen, nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import add_member, expect_cells_fit, heading, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_webhooks_list_fits_a_phone(page, orgkeeper):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    page.goto(f"/teams/{slug}/webhooks/")
    page.get_by_role("textbox", name="URL").fill("http://127.0.0.1:9/hooks/a-rather-long-path")
    page.get_by_role("button", name="Add webhook").click()
    expect(heading(page, "Webhooks")).to_be_visible()

    page.set_viewport_size(PHONE)
    expect_cells_fit(page, ("URL", "Event types", "State", "Created"), PHONE["width"])
    screenshot(page, "phone-webhooks")
