"""An OAuth problem page that names a setup step shows that step's text only."""

import re

import pytest

from tests.connections.helpers import TOKEN_URL, finish_flow, oauth_error, start_flow

pytestmark = pytest.mark.usefixtures("public_urls")

STEP_TITLES = {
    2: "Create the External Client App.",
    3: "Turn on OAuth.",
    4: "Flow and security.",
    5: "Allow this server's IP.",
    6: "Review and lock the security controls.",
    7: "Copy the Consumer Key and Secret.",
}


@pytest.mark.parametrize(
    ("error", "description", "step"),
    [
        ("invalid_client", "invalid client credentials", 7),
        ("invalid_grant", "invalid code verifier", 4),
        ("invalid_grant", "ip restricted", 5),
        ("redirect_uri_mismatch", "redirect_uri must match configuration", 3),
    ],
)
def test_it_shows_only_the_named_step(alice_client, draft, rsps, error, description, step):
    params = start_flow(alice_client, draft)
    rsps.post(TOKEN_URL, **oauth_error(error, description))

    page = finish_flow(alice_client, {"code": "c", "state": params["state"]}).content.decode()

    assert f"<h2>Fix it in Salesforce: step {step}</h2>" in page
    assert f'<ol class="steps" start="{step}">' in page
    shown = [n for n, title in STEP_TITLES.items() if title in page]
    assert shown == [step]
    assert re.findall(r'<li id="step-(\d)">', page) == [str(step)]


def test_step_1_still_shows_the_whole_checklist(alice_client, team):
    page = alice_client.get(f"/teams/{team.slug}/connections/new/").content.decode()
    assert all(title in page for title in STEP_TITLES.values())
