"""The README's walkthrough: a webhook receives a signed connection.needs_reauthorization when
the emulator revokes the grant, and connection.recovered after Re-authorize, both verified
with the standardwebhooks library."""

import json
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
from tests.celery_worker import wait_for
from tests.webhooks.helpers import Receiver

pytestmark = pytest.mark.browser
WANTED = ("connection.needs_reauthorization", "connection.recovered")


def received(receiver: Receiver, event_type: str):
    return [r for r in receiver.received if json.loads(r.body)["type"] == event_type]


def test_it_announces_a_revoked_grant_and_its_recovery(page, orgkeeper, emulator):
    slug = add_member(orgkeeper, "alice@example.com", "Acme Admins", "owner")
    sign_in(page, "alice@example.com")
    with Receiver() as receiver:
        page.goto(f"/teams/{slug}/webhooks/")
        page.get_by_role("textbox", name="URL").fill(receiver.url)
        for event_type in WANTED:
            page.get_by_role("checkbox", name=event_type, exact=True).check()
        page.get_by_role("button", name="Add webhook").click()
        receiver.secrets.append(page.locator("#signing-secret").inner_text())

        start_connection(page, slug, emulator, "Acme production")
        sign_in_at_salesforce(page, emulator)
        expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")

        # As the README does it, over the emulator's HTTP control API.
        revoked = requests.post(
            f"{emulator.base_url}/_emulator/revoke_grants",
            json={"consumer_key": emulator.demo_app.consumer_key},
            timeout=10,
        )
        assert revoked.json() == {"revoked": 1}
        page.get_by_role("button", name="Refresh now").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile("Needs re-authorization")
        )
        (broken,) = wait_for(
            lambda: received(receiver, WANTED[0]), timeout=30, what="needs_reauthorization"
        )
        assert broken.verified_by == set(receiver.secrets)
        assert json.loads(broken.body)["data"]["error"]["kind"] == "needs_reauthorization"

        page.get_by_role("link", name="Re-authorize").click()
        expect(heading(page, "Enter External Client App Credentials")).to_be_visible()
        page.get_by_role("button", name="Connect").click()
        sign_in_at_salesforce(page, emulator)
        expect(page.get_by_role("heading", level=1)).to_have_text("Acme production Connected")
        (recovered,) = wait_for(lambda: received(receiver, WANTED[1]), timeout=30, what="recovered")
        assert recovered.verified_by == set(receiver.secrets)
        assert {json.loads(r.body)["type"] for r in receiver.received} == set(WANTED)
        screenshot(page, "23-recovered-after-webhook")
