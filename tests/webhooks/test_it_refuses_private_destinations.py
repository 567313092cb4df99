"""In production a webhook never reaches loopback, private or link-local addresses, judged by
the addresses the host resolves to; redirects are never followed."""

import socket

import pytest
from django.test import override_settings

from webhooks import tasks
from webhooks.destinations import RefusedDestination, check_destination
from webhooks.models import Delivery, Endpoint

from .helpers import Receiver

pytestmark = pytest.mark.django_db


def resolving_to(address):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, 1, 6, "", (address, port))]

    return getaddrinfo


PRIVATE = ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "100.64.0.1"]
PRIVATE += ["0.0.0.0", "::1", "fe80::1", "::ffff:127.0.0.1", "fd00::1"]  # noqa: S104


@override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False)
@pytest.mark.parametrize("address", PRIVATE)
def test_it_refuses_a_host_resolving_to_a_private_address(monkeypatch, address):
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to(address))
    with pytest.raises(RefusedDestination, match="public addresses only"):
        check_destination("https://hooks.example.com/in")


@override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False)
def test_it_allows_a_public_address(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("93.184.215.14"))
    check_destination("https://hooks.example.com/in")


@override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False)
def test_a_refused_attempt_sends_nothing(team, alice, receiver):
    Endpoint.create(team, receiver.url.replace("127.0.0.1", "localhost"), [], alice)
    (delivery_id,) = tasks.dispatch()
    tasks.attempt_delivery(delivery_id)
    attempt = Delivery.objects.get(pk=delivery_id).attempts.get()
    assert attempt.status_code is None
    assert "loopback, private or link-local" in attempt.error
    assert receiver.received == []


def test_redirects_are_not_followed(team, alice):
    with Receiver() as target, Receiver(statuses=[307]) as redirecting:
        redirecting.headers = {"Location": target.url}
        Endpoint.create(team, redirecting.url, [], alice)
        (delivery_id,) = tasks.dispatch()
        assert tasks.attempt_delivery(delivery_id) == tasks.RETRY_SCHEDULE[0]
        assert target.received == []
    attempt = Delivery.objects.get(pk=delivery_id).attempts.get()
    assert attempt.status_code == 307
    assert "Redirects are not followed" in attempt.error


@override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False, WEBHOOK_ALLOW_HTTP=True)
def test_a_host_that_resolves_elsewhere_the_second_time_is_refused(
    monkeypatch, team, alice, receiver
):
    """DNS rebinding: public when checked, loopback when connecting. The address the
    connection reached is checked before anything is sent."""
    port = receiver.server.server_address[1]
    answers = iter(["93.184.215.14", "127.0.0.1"])

    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    Endpoint.create(team, f"http://hooks.example.com:{port}/in", [], alice)
    (delivery_id,) = tasks.dispatch()
    tasks.attempt_delivery(delivery_id)

    attempt = Delivery.objects.get(pk=delivery_id).attempts.get()
    assert "resolves to 127.0.0.1" in attempt.error
    assert attempt.status_code is None
    assert receiver.received == []
