"""A receiver whose answer breaks off, stalls or is garbled after the status line: the
attempt is recorded as a failed one and retried, instead of crashing the task (which left
the delivery unrecorded, requeued by every sweep without backoff)."""

import socket
import threading
import time

import pytest

from webhooks import tasks
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

SHORT = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"
GARBLED = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot gzip!"


def answering(answer: bytes, then_wait: float = 0):
    """A loopback URL answering ``answer`` once, then holding the connection open."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer_once():
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(answer)
            time.sleep(then_wait)

    thread = threading.Thread(target=answer_once, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.getsockname()[1]}/hooks"


def attempt_once(team, alice, url) -> Delivery:
    endpoint, _ = Endpoint.create(team, url, [], alice)
    delivery = tasks.send_test_event(endpoint, alice)
    assert tasks.attempt_delivery(delivery.pk) == tasks.RETRY_SCHEDULE[0]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.failures) == (Delivery.Status.PENDING, 1)
    return delivery


@pytest.mark.parametrize("answer", [SHORT, GARBLED], ids=["short body", "not gzip"])
def test_a_broken_answer_is_a_failed_attempt(team, alice, answer):
    server, thread, url = answering(answer)
    with server:
        attempt = attempt_once(team, alice, url).attempts.get()
        thread.join(5)
    assert attempt.status_code == 200
    assert attempt.error.startswith("The answer broke off")


def test_a_body_that_stalls_is_no_answer(team, alice, settings):
    settings.WEBHOOK_TIMEOUT = 1
    server, thread, url = answering(SHORT, then_wait=3)
    with server:
        attempt = attempt_once(team, alice, url).attempts.get()
        thread.join(5)
    assert attempt.status_code == 200
    assert attempt.error == "No answer within 1 s."
