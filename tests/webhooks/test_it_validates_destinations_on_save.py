"""In production the endpoint form refuses a URL whose host is (or resolves to) a loopback,
private or link-local address, or doesn't resolve, with a clear error, instead of saving an
endpoint that every delivery would refuse later."""

import socket

import pytest
from django.test import override_settings
from django.urls import reverse

from webhooks.models import Endpoint

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("production_destinations"),
]

REFUSED = [
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.1/",
    "https://localhost/",
    "https://10.0.0.1/",
    "https://[::1]/",
]


@pytest.fixture
def production_destinations():
    with override_settings(WEBHOOK_ALLOW_HTTP=False, WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False):
        yield


@pytest.mark.parametrize("target", REFUSED)
def test_adding_a_private_destination_is_refused(alice_client, team, target):
    response = alice_client.post(reverse("webhooks:list", args=[team.slug]), {"url": target})

    assert response.status_code == 400
    assert "webhooks go to public addresses only" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_a_host_that_doesnt_resolve_is_refused(alice_client, team, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    url = reverse("webhooks:list", args=[team.slug])
    response = alice_client.post(url, {"url": "https://hooks.example.invalid/in"})

    assert response.status_code == 400
    assert "The host hooks.example.invalid doesn&#x27;t resolve." in response.content.decode()
    assert not Endpoint.objects.exists()


def test_editing_to_a_private_destination_is_refused(alice_client, team, alice):
    endpoint = Endpoint.objects.create(team=team, url="https://hooks.example.com/in", secret="x")
    url = reverse("webhooks:detail", args=[team.slug, endpoint.code])

    response = alice_client.post(url, {"url": "https://10.0.0.1/in", "enabled": "on"})

    assert response.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/in"
