"""Rotate signing secret: POST, then a redirect to a page that shows the new secret once; a
double submit (or a reload of the POST) rotates once; the old secret signs for its full
24 hours, so another rotation inside them is refused with a clear message."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def rotate_url(team, endpoint):
    return reverse("webhooks:rotate", args=[team.slug, endpoint[0].code])


def test_the_new_secret_is_shown_once_after_a_redirect(alice_client, endpoint, rotate_url):
    endpoint, old = endpoint
    response = alice_client.post(rotate_url, {"submission": uuid.uuid4()})
    assert response.status_code == 302 and response.url == rotate_url

    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    shown = alice_client.get(rotate_url)
    assert shown.status_code == 200 and endpoint.secret in shown.content.decode()
    again = alice_client.get(rotate_url)
    assert again.status_code == 302 and endpoint.secret not in again.content.decode()


def test_a_double_submit_rotates_once(alice_client, endpoint, rotate_url):
    endpoint, old = endpoint
    form = {"submission": uuid.uuid4()}
    alice_client.post(rotate_url, form)
    first = Endpoint.objects.get(pk=endpoint.pk).secret

    second = alice_client.post(rotate_url, form)

    assert second.status_code == 302 and second.url == rotate_url
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.previous_secret) == (first, old)
    assert first in alice_client.get(rotate_url).content.decode()


def test_the_old_secret_signs_its_full_overlap(alice_client, endpoint, rotate_url):
    endpoint, old = endpoint
    alice_client.post(rotate_url, {"submission": uuid.uuid4()})
    first = Endpoint.objects.get(pk=endpoint.pk).secret

    refused = alice_client.post(rotate_url, {"submission": uuid.uuid4()})

    assert refused.status_code == 302 and refused.url != rotate_url
    (message,) = get_messages(refused.wsgi_request)
    assert "still signs until" in str(message)
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets(timezone.now()) == [first, old]


def test_a_rotation_after_the_overlap_is_allowed(alice_client, endpoint, rotate_url):
    endpoint, old = endpoint
    alice_client.post(rotate_url, {"submission": uuid.uuid4()})
    first = Endpoint.objects.get(pk=endpoint.pk).secret
    Endpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )

    alice_client.post(rotate_url, {"submission": uuid.uuid4()})

    endpoint.refresh_from_db()
    assert endpoint.previous_secret == first and endpoint.secret not in (first, old)


def test_a_viewer_gets_403_and_an_outsider_404(victor_client, charlie_client, rotate_url):
    assert victor_client.get(rotate_url).status_code == 403
    assert charlie_client.get(rotate_url).status_code == 404
    assert charlie_client.post(rotate_url).status_code == 404
