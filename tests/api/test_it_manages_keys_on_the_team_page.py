"""Team settings → API keys: owners and admins create (shown once), list and revoke keys;
viewers get 403, outsiders 404."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import APIKey, digest
from events.models import Event


@pytest.fixture
def keys_url(team):
    return reverse("api:keys", args=[team.slug])


def create(client, keys_url, **fields):
    data = {
        "name": "Nightly ETL",
        "scopes": ["connections:read", "tokens:issue"],
        "submission": uuid.uuid4(),
        **fields,
    }
    return client.post(keys_url, data)


def test_owners_and_admins_see_the_page(alice_client, bob_client, keys_url, team):
    home = reverse("connections:list", args=[team.slug])
    for client in (alice_client, bob_client):
        assert f'href="{keys_url}"' in client.get(home).content.decode()
        response = client.get(keys_url)
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("max-age=0")
    page = alice_client.get(keys_url).content.decode()
    assert 'value="connections:read" id="id_scopes_0" checked' in page
    assert 'value="tokens:issue" id="id_scopes_1" checked' in page
    assert 'value="proxy" id="id_scopes_2">' in page


def test_viewers_get_403_and_outsiders_404(victor_client, charlie_client, keys_url, team):
    assert (
        keys_url
        not in victor_client.get(reverse("connections:list", args=[team.slug])).content.decode()
    )
    assert victor_client.get(keys_url).status_code == 403
    assert create(victor_client, keys_url).status_code == 403
    assert charlie_client.get(keys_url).status_code == 404
    assert not APIKey.objects.exists()


def test_wrong_method(alice_client, keys_url):
    assert alice_client.put(keys_url).status_code == 405


def test_a_created_key_is_shown_once(alice_client, keys_url, team, alice):
    response = create(alice_client, keys_url)
    assert response.status_code == 200
    page = response.content.decode()
    key = APIKey.objects.get()
    raw = response.context["raw_key"]
    assert raw.startswith("okk_")
    assert len(raw) >= 4 + 40
    assert raw in page
    assert 'data-copy="raw-key"' in page
    assert key.identifier == raw[4:12]
    assert key.digest == digest(raw)
    assert raw not in str(APIKey.objects.values_list()[0])
    assert (key.team, key.created_by, key.scopes) == (
        team,
        alice,
        ["connections:read", "tokens:issue"],
    )
    assert not key.restricted
    again = alice_client.get(keys_url).content.decode()
    assert raw not in again
    assert key.label in again


def test_the_history_names_the_key_but_never_holds_it(alice_client, keys_url, alice):
    raw = create(alice_client, keys_url).context["raw_key"]
    event = Event.objects.get()
    assert event.actor == alice
    assert (event.kind, event.type) == (Event.Kind.API_KEY_CREATED, "api_key.created")
    assert "Nightly ETL" in event.message
    assert raw[:12] in event.message
    assert raw not in event.message


def test_a_key_can_be_restricted_and_expire(alice_client, keys_url, connection_factory):
    first = connection_factory(name="First")
    connection_factory(name="Second")
    day = (timezone.now() + timedelta(days=3)).date()
    create(alice_client, keys_url, connections=[first.pk], expires_on=day.isoformat())
    key = APIKey.objects.get()
    assert key.restricted
    assert list(key.connections.all()) == [first]
    assert key.expires_at.date() == day
    assert (key.expires_at.hour, key.expires_at.minute) == (0, 0)


def test_bad_input_changes_nothing(alice_client, keys_url, charlie, other_team):
    from connections.models import Connection

    foreign = Connection.objects.create(team=other_team, name="Theirs")
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    for fields in (
        {"name": ""},
        {"scopes": []},
        {"scopes": ["admin"]},
        {"expires_on": yesterday},
        {"connections": [foreign.pk]},
    ):
        response = create(alice_client, keys_url, **fields)
        assert response.status_code == 400, fields
        assert "raw_key" not in response.context
    assert not APIKey.objects.exists()
    assert not Event.objects.exists()


def test_revoke_asks_first_then_revokes(alice_client, make_key, team, alice):
    key, _ = make_key()
    url = reverse("api:revoke", args=[team.slug, key.code])
    confirm = alice_client.get(url)
    assert confirm.status_code == 200
    assert "Revoke key" in confirm.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None

    response = alice_client.post(url)
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    event = Event.objects.get(kind=Event.Kind.API_KEY_REVOKED)
    assert (event.actor, event.message) == (alice, f"API key Test key ({key.label}) revoked.")
    alice_client.post(url)
    assert Event.objects.filter(kind=Event.Kind.API_KEY_REVOKED).count() == 1


def test_revoke_is_for_owners_and_admins_of_the_keys_team(
    victor_client, charlie_client, make_key, team, other_team
):
    key, _ = make_key()
    url = reverse("api:revoke", args=[team.slug, key.code])
    assert victor_client.post(url).status_code == 403
    assert charlie_client.post(url).status_code == 404
    theirs, _ = make_key(key_team=other_team)
    assert (
        charlie_client.post(reverse("api:revoke", args=[team.slug, theirs.code])).status_code == 404
    )
    key.refresh_from_db()
    assert key.revoked_at is None


def test_a_resubmitted_form_creates_no_second_key(alice_client, keys_url):
    page = alice_client.get(keys_url).content.decode()
    submission = page.split('name="submission" value="', 1)[1][:36]
    assert create(alice_client, keys_url, submission=submission).status_code == 200
    again = create(alice_client, keys_url, submission=submission)
    assert again.status_code == 302
    assert APIKey.objects.count() == 1
    page = alice_client.get(keys_url).content.decode()
    assert "That key was created already" in page
