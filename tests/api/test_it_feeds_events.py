"""GET /api/v1/events/?after=<cursor> (scope events:read): the team's published events in
order with a cursor; other teams' events never; a key without the scope gets 403."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from events.models import Event
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db
URL = reverse("api:events")


def settled():
    """A clock past the feed's settling delay."""
    return time_machine.travel(timezone.now() + timedelta(minutes=1))


def test_it_pages_through_the_events_with_a_cursor(api, make_key, team, alice, connection):
    key, raw = make_key(["events:read"])
    connection.record(Event.Kind.TESTED, "History only.", alice)
    for email in ("dora@example.com", "erin@example.com", "finn@example.com"):
        team.invite(email, Membership.Role.VIEWER, alice)

    with settled():
        first = api.get(URL, {"limit": 2}, **bearer(raw)).json()
        types = [event["type"] for event in first["events"]]
        assert types == ["api_key.created", "member.invited"]
        assert first["has_more"] is True
        rest = api.get(URL, {"after": first["cursor"]}, **bearer(raw)).json()
        assert [e["data"]["member"]["email"] for e in rest["events"]] == [
            "erin@example.com",
            "finn@example.com",
        ]
        assert rest["has_more"] is False
        again = api.get(URL, {"after": rest["cursor"]}, **bearer(raw)).json()
        assert again == {"events": [], "cursor": rest["cursor"], "has_more": False}
    event = Event.objects.get(data__member__email="erin@example.com")
    assert rest["events"][0]["id"] == str(event.code)
    assert rest["events"][0]["actor"] == {"type": "user", "email": alice.email}
    assert key.label[:12] not in str(rest)


def test_events_appear_after_the_settling_delay(api, make_key):
    _, raw = make_key(["events:read"])
    assert api.get(URL, **bearer(raw)).json()["events"] == []
    with settled():
        assert len(api.get(URL, **bearer(raw)).json()["events"]) == 1


def test_a_key_without_events_read_gets_403(api, make_key):
    _, raw = make_key(["connections:read", "tokens:issue", "proxy"])
    response = api.get(URL, **bearer(raw))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert api.get(URL).status_code == 401


def test_another_teams_events_never_show(api, make_key, other_team, charlie, team):
    other_team.invite("spy@example.com", Membership.Role.VIEWER, charlie)
    _, raw = make_key(["events:read"])
    with settled():
        events = api.get(URL, **bearer(raw)).json()["events"]
    assert {event["team"] for event in events} == {team.slug}
    assert "spy@example.com" not in str(events)


def test_a_restricted_key_reads_only_its_connections(api, make_key, connection_factory, alice):
    mine, theirs = connection_factory(name="Mine"), connection_factory(name="Theirs")
    for connection in (mine, theirs):
        connection.record(Event.Kind.CREATED, "Created.", alice, type="connection.created")
    _, raw = make_key(["events:read"], connections=[mine])
    with settled():
        events = api.get(URL, **bearer(raw)).json()["events"]
    names = [event["connection"]["name"] for event in events if event["connection"]]
    assert names == ["Mine"]


@pytest.mark.parametrize(("query", "field"), [({"after": "abc"}, "after"), ({"limit": 0}, "limit")])
def test_bad_parameters_are_400(api, make_key, query, field):
    _, raw = make_key(["events:read"])
    response = api.get(URL, query, **bearer(raw))
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_the_key_form_offers_events_read(alice_client, team):
    page = alice_client.get(reverse("api:keys", args=[team.slug])).content.decode()
    assert 'value="events:read"' in page
