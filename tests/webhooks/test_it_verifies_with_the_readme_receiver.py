"""The README's receiver (Python, standardwebhooks) verifies a real delivery and rejects one
signed with another secret."""

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from webhooks import tasks
from webhooks.models import Delivery, Endpoint, new_secret

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_receiver(port: int) -> str:
    block = re.search(r"```python\n(# receiver\.py.*?)```", README.read_text(), re.S)
    assert block, "the README has no receiver.py example"
    return block[1].replace("9000", str(port))


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    port = next((port for port in range(9400, 9450) if not listening(port)), None)
    assert port, "no free port in 9400-9449"
    return port


@pytest.fixture
def running(tmp_path):
    """Start the README's receiver with a signing secret; yields (url, secret, output)."""
    port, secret = free_port(), new_secret()
    script = tmp_path / "receiver.py"
    script.write_text(readme_receiver(port))
    log = tmp_path / "out.txt"
    with open(log, "w") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-u", str(script), secret], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 10
        while not listening(port):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/", secret, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_readme_receiver_verifies_deliveries(team, alice, running):
    url, secret, log = running
    endpoint, _ = Endpoint.create(team, url, [], alice)
    Endpoint.objects.filter(pk=endpoint.pk).update(secret=secret)
    (delivery_id,) = tasks.dispatch()
    tasks.attempt_delivery(delivery_id)
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert f"verified {delivery.message_id} webhook.created" in log.read_text()

    Endpoint.objects.filter(pk=endpoint.pk).update(secret=new_secret())
    test = tasks.send_test_event(Endpoint.objects.get(pk=endpoint.pk), alice)
    tasks.attempt_delivery(test.pk)
    assert test.attempts.get().status_code == 400
    assert "REJECTED: No matching signature found" in log.read_text()
