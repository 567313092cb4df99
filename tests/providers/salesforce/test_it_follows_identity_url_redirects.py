"""salesforce.identity follows identity URL redirects itself (docs/salesforce-protocol.md,
"Endpoints"),
re-sending the Bearer token only over HTTPS (or HTTP while insecure login hosts are allowed)
and never after a downgrade from HTTPS."""

import pytest

from connections import http
from connections.providers.salesforce import client as salesforce
from tests.connections.helpers import (
    ACCESS_TOKEN,
    IDENTITY_URL,
    INSTANCE_URL,
    ORG_ID,
    USER_ID,
    identity_body,
)

MY_DOMAIN_ID = f"{INSTANCE_URL}/id/{ORG_ID}/{USER_ID}"
BEARER = f"Bearer {ACCESS_TOKEN}"


def authorizations(rsps) -> list[tuple[str, str | None]]:
    return [(call.request.url, call.request.headers.get("Authorization")) for call in rsps.calls]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_it_follows_a_redirect_to_another_host_with_the_token(rsps, status):
    rsps.get(IDENTITY_URL, status=status, headers={"Location": MY_DOMAIN_ID})
    rsps.get(MY_DOMAIN_ID, json=identity_body())

    who = salesforce.identity(IDENTITY_URL, ACCESS_TOKEN)

    assert who.organization_id == ORG_ID
    assert authorizations(rsps) == [(IDENTITY_URL, BEARER), (MY_DOMAIN_ID, BEARER)]


def test_it_resolves_a_relative_location(rsps):
    rsps.get(IDENTITY_URL, status=302, headers={"Location": "/id/elsewhere"})
    rsps.get("https://login.salesforce.com/id/elsewhere", json=identity_body())

    assert salesforce.identity(IDENTITY_URL, ACCESS_TOKEN).user_id == USER_ID
    assert authorizations(rsps)[-1] == ("https://login.salesforce.com/id/elsewhere", BEARER)


@pytest.mark.parametrize("insecure_allowed", [True, False])
def test_it_never_follows_https_to_http(rsps, settings, insecure_allowed):
    settings.ALLOW_INSECURE_LOGIN_HOSTS = insecure_allowed
    downgraded = f"http://acme-dev.my.salesforce.com/id/{ORG_ID}/{USER_ID}"
    rsps.get(IDENTITY_URL, status=302, headers={"Location": downgraded})
    rsps.get(downgraded, json=identity_body())

    with pytest.raises(salesforce.ApiError) as caught:
        salesforce.identity(IDENTITY_URL, ACCESS_TOKEN)

    assert "http://acme-dev.my.salesforce.com" in str(caught.value)
    assert ACCESS_TOKEN not in str(caught.value)
    assert [url for url, _ in authorizations(rsps)] == [IDENTITY_URL]


def test_it_sends_the_token_over_http_only_while_insecure_hosts_are_allowed(rsps, settings):
    emulator_id = "http://127.0.0.1:8882/id/00D/005"
    emulator_moved = "http://localhost:8882/id/00D/005"
    rsps.get(emulator_id, status=302, headers={"Location": emulator_moved})
    rsps.get(emulator_moved, json=identity_body())

    settings.ALLOW_INSECURE_LOGIN_HOSTS = True
    salesforce.identity(emulator_id, ACCESS_TOKEN)
    assert authorizations(rsps) == [(emulator_id, BEARER), (emulator_moved, BEARER)]

    settings.ALLOW_INSECURE_LOGIN_HOSTS = False
    with pytest.raises(salesforce.ApiError):
        salesforce.identity(emulator_id, ACCESS_TOKEN)
    assert len(rsps.calls) == 2  # nothing sent


def test_it_stops_after_a_few_redirects(rsps):
    rsps.get(IDENTITY_URL, status=302, headers={"Location": MY_DOMAIN_ID})
    rsps.get(MY_DOMAIN_ID, status=302, headers={"Location": IDENTITY_URL})

    with pytest.raises(salesforce.ApiError, match="redirected more than"):
        salesforce.identity(IDENTITY_URL, ACCESS_TOKEN)

    assert len(rsps.calls) == http.MAX_REDIRECTS + 1
