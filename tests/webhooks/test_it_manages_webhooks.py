"""Team settings → Webhooks: owners and admins add an endpoint (its secret shown once and
encrypted at rest), send a test event and see its delivery; viewers get 403, outsiders 404."""

import json

import pytest
from django.db import connection as db
from django.test import override_settings
from django.urls import reverse

from events.models import Event
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def list_url(team):
    return reverse("webhooks:list", args=[team.slug])


def add(client, url, **fields):
    return client.post(url, {"url": fields.pop("target"), "enabled": "on", **fields})


def test_an_admin_adds_an_endpoint_and_sees_the_secret_once(bob_client, list_url, receiver):
    response = add(bob_client, list_url, target=receiver.url, event_types=["connection.recovered"])
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["connection.recovered"]
    assert endpoint.secret == secret
    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_endpoint")
        (stored,) = cursor.fetchone()
    assert secret not in str(stored)
    assert secret not in bob_client.get(list_url).content.decode()
    detail = reverse("webhooks:detail", args=[endpoint.team.slug, endpoint.code])
    assert secret not in bob_client.get(detail).content.decode()
    created = Event.objects.get(type="webhook.created")
    assert secret not in json.dumps(created.payload())


def test_send_test_event_shows_the_delivery(
    alice_client, team, receiver, endpoint, deliver_now, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint
    receiver.response_body = "thanks"
    url = reverse("webhooks:send_test", args=[team.slug, endpoint.code])
    with django_capture_on_commit_callbacks(execute=True):
        page = alice_client.post(url, follow=True).content.decode()
    (request,) = receiver.received
    assert json.loads(request.body)["type"] == "webhook.test"
    assert request.verified_by == {secret}
    delivery = Delivery.objects.get(event_type="webhook.test")
    assert delivery.status == Delivery.Status.SUCCEEDED
    page = alice_client.get(reverse("webhooks:detail", args=[team.slug, endpoint.code]))
    page = page.content.decode()
    assert delivery.message_id in page and "HTTP 204" in page and secret not in page


@override_settings(WEBHOOK_ALLOW_HTTP=False)
def test_production_needs_https(alice_client, list_url):
    response = add(alice_client, list_url, target="http://hooks.example.com/in")
    assert response.status_code == 400
    assert "The URL must start with https://." in response.content.decode()
    assert not Endpoint.objects.exists()
    assert not Event.objects.exists()


def test_viewers_get_403_and_outsiders_404(victor_client, charlie_client, team, endpoint):
    endpoint, _ = endpoint
    urls = [
        reverse("webhooks:list", args=[team.slug]),
        reverse("webhooks:detail", args=[team.slug, endpoint.code]),
    ]
    posts = [
        reverse(name, args=[team.slug, endpoint.code])
        for name in ("webhooks:send_test", "webhooks:rotate", "webhooks:delete")
    ]
    for url in urls:
        assert victor_client.get(url).status_code == 403
        assert charlie_client.get(url).status_code == 404
    for url in posts:
        assert victor_client.post(url).status_code == 403
        assert charlie_client.post(url).status_code == 404
    assert charlie_client.get(reverse("events:activity", args=[team.slug])).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.enabled and not Delivery.objects.exists()


def test_another_teams_endpoint_is_404(alice_client, other_team, charlie, receiver):
    theirs, _ = Endpoint.create(other_team, receiver.url, [], charlie)
    url = reverse("webhooks:detail", args=[other_team.slug, theirs.code])
    assert alice_client.get(url).status_code == 404
    mine = reverse("webhooks:detail", args=["acme", theirs.code])
    assert alice_client.get(mine).status_code == 404


def test_wrong_methods_are_405(alice_client, team, endpoint):
    endpoint, _ = endpoint
    url = reverse("webhooks:send_test", args=[team.slug, endpoint.code])
    assert alice_client.get(url).status_code == 405
    url = reverse("webhooks:rotate", args=[team.slug, endpoint.code])
    assert alice_client.put(url).status_code == 405


def test_enabling_a_disabled_endpoint_starts_afresh(alice_client, team, endpoint):
    endpoint, _ = endpoint
    endpoint.disable("every delivery failed for 3 days in a row.")
    url = reverse("webhooks:detail", args=[team.slug, endpoint.code])
    assert "every delivery failed" in alice_client.get(url).content.decode()

    response = alice_client.post(
        url, {"url": endpoint.url, "event_types": ["member.joined"], "enabled": "on"}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (True, "", None)
    assert endpoint.event_types == ["member.joined"]


def test_a_bad_edit_changes_nothing(alice_client, team, endpoint):
    endpoint, _ = endpoint
    url = reverse("webhooks:detail", args=[team.slug, endpoint.code])
    response = alice_client.post(url, {"url": "ftp://nope", "event_types": ["nope"]})
    assert response.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.event_types == []
