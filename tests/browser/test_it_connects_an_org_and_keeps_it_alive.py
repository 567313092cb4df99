"""The README's "Connect a real org" journey end to end, as an admin does it:
first-run setup, the two wizard steps, signing in at Salesforce (the emulator), testing the
connection, the worker's keep-alive refresh, and disconnecting."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PASSWORD,
    fact,
    field,
    fill_step1,
    fill_step2,
    heading,
    message,
    reload_until,
    screenshot,
    sign_in_at_salesforce,
)

pytestmark = pytest.mark.browser

CONNECTION = "Acme production"

AGE_BY_A_DAY_AND_SWEEP = f"""
from datetime import timedelta
from django.utils import timezone
from connections.models import Connection, TokenSet
from connections.tasks import keepalive_kickoff
day = timedelta(days=1)
connection = Connection.objects.get(name={CONNECTION!r})
tokens = TokenSet.objects.get(connection=connection)
TokenSet.objects.filter(pk=tokens.pk).update(
    refresh_token_last_used_at=tokens.refresh_token_last_used_at - day,
    issued_at=tokens.issued_at - day,
)
Connection.objects.filter(pk=connection.pk).update(
    next_refresh_at=timezone.now() - timedelta(minutes=1)
)
keepalive_kickoff.delay()
"""


def test_it_connects_an_org_and_keeps_it_alive(page, orgkeeper, emulator):
    # First run: create the first administrator and their team.
    page.goto("/")
    expect(heading(page, "Create the first administrator")).to_be_visible()
    field(page, "Email").fill("alice@example.com")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password again").fill(PASSWORD)
    field(page, "Team name").fill("Acme Admins")
    screenshot(page, "01-setup")
    page.get_by_role("button", name="Create administrator").click()

    expect(heading(page, "Connections of Acme Admins")).to_be_visible()
    screenshot(page, "02-connections-empty")

    # Step 1: "New connection" shows the Callback URL and the Server Outbound IP.
    page.get_by_role("link", name="New connection").click()
    expect(heading(page, "Set up Salesforce External Client App")).to_be_visible()
    expect(page.get_by_text("Step 1 of 2")).to_be_visible()
    callback_url = fact(page, "Callback URL").locator("code")
    expect(callback_url).to_have_text(orgkeeper.callback_url)
    outbound_ip = fact(page, "Server Outbound IP").locator("code")
    expect(outbound_ip).to_have_text(orgkeeper.outbound_ip)
    screenshot(page, "03-step1-callback-url")

    # Steps 2-6 happen in Salesforce Setup: register both values on the app.
    emulator.demo_app.callback_urls = [callback_url.inner_text()]
    emulator.demo_app.ip_allowlist = [f"{outbound_ip.inner_text()}/32"]

    fill_step1(page, CONNECTION, emulator.base_url)
    screenshot(page, "04-step1-my-domain")
    page.get_by_role("button", name="Next").click()

    # Step 7: paste the Consumer Key and Secret, Connect, sign in, Allow.
    expect(page.get_by_text("Step 2 of 2")).to_be_visible()
    fill_step2(page, emulator.demo_app.consumer_key, emulator.demo_app.consumer_secret)
    screenshot(page, "05-step2-credentials")
    page.get_by_role("button", name="Connect").click()
    expect(heading(page, re.compile("^Log in to"))).to_be_visible()
    sign_in_at_salesforce(
        page, emulator, login_shot="06-salesforce-login", allow_shot="07-salesforce-allow"
    )

    # Back in Orgkeeper: connected to the emulator's org.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CONNECTION} Connected")
    expect(message(page, "Connected.")).to_be_visible()
    expect(fact(page, "Org ID")).to_have_text(emulator.demo_org.org_id)
    expect(fact(page, "Authorized user")).to_have_text(emulator.demo_user.username)
    expect(fact(page, "Last refresh")).to_contain_text("not yet")
    screenshot(page, "08-connected")

    page.get_by_role("button", name="Test connection").click()
    expect(message(page, "Salesforce answered")).to_be_visible()
    screenshot(page, "09-test-connection")
    assert emulator.token_requests("refresh_token") == []

    # A day later the connection is due; the beat's kickoff task runs on the worker.
    emulator.advance(days=1)
    orgkeeper.shell(AGE_BY_A_DAY_AND_SWEEP)
    last_refresh = fact(page, "Last refresh")
    reload_until(page, lambda: "not yet" not in last_refresh.inner_text())
    expect(last_refresh).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CONNECTION} Connected")
    history = page.get_by_role("table").get_by_role("row")
    expect(history.filter(has_text="Token refreshed").first).to_contain_text("Orgkeeper")
    assert len(emulator.token_requests("refresh_token")) == 1
    screenshot(page, "10-refreshed")

    page.get_by_role("link", name="Disconnect").click()
    expect(heading(page, f"Disconnect {CONNECTION}?")).to_be_visible()
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CONNECTION} Disconnected")
    expect(message(page, "Disconnected.")).to_be_visible()
    expect(page.get_by_role("button", name="Test connection")).to_have_count(0)
    assert emulator.live_grants() == []
    screenshot(page, "11-disconnected")
