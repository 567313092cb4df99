"""Reliability fixtures: the Salesforce emulator (the real Celery worker these tests start and
kill is tests/celery_worker.py's)."""

from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401
