"""Nothing polls /readyz, beat has stopped: the worker itself notices the stale heartbeat
and emails the superusers once, and once more when sweeps resume."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from monitoring.models import KeepaliveHeartbeat
from tests.celery_worker import wait_for, worker_database_url
from tests.conftest import PASSWORD
from tests.integration.conftest import Worker

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_the_worker_emails_a_stall_and_the_recovery(tmp_path):
    User.objects.create_superuser("root@example.com", PASSWORD)
    KeepaliveHeartbeat.record_sweep(timezone.now() - timedelta(hours=1))
    worker = Worker("tests.integration.worker_settings", tmp_path, worker_database_url())
    worker.env["KEEPALIVE_SWEEP_INTERVAL"] = "1"  # checks every second; stalled after 3

    with worker:
        [stalled] = wait_for(worker.emails, what="the stalled email")
        assert "Subject: Orgkeeper's keep-alive has stopped" in stalled
        assert "root@example.com" in stalled

        KeepaliveHeartbeat.record_sweep()  # as a sweep would
        wait_for(lambda: len(worker.emails()) == 2, what="the recovery email")
        assert "Subject: Orgkeeper's keep-alive is running again" in worker.emails()[1]
        assert KeepaliveHeartbeat.load().stall_alerted is False
