"""GET /api/connections/oauth/callback: a successful flow, and the sign-in links it refuses
without calling Salesforce."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Membership
from connections.models import AuthorizationRequest, Connection, TokenSet
from connections.providers.salesforce import client as salesforce
from tests.conftest import signed_in
from tests.connections.helpers import (
    ACCESS_TOKEN,
    CALLBACK_PATH,
    IDENTITY_URL,
    INSTANCE_URL,
    ORG_ID,
    PUBLIC_CALLBACK,
    REFRESH_TOKEN,
    USER_ID,
    USERNAME,
    finish_flow,
    form_body,
    issued,
    register_success,
    start_flow,
)

pytestmark = pytest.mark.usefixtures("public_urls")
INVALID = "This sign-in link is no longer valid"


def test_it_connects_a_draft(alice_client, alice, draft, rsps):
    params = start_flow(alice_client, draft)
    flow = AuthorizationRequest.objects.get()
    register_success(rsps)
    response = finish_flow(alice_client, {"code": "aPrxCode", "state": params["state"]})
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()

    sent = form_body(rsps.calls[0])
    assert sent["code"] == "aPrxCode"
    assert sent["redirect_uri"] == PUBLIC_CALLBACK == flow.redirect_uri
    assert salesforce.code_challenge(sent["code_verifier"]) == params["code_challenge"]
    assert rsps.calls[1].request.url == IDENTITY_URL

    connection = Connection.objects.get()
    assert connection.status == Connection.Status.CONNECTED
    assert (connection.organization_id, connection.user_id) == (ORG_ID, USER_ID)
    assert (connection.username, connection.instance_url) == (USERNAME, INSTANCE_URL)
    assert connection.identity_url == IDENTITY_URL
    assert connection.next_refresh_at > timezone.now()
    assert (connection.consecutive_failures, connection.last_error) == (0, "")
    tokens = TokenSet.objects.get()
    assert (tokens.access_token, tokens.refresh_token) == (ACCESS_TOKEN, REFRESH_TOKEN)
    assert tokens.issued_at == issued("1764421200123")
    assert tokens.signature_verified and tokens.generation == 1
    assert tokens.refreshed_at is None
    assert tokens.scope == "refresh_token id api"
    event = connection.events.first()
    assert event.kind == "authorized" and event.actor == alice
    assert ORG_ID in event.message and USERNAME in event.message
    assert AuthorizationRequest.objects.get().used_at is not None

    page = alice_client.get(response["Location"]).content.decode()
    assert "Connected." in page


def test_it_stores_the_tokens_in_one_transaction(alice_client, draft, rsps, monkeypatch):
    params = start_flow(alice_client, draft)
    register_success(rsps)
    monkeypatch.setattr(
        "connections.oauth.tokens.next_refresh_time", lambda now: 1 / 0, raising=True
    )
    with pytest.raises(ZeroDivisionError):
        finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert not TokenSet.objects.exists()
    assert Connection.objects.get().organization_id == ""


@pytest.mark.parametrize("params", [{}, {"code": "c"}, {"code": "c", "state": "unknown"}])
def test_it_refuses_a_missing_or_unknown_state(alice_client, draft, rsps, params):
    start_flow(alice_client, draft)
    response = finish_flow(alice_client, params)
    assert response.status_code == 400
    assert INVALID in response.content.decode()
    assert not rsps.calls
    assert AuthorizationRequest.objects.get().used_at is None


def test_it_refuses_an_expired_state_without_consuming_it(alice_client, draft, rsps):
    params = start_flow(alice_client, draft)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert response.status_code == 400
    assert "more than 10 minutes" in response.content.decode()
    assert not rsps.calls
    assert AuthorizationRequest.objects.get().used_at is None
    assert draft.get_absolute_url() in response.content.decode()


def test_it_refuses_a_reused_state(alice_client, alice, draft, rsps):
    """From another session: the browser that completed the sign-in is led to the connection
    instead (test_it_forgives_reloading_a_completed_callback)."""
    params = start_flow(alice_client, draft)
    register_success(rsps)
    finish_flow(alice_client, {"code": "c", "state": params["state"]})
    response = finish_flow(signed_in(alice), {"code": "c", "state": params["state"]})
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert len(rsps.calls) == 2  # token + identity, once


def test_it_claims_a_flow_exactly_once(alice_client, draft):
    start_flow(alice_client, draft)
    first, second = AuthorizationRequest.objects.get(), AuthorizationRequest.objects.get()
    assert first.claim() is True
    assert second.claim() is False


def test_it_refuses_another_users_state_without_consuming_it(alice_client, bob_client, draft, rsps):
    params = start_flow(alice_client, draft)
    response = finish_flow(bob_client, {"code": "c", "state": params["state"]})
    assert response.status_code == 403
    assert INVALID in response.content.decode()
    assert not rsps.calls
    assert AuthorizationRequest.objects.get().used_at is None


def test_it_rechecks_the_role(alice_client, alice, draft, rsps):
    params = start_flow(alice_client, draft)
    Membership.objects.filter(user=alice).update(role=Membership.Role.VIEWER)
    response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert response.status_code == 403
    assert not rsps.calls
    assert AuthorizationRequest.objects.get().used_at is None


def test_it_rechecks_membership(alice_client, alice, draft, rsps):
    params = start_flow(alice_client, draft)
    Membership.objects.filter(user=alice).delete()
    response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert response.status_code == 404
    assert not rsps.calls


def test_it_sends_anonymous_users_to_sign_in(client, db):
    response = client.get(CALLBACK_PATH, {"code": "c", "state": "s"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_allows_only_get(alice_client):
    assert alice_client.post(CALLBACK_PATH, {"state": "s"}).status_code == 405


def test_it_keeps_two_flows_apart(alice_client, make_two_drafts, rsps):
    first, second = make_two_drafts
    params_1 = start_flow(alice_client, first)
    params_2 = start_flow(alice_client, second)
    register_success(rsps)
    finish_flow(alice_client, {"code": "c2", "state": params_2["state"]})
    finish_flow(alice_client, {"code": "c1", "state": params_1["state"]})
    token_calls = [form_body(c) for c in rsps.calls if c.request.method == "POST"]
    by_code = {call["code"]: call["code_verifier"] for call in token_calls}
    assert salesforce.code_challenge(by_code["c1"]) == params_1["code_challenge"]
    assert salesforce.code_challenge(by_code["c2"]) == params_2["code_challenge"]
    assert by_code["c1"] != by_code["c2"]
    # Both signed in as the same user and app: the later one waits for the admin's choice.
    assert sorted(Connection.objects.values_list("status", flat=True)) == [
        "connected",
        "pending_authorization",
    ]


@pytest.fixture
def make_two_drafts(connection_factory):
    return connection_factory(connected=False), connection_factory(connected=False, name="B")
