"""A real ``celery -A config worker`` subprocess for the tests that need one (integration,
reliability): prefork on a queue of its own, pointed at pytest-django's test database, started
until it logs " ready.", and always stopped with SIGTERM, then SIGKILL of its process group.

    with CeleryWorker("tests.integration.worker_settings", tmp_path, worker_database_url()) as w:
        task.apply_async(..., queue=w.queue)
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection as db_connection

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30  # seconds


def wait_for(predicate, timeout: float = 20, interval: float = 0.1, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM the group of ``process`` (started with ``start_new_session=True``); SIGKILL it
    if ``process`` doesn't exit in 15 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def worker_database_url() -> str:
    """``DATABASE_URL`` with pytest-django's test database in place of the configured one."""
    test_db = db_connection.settings_dict["NAME"]
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{test_db}").geturl()


class CeleryWorker:
    """One worker process at a time (``start`` again after a crash); its output is appended to
    ``base / "worker.log"`` and its emails land in ``base / "mail"`` (the file backend)."""

    def __init__(
        self,
        settings_module: str,
        base: Path,
        database_url: str,
        queue_prefix: str = "orgkeeper-test",
        concurrency: int = 4,
    ):
        self.queue = f"{queue_prefix}-{uuid.uuid4().hex[:8]}"
        self.email_dir = base / "mail"
        self.email_dir.mkdir(exist_ok=True)
        self.log = base / "worker.log"
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": database_url,
            "ORGKEEPER_TEST_EMAIL_DIR": str(self.email_dir),
            "ORGKEEPER_TEST_QUEUE": self.queue,
            "KEEPALIVE_RETRY_BACKOFF": "1",  # retries after ~1, 2, 4 s instead of 30, 60...
            "PYTHONUNBUFFERED": "1",
        }

    def start(self) -> None:
        """Start a worker and wait until it is ready; fail with its log if it exits."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
            f"--concurrency={self.concurrency}", "-Q", self.queue, "--without-heartbeat",
            "--without-gossip", "--without-mingle", "--loglevel=INFO",
            f"--hostname={self.queue}-{uuid.uuid4().hex[:6]}@%h",
        ]  # fmt: skip
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_for(
            lambda: self.process.poll() is not None or " ready." in self.log_text(offset),
            timeout=START_TIMEOUT,
            what="the Celery worker to start",
        )
        if self.process.poll() is not None:
            pytest.fail(f"the Celery worker exited:\n{self.log_text(offset)[-3000:]}")

    def log_text(self, offset: int = 0) -> str:
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if the worker doesn't exit in 15 s."""
        process = self.process
        if process is None:
            return
        stop_process_group(process)
        # Prefork children left behind by a crashed parent share its process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def __enter__(self):
        try:
            self.start()
        except BaseException:  # pytest.fail included: never leave a half-started worker
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
