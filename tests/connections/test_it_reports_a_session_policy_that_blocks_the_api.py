"""A 401 that refreshing can't fix: the External Client App's session policy (High Assurance,
sessions locked to an IP) makes REST answer "This session is not valid for use with the REST
API" even to a fresh access token. Test connection and ``call_api`` refresh once, then
report the session policy: no loop, no re-authorization, the refresh token stays fine."""

import pytest
from django.core import mail

from connections import keepalive
from connections.errors import ErrorKind
from connections.models import Connection, ConnectionEvent, TokenSet
from connections.providers.salesforce import client as salesforce
from connections.providers.salesforce.errors import SESSION_POLICY_BLOCKS_API
from tests.connections.helpers import INSTANCE_URL, INVALID_SESSION, connect_emulator, url
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401

pytestmark = pytest.mark.usefixtures("public_urls")

POLICY = (
    "The app's session policy blocks API use: check the session security level and IP "
    "locking in the External Client App's policies."
)
NOT_VALID = [
    {
        "message": "This session is not valid for use with the REST API",
        "errorCode": "INVALID_SESSION_ID",
    }
]


@pytest.fixture
def blocked(alice_client, team, salesforce_emulator):  # noqa: F811
    """A connection made through the wizard, then its app's session policy turned on."""
    connection, _ = connect_emulator(alice_client, team, salesforce_emulator)
    salesforce_emulator.demo_app.high_assurance_required = True
    return connection


@pytest.mark.integration
def test_test_connection_refreshes_once_then_names_the_session_policy(
    alice_client,
    blocked,
    salesforce_emulator,  # noqa: F811
):
    page = alice_client.post(url("test", blocked), follow=True).content.decode()

    assert POLICY.replace("'", "&#x27;") in page
    assert len(salesforce_emulator.token_requests("refresh_token")) == 1
    blocked.refresh_from_db()
    assert blocked.status == Connection.Status.CONNECTED
    assert salesforce_emulator.is_refresh_token_live(TokenSet.objects.get().refresh_token)
    assert not mail.outbox
    failed = blocked.events.get(kind=ConnectionEvent.Kind.TEST_FAILED)
    assert POLICY in failed.message


@pytest.mark.integration
def test_call_api_raises_the_distinct_class_after_one_refresh(
    blocked,
    salesforce_emulator,  # noqa: F811
):
    for attempt in (1, 2):
        with pytest.raises(salesforce.SessionPolicyBlocked):
            keepalive.call_api(blocked, salesforce.api_probe)
        assert len(salesforce_emulator.token_requests("refresh_token")) == attempt

    salesforce_emulator.demo_app.high_assurance_required = False
    assert keepalive.call_api(blocked, salesforce.api_probe)


def probe(rsps, body, status=401):
    rsps.get(f"{INSTANCE_URL}/services/data/", json=body, status=status)
    return salesforce.api_probe(INSTANCE_URL, "00D!token")


def test_the_client_tells_the_policy_from_an_expired_session(rsps):
    with pytest.raises(salesforce.SessionPolicyBlocked) as blocked:
        probe(rsps, NOT_VALID)
    assert blocked.value.description == NOT_VALID[0]["message"]
    assert isinstance(blocked.value, salesforce.SessionExpired)  # still gets its one refresh

    rsps.reset()
    with pytest.raises(salesforce.SessionExpired) as expired:
        probe(rsps, INVALID_SESSION)
    assert not isinstance(expired.value, salesforce.SessionPolicyBlocked)


@pytest.mark.parametrize(
    ("status", "body", "blocked"),
    [
        (401, NOT_VALID, True),
        (401, b'[{"message":"This session is not valid for use with the REST API"}]', True),
        (401, "INVALID_SESSION_ID: This session is not valid for use with the API", True),
        (401, INVALID_SESSION, False),
        (401, "Bad_OAuth_Token", False),
        (401, {"unexpected": "shape"}, False),
        (403, NOT_VALID, False),
    ],
)
def test_session_policy_blocks_api_reads_any_body(status, body, blocked):
    assert salesforce.session_policy_blocks_api(status, body) is blocked


def test_an_ordinary_expiry_still_says_re_authorize(connection, rsps, alice_client):
    rsps.get(f"{INSTANCE_URL}/services/data/", json=INVALID_SESSION, status=401)
    rsps.post(
        "https://login.salesforce.com/services/oauth2/token",
        json={"error": "invalid_grant", "error_description": "expired access/refresh token"},
        status=400,
    )

    page = alice_client.post(url("test", connection), follow=True).content.decode()

    assert "session policy" not in page
    assert "Re-authorize" in page


def test_the_policy_text_is_one_reusable_classification():
    assert SESSION_POLICY_BLOCKS_API.reason.startswith(POLICY)
    assert SESSION_POLICY_BLOCKS_API.kind == ErrorKind.MISCONFIGURED
    assert not SESSION_POLICY_BLOCKS_API.retry
