"""Reliability fixtures: the Salesforce emulator (see tests/integration/conftest.py for the
real Celery worker these tests start)."""

from tests.salesforce_emulator.fixtures import salesforce_emulator  # noqa: F401
