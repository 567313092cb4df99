"""What a new admin tripped over (issue 14), repeated in Chromium: a confirmation before a
draft is deleted from the list (item 9), step 1's errors summed up at the top and focused
(item 10), a warning naming the address to use on another host (item 12), and tables that
stay readable on a 390 px phone (item 13)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    add_member,
    expect_cells_fit,
    field,
    fill_step1,
    heading,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def new_draft(page, slug: str, name: str, my_domain_url: str = "https://acme.my.salesforce.com"):
    page.goto(f"/teams/{slug}/connections/new/")
    fill_step1(page, name, my_domain_url)
    page.get_by_role("button", name="Next").click()
    expect(heading(page, "Enter External Client App Credentials")).to_be_visible()


def test_delete_draft_asks_first_and_the_list_fits_a_phone(page, orgkeeper):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    new_draft(page, slug, "Acme production draft")
    page.goto(f"/teams/{slug}/connections/")

    page.get_by_role("link", name="Delete draft").click()
    expect(heading(page, "Delete Acme production draft?")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("link", name="Acme production draft")).to_be_visible()

    page.set_viewport_size(PHONE)
    status = page.get_by_text("Draft", exact=True)
    expect(status).to_be_in_viewport(ratio=1)
    box = status.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-connections")
    page.get_by_role("link", name="Acme production draft").click()
    expect_cells_fit(page, ("Who", "Details"), PHONE["width"])
    screenshot(page, "phone-history")
    page.goto(f"/teams/{slug}/members/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-members")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/teams/{slug}/connections/")
    page.get_by_role("link", name="Delete draft").click()
    page.get_by_role("button", name="Delete").click()
    expect(
        page.get_by_role("status").filter(has_text="Deleted Acme production draft")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Acme production draft")).to_have_count(0)


def test_step_1_errors_are_summed_up_at_the_top_and_focused(page, orgkeeper):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    page.goto(f"/teams/{slug}/connections/new/")
    fill_step1(page, "Acme", "https://acme.lightning.force.com")
    page.get_by_role("button", name="Next").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    summary.get_by_role("link", name=re.compile("^My Domain URL:")).click()
    expect(field(page, "My Domain URL")).to_be_focused()

    # The outbound-IP notice (shown when SERVER_OUTBOUND_IP is missing) doesn't look like an error.
    looks = page.evaluate(
        """() => ['notice', 'error-summary'].map((name) => {
            const box = document.createElement('div');
            box.className = name;
            document.body.append(box);
            const style = getComputedStyle(box);
            return [style.backgroundColor, style.borderLeftColor];
        })"""
    )
    notice, error = looks
    assert notice[0] != error[0] and notice[1] != error[1]


def test_another_host_names_the_address_to_use(page, orgkeeper):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    elsewhere = orgkeeper.base_url.replace("127.0.0.1", "localhost")
    page.goto(f"{elsewhere}/")
    field(page, "Email").fill("alice@example.com")
    field(page, "Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{elsewhere}/teams/{slug}/connections/new/")

    path = f"/teams/{slug}/connections/new/"
    warning = page.get_by_role("alert").filter(has_text="Open Orgkeeper at")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"You are browsing on {elsewhere.split('//')[1]}")
    link = warning.get_by_role("link", name=f"{orgkeeper.base_url}{path}")
    expect(link).to_have_attribute("href", f"{orgkeeper.base_url}{path}")

    sign_in(page, "alice@example.com")  # at the public address
    page.goto(path)
    expect(heading(page, "Set up Salesforce External Client App")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Open Orgkeeper at")).to_have_count(0)
