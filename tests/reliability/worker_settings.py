"""Settings of the Celery worker the crash test starts and kills: the integration tests'
worker settings, plus the keep-alive's DEBUG lines (the commit window of each refresh)."""

from tests.integration.worker_settings import *  # noqa: F403
from tests.integration.worker_settings import LOGGING

LOGGING = {
    **LOGGING,
    "loggers": {**LOGGING["loggers"], "connections.keepalive": {"level": "DEBUG"}},
}
