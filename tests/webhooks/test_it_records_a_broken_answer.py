"""A receiver whose answer breaks off after the status line (a connection closed mid-body):
the attempt is recorded as a failed one and retried, instead of crashing the task (which left
the delivery unrecorded, requeued by every sweep)."""

import socket
import threading

import pytest

from webhooks import tasks
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def breaking_url():
    """A loopback URL answering 200 with a body shorter than its Content-Length, then closing."""
    with socket.create_server(("127.0.0.1", 0)) as server:

        def answer_once():
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")

        thread = threading.Thread(target=answer_once, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
        thread.join(5)


def test_a_broken_answer_is_a_failed_attempt(team, alice, breaking_url):
    endpoint, _ = Endpoint.create(team, breaking_url, [], alice)
    delivery = tasks.send_test_event(endpoint, alice)

    assert tasks.attempt_delivery(delivery.pk) == tasks.RETRY_SCHEDULE[0]

    delivery.refresh_from_db()
    assert (delivery.status, delivery.failures) == (Delivery.Status.PENDING, 1)
    attempt = delivery.attempts.get()
    assert attempt.status_code == 200
    assert attempt.error.startswith("The answer broke off")
