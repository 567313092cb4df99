"""WEBHOOK_TIMEOUT is a total deadline per attempt, not per socket read: a receiver that
trickles its headers gets a failed "no answer" attempt at the deadline, and a delivery's
claim outlasts the longest attempt, so the sweep never starts an overlapping one."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from webhooks import tasks
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def trickling_url():
    """A loopback URL sending its status line, then a header line every 0.3 s for 6 s."""
    stop = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:

        def trickle():
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\n")
                for n in range(20):
                    if stop.wait(0.3):
                        break
                    try:
                        connection.sendall(f"X-Slow-{n}: yes\r\n".encode())
                    except OSError:
                        break

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
        stop.set()
        thread.join(5)


def test_a_trickling_receiver_gets_no_answer_at_the_deadline(team, alice, settings, trickling_url):
    settings.WEBHOOK_TIMEOUT = 1
    endpoint, _ = Endpoint.create(team, trickling_url, [], alice)
    delivery = tasks.send_test_event(endpoint, alice)

    started = time.monotonic()
    assert tasks.attempt_delivery(delivery.pk) == tasks.RETRY_SCHEDULE[0]

    assert time.monotonic() - started < 4  # the receiver would trickle for 6 s
    attempt = Delivery.objects.get(pk=delivery.pk).attempts.get()
    assert attempt.error == "No answer within 1 s."


def test_the_sweep_leaves_a_delivery_alone_during_the_longest_attempt(team, alice, settings):
    endpoint, _ = Endpoint.create(team, "https://hooks.example.com/in", [], alice)
    delivery = tasks.send_test_event(endpoint, alice)
    started = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=started - timedelta(hours=1), claimed_until=started + tasks.claim_time()
    )
    # Past the deadline, and a name lookup that took as long as the resolver allows.
    longest = timedelta(seconds=settings.WEBHOOK_TIMEOUT) + timedelta(seconds=30)

    assert tasks.due_deliveries(now=started + longest) == []
