"""Monitoring fixtures: a superuser to alert, and the heartbeat at a known time."""

from datetime import UTC, datetime

import pytest

from accounts.models import User
from monitoring.models import KeepaliveHeartbeat
from tests.conftest import PASSWORD
from tests.monitoring.helpers import json_logs  # noqa: F401

SWEPT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root@example.com", PASSWORD)


@pytest.fixture
def swept(db, settings) -> datetime:
    """The last sweep completed at SWEPT_AT; sweeps every 15 minutes."""
    settings.KEEPALIVE_SWEEP_INTERVAL = 900
    KeepaliveHeartbeat.record_sweep(SWEPT_AT)
    return SWEPT_AT
