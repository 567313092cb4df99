"""What a person does in the browser, found by visible labels and roles, plus a screenshot
of each step: under var/screenshots/ (git-ignored) unless BROWSER_SCREENSHOTS=<dir> is set;
`make screenshots` writes the README's copies in docs/screenshots/."""

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.harness import BASE_DIR, Orgkeeper
from tests.conftest import PASSWORD
from tests.emulators.salesforce import Emulator

SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS") or BASE_DIR / "var" / "screenshots")


def field(page: Page, label: str):
    """The form field labelled exactly ``label`` (Django adds a colon to labels)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def heading(page: Page, name: str | re.Pattern):
    return page.get_by_role("heading", name=name)


def message(page: Page, start: str):
    """The flash message (role status) that starts with ``start``."""
    return page.get_by_role("status").filter(has_text=re.compile(rf"^\s*{re.escape(start)}"))


def screenshot(page: Page, name: str) -> None:
    """Save the whole page as <SCREENSHOTS>/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled")


def reload_until(page: Page, ready: Callable[[], bool], timeout: float = 30.0) -> None:
    """Reload ``page`` until ``ready()`` is true (work done by the Celery worker)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"the page did not change within {timeout:g} s")
        time.sleep(0.5)
        page.reload()


def add_member(orgkeeper: Orgkeeper, email: str, team_name: str, role: str) -> str:
    """Create a user (password PASSWORD) in ``team_name`` with ``role``; return the team slug.
    Done in the server's database, as an invitation accepted earlier would have."""
    code = f"""
import json
from accounts.models import Membership, Team, User
team = Team.objects.filter(name={team_name!r}).first() or Team.objects.create(name={team_name!r})
user = User.objects.create_user({email!r}, {PASSWORD!r})
Membership.objects.create(user=user, team=team, role={role!r})
print(json.dumps({{"slug": team.slug}}))
"""
    return json.loads(orgkeeper.shell(code).strip().splitlines()[-1])["slug"]


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/")
    expect(heading(page, "Sign in")).to_be_visible()
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page, re.compile("^Connections of"))).to_be_visible()


def fill_step1(page: Page, name: str, my_domain_url: str) -> None:
    """Step 1 of 2: name the connection and choose My Domain with the emulator's URL."""
    field(page, "Name").fill(name)
    page.get_by_role("radio", name=re.compile("^My Domain")).check()
    field(page, "My Domain URL").fill(my_domain_url)


def fill_step2(page: Page, consumer_key: str, consumer_secret: str) -> None:
    """Step 2 of 2: paste the Consumer Key and Secret."""
    expect(heading(page, "Enter External Client App Credentials")).to_be_visible()
    field(page, "Consumer Key (Client ID)").fill(consumer_key)
    field(page, "Consumer Secret (Client Secret)").fill(consumer_secret)


def start_connection(
    page: Page, slug: str, emulator: Emulator, name: str, consumer_secret: str | None = None
) -> None:
    """From the connections page to the emulator's sign-in form, using the demo app."""
    page.goto(f"/teams/{slug}/connections/")
    page.get_by_role("link", name="New connection").click()
    expect(heading(page, "Set up Salesforce External Client App")).to_be_visible()
    fill_step1(page, name, emulator.base_url)
    page.get_by_role("button", name="Next").click()
    app = emulator.demo_app
    fill_step2(page, app.consumer_key, consumer_secret or app.consumer_secret)
    page.get_by_role("button", name="Connect").click()
    expect(heading(page, re.compile("^Log in to"))).to_be_visible()


def sign_in_at_salesforce(
    page: Page, emulator: Emulator, login_shot: str = "", allow_shot: str = ""
) -> None:
    """The emulator's sign-in form as the demo user, then Allow."""
    user = emulator.demo_user
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    if login_shot:
        screenshot(page, login_shot)
    page.get_by_role("button", name="Log In").click()
    expect(heading(page, "Allow Access?")).to_be_visible()
    if allow_shot:
        screenshot(page, allow_shot)
    page.get_by_role("button", name="Allow").click()


def fact(page: Page, label: str):
    """The value (<dd>) next to ``label`` (<dt>) in a facts list."""
    return page.locator(f"dl.facts dt:text-is('{label}') + dd")


def expect_cells_fit(page: Page, labels, width: int) -> None:
    """The first cell of each column (``td[data-label]``) is fully on screen and within
    ``width``, and the page doesn't scroll sideways."""
    for label in labels:
        cell = page.locator(f"td[data-label='{label}']").first
        cell.scroll_into_view_if_needed()
        expect(cell).to_be_in_viewport(ratio=1)
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= width, label
    assert page.evaluate("document.documentElement.scrollWidth") <= width
