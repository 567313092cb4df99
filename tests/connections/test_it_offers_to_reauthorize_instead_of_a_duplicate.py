"""One connection per Salesforce user and External Client App in a team (issue 14, item 3): a
first sign-in as an org user and app that another connection holds keeps its tokens unused
and offers to re-authorize that connection instead (its old approval revoked) or, with the
five-approval limit explained, to keep both."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections import keepalive
from connections.models import AuthorizationRequest, Connection, TokenSet
from tests.connections.helpers import (
    ACCESS_TOKEN,
    OLD_REFRESH_TOKEN,
    REFRESH_TOKEN,
    REVOKE_URL,
    USERNAME,
    finish_flow,
    form_body,
    identity_body,
    register_success,
    start_flow,
    url,
)

pytestmark = pytest.mark.usefixtures("public_urls")


@pytest.fixture
def duplicate(alice_client, connection, connection_factory, rsps) -> Connection:
    """A new connection signed in as the user and app ``connection`` holds."""
    second = connection_factory(connected=False, name="Acme again")
    params = start_flow(alice_client, second)
    register_success(rsps)
    response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert response["Location"] == url("detail", second)
    second.refresh_from_db()
    return second


def test_the_tokens_wait_unused_and_the_page_offers_the_choice(alice_client, connection, duplicate):
    assert duplicate.status == Connection.Status.PENDING_AUTHORIZATION
    assert duplicate.duplicate_of == connection
    assert TokenSet.objects.get(connection=duplicate).refresh_token == REFRESH_TOKEN
    assert duplicate.next_refresh_at is None
    page = alice_client.get(url("detail", duplicate)).content.decode()
    assert f"Acme production already connects {USERNAME}" in page
    assert "Re-authorize Acme production instead" in page and "Keep both connections" in page
    assert "Salesforce keeps at most 5 approvals (refresh tokens) per user" in page
    assert "hold 2 of them" in page
    assert "— (not used until you choose)" in page
    assert "Waiting for your choice" in page
    assert ">Test connection<" not in page  # no other action until the choice is made


def test_reauthorize_instead_moves_the_tokens_and_revokes_the_old_ones(
    alice_client, connection, duplicate, rsps, django_capture_on_commit_callbacks
):
    rsps.post(REVOKE_URL)
    path = url("reauthorize_instead", connection)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(path, {"duplicate": duplicate.code})
    assert response["Location"] == url("detail", connection)
    assert not Connection.objects.filter(pk=duplicate.pk).exists()
    tokens = TokenSet.objects.get()
    assert (tokens.connection_id, tokens.access_token, tokens.generation) == (
        connection.pk,
        ACCESS_TOKEN,
        2,
    )
    assert form_body(rsps.calls[-1]) == {"token": OLD_REFRESH_TOKEN}
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED

    again = alice_client.post(path, {"duplicate": duplicate.code}, follow=True)  # double click
    assert "This choice was made already." in again.content.decode()
    assert TokenSet.objects.get().generation == 2
    assert len([call for call in rsps.calls if call.request.url == REVOKE_URL]) == 1


def test_keep_both_connects_the_second_once(alice_client, connection, duplicate):
    path = url("keep_both", duplicate)
    alice_client.post(path)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.duplicate_of) == (Connection.Status.CONNECTED, None)
    assert duplicate.next_refresh_at is not None
    again = alice_client.post(path, follow=True)
    assert "This choice was made already." in again.content.decode()
    assert TokenSet.objects.count() == 2


def test_an_undecided_duplicate_is_neither_refreshed_nor_ended(duplicate, rsps):
    result = keepalive.refresh_connection(duplicate.pk, force=True)
    assert result.outcome == keepalive.Outcome.SKIPPED
    AuthorizationRequest.objects.update(expires_at=timezone.now() - timedelta(days=2))
    AuthorizationRequest.objects.update(used_at=timezone.now() - timedelta(days=2))
    assert Connection.end_expired_sign_ins([duplicate.pk]) == 0
    duplicate.refresh_from_db()
    assert duplicate.status == Connection.Status.PENDING_AUTHORIZATION


def test_the_choices_are_guarded(
    victor_client, charlie_client, alice_client, connection, duplicate
):
    data = {"duplicate": duplicate.code}
    assert victor_client.post(url("reauthorize_instead", connection), data).status_code == 403
    assert charlie_client.post(url("keep_both", duplicate)).status_code == 404
    assert alice_client.get(url("keep_both", duplicate)).status_code == 405
    bad = alice_client.post(url("reauthorize_instead", connection), {"duplicate": "nope"})
    assert bad.status_code == 302
    assert Connection.objects.filter(pk=duplicate.pk).exists()


def test_another_user_of_the_same_org_is_no_duplicate(
    alice_client, connection_factory, connection, rsps
):
    second = connection_factory(connected=False, name="Other user")
    params = start_flow(alice_client, second)
    register_success(rsps, identity=identity_body(user_id="005000000000OthAAA", username="o@x"))
    finish_flow(alice_client, {"code": "c", "state": params["state"]})
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == (Connection.Status.CONNECTED, None)


def test_reloading_the_callback_afterwards_leads_to_the_reauthorized_connection(
    alice_client, connection, duplicate, rsps
):
    rsps.post(REVOKE_URL)
    alice_client.post(url("reauthorize_instead", connection), {"duplicate": duplicate.code})
    state = AuthorizationRequest.objects.get().state
    response = finish_flow(alice_client, {"code": "c", "state": state}, follow=True)
    assert response.redirect_chain[-1][0] == url("detail", connection)
    assert "This sign-in was already completed." in response.content.decode()


def test_the_admin_shows_the_duplicate_by_id_and_the_generation_read_only(admin_client, duplicate):
    page = admin_client.get(f"/admin/connections/connection/{duplicate.pk}/change/")
    html = page.content.decode()
    assert 'class="vForeignKeyRawIdAdminField"' in html and 'name="duplicate_of"' in html
    assert 'name="last_token_generation"' not in html
