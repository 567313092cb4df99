"""Integration fixtures: the Salesforce emulator (in this process, real HTTP on 127.0.0.1) and
a real Celery worker subprocess on real Redis (tests/celery_worker.py), pointed at
pytest-django's PostgreSQL test database. Connections from emulator grants: helpers.connect.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> CELERY_BROKER_URL=redis://127.0.0.1:6379/<n>
REQUIRE_SERVICES=1 .venv/bin/pytest tests/integration
"""

import pytest

from tests.celery_worker import CeleryWorker, worker_database_url
from tests.emulators.salesforce.fixtures import salesforce_emulator  # noqa: F401


class Worker(CeleryWorker):
    def emails(self) -> list[str]:
        """Messages the worker sent (the file backend separates them with 79 dashes)."""
        messages = []
        for path in sorted(self.email_dir.glob("*.log")):
            chunks = path.read_text().split("-" * 79)
            messages += [chunk for chunk in chunks if "Subject:" in chunk]
        return messages

    def clear_emails(self) -> None:
        for path in self.email_dir.glob("*.log"):
            path.unlink()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real ``celery -A config worker`` (prefork, concurrency 4) on a queue of its own,
    using the test database. Always terminated (SIGTERM, then SIGKILL of its process group)."""
    with django_db_blocker.unblock():
        database_url = worker_database_url()
    base = tmp_path_factory.mktemp("worker")
    worker = Worker("tests.integration.worker_settings", base, database_url, "orgkeeper-it")
    with worker:
        yield worker


@pytest.fixture
def worker(celery_worker):
    celery_worker.clear_emails()
    return celery_worker
