"""Re-authorizing an existing connection: same org replaces its tokens, another org is
refused and keeps the old ones."""

import pytest

from connections import oauth
from connections.models import Connection, TokenSet
from tests.connections.helpers import (
    ACCESS_TOKEN,
    IDENTITY_URL,
    OLD_REFRESH_TOKEN,
    ORG_ID,
    REFRESH_TOKEN,
    REVOKE_URL,
    TOKEN_URL,
    USERNAME,
    finish_flow,
    form_body,
    identity_body,
    reauthorize,
    register_success,
    start_flow,
    token_body,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")
OTHER_ORG = "00D000000000OthEAA"


def test_it_offers_reauthorize_with_the_key_prefilled(alice_client, connection):
    page = alice_client.get(url("detail", connection)).content.decode()
    assert "Re-authorize" in page
    assert url("credentials", connection) in page


def test_it_replaces_the_tokens_of_the_same_org_and_revokes_the_old_ones(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    reauthorize(alice_client, connection, rsps, django_capture_on_commit_callbacks)
    assert Connection.objects.count() == 1
    tokens = TokenSet.objects.get()
    assert (tokens.access_token, tokens.refresh_token) == (ACCESS_TOKEN, REFRESH_TOKEN)
    assert tokens.generation == 2
    assert tokens.refreshed_at is None
    assert form_body(rsps.calls[-1]) == {"token": OLD_REFRESH_TOKEN}
    event = connection.events.first()
    assert event.message == f"Re-authorized for org {ORG_ID} as {USERNAME}."


def test_it_revokes_the_old_token_only_after_commit(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    params = start_flow(alice_client, connection)
    register_success(rsps)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        finish_flow(alice_client, {"code": "c", "state": params["state"]})
    revokes = [c for c in callbacks if getattr(c, "func", None) is oauth.revoke_quietly]
    assert len(revokes) == 1  # the other callback publishes the reauthorized event
    assert all(call.request.url != REVOKE_URL for call in rsps.calls)


def test_it_tolerates_a_failing_revoke_of_the_old_token(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    params = start_flow(alice_client, connection)
    register_success(rsps)
    rsps.post(REVOKE_URL, status=503)
    with django_capture_on_commit_callbacks(execute=True):
        response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert response.status_code == 302
    assert TokenSet.objects.get().refresh_token == REFRESH_TOKEN


def test_it_allows_another_user_of_the_same_org(alice_client, connection, rsps):
    params = start_flow(alice_client, connection)
    other = identity_body(user_id="0055g00000ZzZzZAAV", username="other@acme.example")
    register_success(rsps, identity=other)
    finish_flow(alice_client, {"code": "c", "state": params["state"]})
    connection.refresh_from_db()
    assert connection.username == "other@acme.example"
    assert f"(was {USERNAME})" in connection.events.first().message
    assert TokenSet.objects.get().refresh_token == REFRESH_TOKEN


def test_it_refuses_another_org_and_keeps_the_old_tokens(alice_client, connection, rsps):
    params = start_flow(alice_client, connection)
    identity_url = f"https://login.salesforce.com/id/{OTHER_ORG}/005000000000OthAAA"
    rsps.post(TOKEN_URL, json=token_body(id=identity_url))
    rsps.get(identity_url, json=identity_body(org_id=OTHER_ORG))
    rsps.post(REVOKE_URL)
    response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert response.status_code == 400
    page = response.content.decode()
    assert ORG_ID in page and OTHER_ORG in page
    tokens = TokenSet.objects.get()
    assert (tokens.refresh_token, tokens.generation) == (
        "5Aep861OldRefreshTokenForTestsOnly.AAAA0",
        1,
    )
    connection.refresh_from_db()
    assert (connection.organization_id, connection.status) == (ORG_ID, "connected")
    assert connection.identity_url == IDENTITY_URL
    assert form_body(rsps.calls[-1]) == {"token": REFRESH_TOKEN}
    assert connection.events.first().kind == "authorization_failed"


def test_it_refuses_another_org_even_if_salesforce_cant_revoke(alice_client, connection, rsps):
    params = start_flow(alice_client, connection)
    identity_url = f"https://login.salesforce.com/id/{OTHER_ORG}/005000000000OthAAA"
    rsps.post(TOKEN_URL, json=token_body(id=identity_url))
    rsps.get(identity_url, json=identity_body(org_id=OTHER_ORG))
    rsps.post(REVOKE_URL, status=500)
    response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert response.status_code == 400
    assert TokenSet.objects.get().generation == 1
