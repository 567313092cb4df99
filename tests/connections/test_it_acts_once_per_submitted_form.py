"""Double clicks (issue 14, item 11): a second POST of the same form acts as the first did and
makes nothing new: one invitation, one draft, one sign-in flow, one refresh."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError
from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import Invitation
from accounts.submissions import once
from connections.models import AuthorizationRequest, Connection, ConnectionEvent, TokenSet
from tests.connections.helpers import CONSUMER_KEY, TOKEN_URL, token_body, url

pytestmark = pytest.mark.usefixtures("public_urls")


def twice(client, path: str, data: dict) -> tuple:
    first, second = client.post(path, data), client.post(path, data)
    assert first.status_code == second.status_code == 302, second.content
    return first, second


def test_a_second_send_invitation_sends_nothing(alice_client, team):
    data = {"email": "dave@example.com", "role": "admin", "submission": uuid.uuid4()}
    first, second = twice(alice_client, reverse("accounts:invite", args=[team.slug]), data)
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1
    assert first["Location"] == second["Location"]
    page = alice_client.get(second["Location"]).content.decode()
    assert "Invitation sent to dave@example.com" in page


def test_each_invite_form_renders_its_own_submission(alice_client, team):
    path = reverse("accounts:members", args=[team.slug])
    pages = [alice_client.get(path).content.decode() for _ in range(2)]
    values = {page.split('name="submission" value="', 1)[1][:36] for page in pages}
    assert len(values) == 2


def test_a_second_next_in_step_1_makes_no_second_draft(alice_client, team):
    data = {"name": "Acme", "environment": "production", "submission": uuid.uuid4()}
    first, second = twice(alice_client, reverse("connections:new", args=[team.slug]), data)
    assert Connection.objects.count() == 1
    assert first["Location"] == second["Location"] == url("credentials", Connection.objects.get())
    assert ConnectionEvent.objects.filter(kind=ConnectionEvent.Kind.CREATED).count() == 1


def test_a_second_connect_goes_to_the_same_sign_in(alice_client, draft):
    data = {"consumer_key": CONSUMER_KEY, "consumer_secret": "", "submission": uuid.uuid4()}
    first, second = twice(alice_client, url("credentials", draft), data)
    assert AuthorizationRequest.objects.count() == 1
    assert first["Location"] == second["Location"]
    started = draft.events.filter(kind=ConnectionEvent.Kind.AUTHORIZATION_STARTED)
    assert started.count() == 1


def test_connect_from_a_page_whose_sign_in_expired_starts_a_new_one(alice_client, draft):
    data = {"consumer_key": CONSUMER_KEY, "consumer_secret": "", "submission": uuid.uuid4()}
    first = alice_client.post(url("credentials", draft), data)
    flow = AuthorizationRequest.objects.get()
    flow.expires_at -= timedelta(minutes=11)
    flow.save()
    second = alice_client.post(url("credentials", draft), data)
    assert AuthorizationRequest.objects.count() == 2
    assert first["Location"] != second["Location"]


def test_a_second_refresh_now_refreshes_nothing(alice_client, connection, rsps):
    rsps.post(TOKEN_URL, json=token_body(access_token="00D!fresh", refresh_token="5Aep!next"))
    page = alice_client.get(url("detail", connection)).content.decode()
    assert '<input type="hidden" name="generation" value="1">' in page

    twice(alice_client, url("refresh", connection), {"generation": "1"})

    assert len([call for call in rsps.calls if call.request.url == TOKEN_URL]) == 1
    assert TokenSet.objects.get().generation == 2
    page = alice_client.get(url("detail", connection)).content.decode()
    assert page.count("Refreshed. Salesforce issued new tokens.") == 2  # one per click
    assert "Another worker" not in page


def test_a_concurrent_twin_finds_the_first_row(team):
    """The twin committed between our lookup and our insert: the insert fails, and finds it."""
    submission = uuid.uuid4()
    Connection.objects.create(team=team, name="Twin", submission=submission)
    lookups = []
    real_first = QuerySet.first

    def first_misses_once(queryset):
        lookups.append(queryset)
        return None if len(lookups) == 1 else real_first(queryset)

    with mock.patch.object(QuerySet, "first", autospec=True, side_effect=first_misses_once):
        row, created = once(
            Connection.objects.for_team(team),
            submission,
            lambda: Connection.objects.create(team=team, name="Late", submission=submission),
        )
    assert (row.name, created) == ("Twin", False)


def test_without_a_submission_an_integrity_error_is_raised(team):
    def broken() -> Connection:
        raise IntegrityError("not ours")

    with pytest.raises(IntegrityError):
        once(Connection.objects.for_team(team), None, broken)


def test_a_second_create_team_makes_no_second_team(alice_client, alice):
    from accounts.models import Team

    before = Team.objects.count()
    data = {"name": "Beta Corp", "submission": uuid.uuid4()}
    first, second = twice(alice_client, reverse("accounts:team_create"), data)
    assert Team.objects.count() == before + 1
    assert first["Location"] == second["Location"]
    team = Team.objects.get(name="Beta Corp")
    assert team.memberships.get().user == alice
