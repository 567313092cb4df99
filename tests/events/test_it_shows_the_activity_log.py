"""teams/<slug>/activity/: every member sees all of the team's events, newest first, paginated
and filterable by type and connection, deleted connections included; a connection's history
pages back to its oldest event."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from connections.models import Connection
from events.models import Event
from events.views import EVENTS_PER_PAGE
from tests.connections.helpers import make_connection

pytestmark = pytest.mark.django_db
Type = Event.Type


@pytest.fixture
def activity_url(team):
    return reverse("events:activity", args=[team.slug])


@pytest.fixture
def history(team, alice):
    """A live connection, a deleted one and a team event."""
    live = make_connection(team, name="Live org")
    live.record(Event.Kind.CREATED, "Live org created.", alice, type=Type.CONNECTION_CREATED)
    gone = Connection.objects.create(team=team, name="Gone org")
    gone.record(Event.Kind.CREATED, "Gone org created.", alice, type=Type.CONNECTION_CREATED)
    gone.delete_recorded(alice)
    team.invite("dora@example.com", Membership.Role.VIEWER, alice)
    return live, gone


def test_every_member_sees_it_newest_first(victor_client, activity_url, history):
    page = victor_client.get(activity_url).content.decode()
    order = ["Invited dora@example.com", "Deleted.", "Gone org created.", "Live org created."]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Gone org</a>" not in page and 'Gone org <span class="muted">(deleted)' in page
    assert "Live org</a>" in page


def test_it_filters_by_type_and_by_a_deleted_connection(alice_client, activity_url, history):
    _, gone = history
    by_type = alice_client.get(activity_url, {"type": "member.invited"}).content.decode()
    assert "Invited dora@example.com" in by_type and "created." not in by_type
    assert f'<option value="{gone.code}">Gone org (deleted)</option>' in by_type

    by_connection = alice_client.get(activity_url, {"connection": str(gone.code)})
    page = by_connection.content.decode()
    assert "Gone org created." in page and "Deleted." in page
    assert "Live org created." not in page and "Invited" not in page


def test_a_bad_filter_is_refused_clearly(alice_client, activity_url, history):
    response = alice_client.get(activity_url, {"type": "connection.exploded"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_outsiders_get_404_and_posts_405(charlie_client, alice_client, activity_url):
    assert charlie_client.get(activity_url).status_code == 404
    assert alice_client.post(activity_url).status_code == 405


def test_it_pages_back_to_the_oldest(alice_client, activity_url, team, alice):
    connection = make_connection(team)
    for n in range(EVENTS_PER_PAGE + 5):
        connection.record(Event.Kind.TESTED, f"event number {n}.", alice)

    first = alice_client.get(activity_url).content.decode()
    assert "event number 5." in first and "event number 4." not in first
    older = alice_client.get(activity_url, {"page": 2}).content.decode()
    assert "event number 0." in older

    detail = reverse("connections:detail", args=[team.slug, connection.code])
    assert 'rel="next">Older</a>' in alice_client.get(detail).content.decode()
    history = alice_client.get(detail, {"page": 2}).content.decode()
    assert "event number 0." in history and "event number 5." not in history


def test_the_connection_filter_tells_same_named_and_deleted_connections_apart(
    alice_client, activity_url, team, alice
):
    first = make_connection(team, name="Acme")
    first.record(Event.Kind.CREATED, "first created.", alice, type=Type.CONNECTION_CREATED)
    second = Connection.objects.create(team=team, name="Acme")
    second.record(Event.Kind.CREATED, "second created.", alice, type=Type.CONNECTION_CREATED)
    second.delete_recorded(alice)
    page = alice_client.get(activity_url).content.decode()
    assert f'<option value="{first.code}">Acme ({str(first.code)[:8]})</option>' in page
    assert f'<option value="{second.code}">Acme ({str(second.code)[:8]}) (deleted)</option>' in page


def test_the_delete_page_says_the_history_stays(alice_client, team):
    draft = Connection.objects.create(team=team, name="Draft org")
    delete = reverse("connections:delete", args=[team.slug, draft.code])
    page = alice_client.get(delete).content.decode()
    assert "its history stays in the team's activity log" in page
    assert "its history from Orgkeeper" not in page
