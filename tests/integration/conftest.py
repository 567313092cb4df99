"""Integration fixtures: the Salesforce emulator (in this process, real HTTP on 127.0.0.1), a
real Celery worker subprocess on real Redis, pointed at pytest-django's PostgreSQL test
database, and helpers to create connections from emulator grants and wait for the worker.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> CELERY_BROKER_URL=redis://127.0.0.1:6379/<n>
REQUIRE_SERVICES=1 .venv/bin/pytest tests/integration
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from connections.models import Connection, ExternalClientApp, TokenSet
from tests.salesforce_emulator.fixtures import salesforce_emulator  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
WORKER_START_TIMEOUT = 30  # seconds


def wait_for(predicate, timeout: float = 20, interval: float = 0.1, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


class Worker:
    def __init__(self, queue: str, email_dir: Path, log: Path):
        self.queue, self.email_dir, self.log = queue, email_dir, log

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
    base = tmp_path_factory.mktemp("worker")
    email_dir = base / "mail"
    email_dir.mkdir()
    log = base / "worker.log"
    queue = f"orgkeeper-it-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        test_db = db_connection.settings_dict["NAME"]
    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{test_db}").geturl()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "DATABASE_URL": database_url,
        "ORGKEEPER_TEST_EMAIL_DIR": str(email_dir),
        "ORGKEEPER_TEST_QUEUE": queue,
        "KEEPALIVE_RETRY_BACKOFF": "1",  # retries after ~1, 2, 4 s instead of 30, 60...
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=prefork",
        "--concurrency=4",
        "-Q",
        queue,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=INFO",
        f"--hostname=it-{queue}@%h",
    ]
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(
            lambda: process.poll() is not None or " ready." in log.read_text(),
            timeout=WORKER_START_TIMEOUT,
            what="the Celery worker to start",
        )
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited:\n{log.read_text()[-3000:]}")
        yield Worker(queue, email_dir, log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    # Prefork children left behind by a crashed parent share its process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def worker(celery_worker):
    celery_worker.clear_emails()
    return celery_worker


def connect(emu, team, name: str = "Emulated org") -> Connection:
    """A connected Connection holding a fresh emulator grant (as if the wizard had run)."""
    grant = emu.mint_grant()
    now = timezone.now()
    connection = Connection.objects.create(
        team=team,
        name=name,
        environment=Connection.Environment.MY_DOMAIN,
        my_domain_url=emu.base_url,
        status=Connection.Status.CONNECTED,
        organization_id=grant["org_id"],
        user_id=grant["user_id"],
        username=grant["username"],
        instance_url=grant["instance_url"],
        identity_url=grant["id"],
    )
    ExternalClientApp.objects.create(
        connection=connection,
        consumer_key=grant["consumer_key"],
        consumer_secret=grant["consumer_secret"],
    )
    TokenSet.objects.create(
        connection=connection,
        access_token=grant["access_token"],
        refresh_token=grant["refresh_token"],
        instance_url=grant["instance_url"],
        scope=grant["scope"],
        issued_at=datetime.fromtimestamp(int(grant["issued_at"]) / 1000, tz=UTC),
        signature_verified=True,
        refresh_token_last_used_at=now,
    )
    return connection
