"""Reloading the callback (or coming back to it) after a successful sign-in leads to the
connection with "already completed", without exchanging the code again; everyone else still
gets the sign-in link refusal."""

import pytest

from accounts.models import Membership
from connections.models import ConnectionEvent, TokenSet
from tests.conftest import signed_in
from tests.connections.helpers import (
    TOKEN_URL,
    finish_flow,
    oauth_error,
    reauthorize,
    register_success,
    start_flow,
)

pytestmark = pytest.mark.usefixtures("public_urls")

COMPLETED = "This sign-in was already completed."
INVALID = "This sign-in link is no longer valid"


@pytest.fixture
def connected(alice_client, draft, rsps) -> dict:
    """alice connected ``draft``; returns the callback's query parameters."""
    params = start_flow(alice_client, draft)
    register_success(rsps)
    callback = {"code": "aPrxCode", "state": params["state"]}
    assert finish_flow(alice_client, callback).status_code == 302
    return callback


def test_it_leads_to_the_connection(alice_client, draft, connected, rsps):
    events = draft.events.count()

    response = finish_flow(alice_client, connected)

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    page = alice_client.get(response["Location"]).content.decode()
    assert COMPLETED in page
    assert INVALID not in page
    assert len(rsps.calls) == 2  # token + identity, once
    assert TokenSet.objects.get().generation == 1
    assert draft.events.count() == events


def test_it_still_leads_there_after_a_demotion_to_viewer(alice_client, alice, draft, connected):
    Membership.objects.filter(user=alice).update(role=Membership.Role.VIEWER)

    response = finish_flow(alice_client, connected)

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


def test_it_also_forgives_a_reloaded_reauthorization(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    reauthorize(alice_client, connection, rsps, django_capture_on_commit_callbacks)
    state = connection.authorization_requests.get().state

    response = finish_flow(alice_client, {"code": "c", "state": state})

    assert response.status_code == 302
    assert TokenSet.objects.get().generation == 2


def test_it_refuses_a_member_who_was_removed(alice_client, alice, connected):
    Membership.objects.filter(user=alice).delete()

    response = finish_flow(alice_client, connected)

    assert response.status_code == 404
    assert INVALID in response.content.decode()


@pytest.mark.parametrize(("user", "status"), [("bob", 403), ("victor", 403), ("charlie", 404)])
def test_it_refuses_everyone_else(request, connected, rsps, user, status):
    client = signed_in(request.getfixturevalue(user))

    response = finish_flow(client, connected)

    assert response.status_code == status
    assert INVALID in response.content.decode()
    assert COMPLETED not in response.content.decode()
    assert len(rsps.calls) == 2


def test_it_refuses_the_same_user_in_another_browser(alice, draft, connected):
    """Only the browser that completed the sign-in knows it did (the session)."""
    response = finish_flow(signed_in(alice), connected)

    assert response.status_code == 400
    assert "already used" in response.content.decode()


def test_it_says_already_used_after_a_failed_sign_in(alice_client, draft, rsps):
    params = start_flow(alice_client, draft)
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))
    callback = {"code": "c", "state": params["state"]}
    assert finish_flow(alice_client, callback).status_code == 400

    response = finish_flow(alice_client, callback)

    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert len(rsps.calls) == 1


def test_it_says_already_used_after_a_failed_reauthorization(alice_client, connection, rsps):
    """The connection is still connected (with its old tokens): that isn't this sign-in's
    success, e.g. a new consumer secret that Salesforce refused."""
    params = start_flow(alice_client, connection)
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))
    callback = {"code": "c", "state": params["state"]}
    finish_flow(alice_client, callback)

    response = finish_flow(alice_client, callback)

    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert connection.events.first().kind == ConnectionEvent.Kind.AUTHORIZATION_FAILED


def test_it_tells_an_earlier_failed_sign_in_from_the_later_success(alice_client, draft, rsps):
    """Wrong secret first, then the right one: only the second flow was completed."""
    failed = start_flow(alice_client, draft)
    rsps.post(TOKEN_URL, **oauth_error("invalid_client", "invalid client credentials"))
    finish_flow(alice_client, {"code": "c1", "state": failed["state"]})
    rsps.reset()
    succeeded = start_flow(alice_client, draft)
    register_success(rsps)
    finish_flow(alice_client, {"code": "c2", "state": succeeded["state"]})

    assert finish_flow(alice_client, {"code": "c1", "state": failed["state"]}).status_code == 400
    assert finish_flow(alice_client, {"code": "c2", "state": succeeded["state"]}).status_code == 302
    assert len(rsps.calls) == 2
