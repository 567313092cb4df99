"""A stalled keep-alive (no sweep for 3 intervals) emails the superusers once, noticed by
/readyz (beat can't report its own death); the next completed sweep sends one recovery
email."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail

from accounts.models import User
from connections import tasks
from monitoring import stall
from monitoring.models import KeepaliveHeartbeat

pytestmark = pytest.mark.django_db

STALLED_FOR = timedelta(minutes=46)


@pytest.fixture
def stalled(swept, root, alice):
    """46 minutes after the last sweep; root is a superuser, alice is not."""
    with time_machine.travel(swept + STALLED_FOR, tick=False) as traveller:
        yield traveller


def test_it_emails_the_superusers_once(client, stalled, settings):
    for _ in range(3):
        assert client.get("/readyz").status_code == 503
    stalled.shift(timedelta(hours=2))
    client.get("/readyz")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["root@example.com"]
    assert message.subject == "Orgkeeper's keep-alive has stopped: no sweep for 46 minutes"
    assert "The last sweep completed at 2026-03-02 09:00 UTC." in message.body
    assert "Celery beat and worker" in message.body
    assert f"{settings.PUBLIC_BASE_URL}/readyz" in message.body


def test_the_next_sweep_sends_the_recovery_email_once(client, stalled):
    client.get("/readyz")

    tasks.keepalive_kickoff()  # beat is back: the worker runs its sweep
    client.get("/readyz")
    tasks.keepalive_kickoff()

    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "Orgkeeper's keep-alive has stopped: no sweep for 46 minutes",
        "Orgkeeper's keep-alive is running again",
    ]
    assert "completed a sweep again at 2026-03-02 09:46 UTC" in mail.outbox[1].body
    assert client.get("/readyz").status_code == 200


def test_a_second_stall_alerts_again(client, stalled):
    client.get("/readyz")
    tasks.keepalive_kickoff()
    stalled.shift(STALLED_FOR)
    client.get("/readyz")
    assert len(mail.outbox) == 3


def test_nothing_is_sent_while_sweeps_run(client, swept, root):
    with time_machine.travel(swept + timedelta(minutes=30)):
        client.get("/readyz")
        tasks.keepalive_kickoff()
    assert mail.outbox == []


def test_a_failed_send_is_retried_on_the_next_check(client, stalled):
    with mock.patch("monitoring.stall.send_mail", side_effect=OSError("SMTP down")):
        assert client.get("/readyz").status_code == 503
    assert not KeepaliveHeartbeat.load().stall_alerted

    client.get("/readyz")
    assert len(mail.outbox) == 1


def test_inactive_superusers_are_not_emailed(stalled, root):
    User.objects.create_superuser("former@example.com", "pw", is_active=False)
    assert stall.notify() == stall.STALLED
    assert mail.outbox[0].to == ["root@example.com"]
