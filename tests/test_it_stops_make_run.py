"""``make run`` (honcho: web, worker and beat) stops within 10 seconds on SIGTERM and on
Ctrl-C, leaves no process behind and logs no ERROR line. A real ``make run`` on a free port,
with the development defaults (SQLite, filesystem broker) in a temporary VAR_DIR.

Before, honcho's SIGTERM to the worker's process group killed its prefork pool children first
("Process 'ForkPoolWorker-1' ... exited with 'signal 15 (SIGTERM)'" at ERROR) and the main
process hung in its warm shutdown until honcho's SIGKILL."""

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = 9321
STOP_WITHIN = 10  # seconds, from the signal until every process is gone
READY = ("Starting development server", "ready.", "beat: Starting...")
# The development defaults, not pytest's test settings or the suite's services.
DROPPED_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "MAKEFLAGS",
    "MAKELEVEL",
)


def processes_with(marker: str) -> list[int]:
    """PIDs of the processes whose environment holds ``marker`` (all of make's descendants)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


class Run:
    """``make run`` in its own process group, as a terminal would start it."""

    def __init__(self, var_dir: Path):
        self.marker = f"ORGKEEPER_RUN_TEST={uuid.uuid4().hex}"
        env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
        env.update(DJANGO_ENV="development", VAR_DIR=str(var_dir), PORT=str(PORT))
        env.update([self.marker.split("=", 1)])
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [shutil.which("make") or "make", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_until_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make run exited early:\n{self.output}")
            if all(sign in self.output for sign in READY):
                assert "using settings 'config.settings.dev'" in self.output
                response = requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=5)
                assert response.status_code == 200
                return
            time.sleep(0.2)
        pytest.fail(f"make run didn't start in {timeout} s:\n{self.output}")

    def stop_with(self, signum: int) -> float:
        """Send ``signum`` as a terminal (Ctrl-C: the whole foreground group) or ``kill``
        (SIGTERM: make alone) would; seconds until every process of the run is gone."""
        started = time.monotonic()
        if signum == signal.SIGINT:
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signum)
        while processes_with(self.marker) and time.monotonic() - started < STOP_WITHIN + 20:
            time.sleep(0.1)
        return time.monotonic() - started

    def kill_everything(self) -> None:
        for pid in processes_with(self.marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_it_stops_everything_quickly_and_quietly(var_dir, signum):
    run = Run(var_dir)
    try:
        run.wait_until_ready()
        took = run.stop_with(signum)
        left = processes_with(run.marker)
    finally:
        run.kill_everything()
    run.reader.join(timeout=5)
    output = run.output
    assert not left, f"left behind: {left}\n{output}"
    assert took < STOP_WITHIN, f"took {took:.1f} s\n{output}"
    assert "SIGKILL" not in output, output
    assert "ERROR" not in output and "Traceback" not in output, output
    for name in ("web", "worker", "beat"):
        assert f"{name}.1 stopped" in output
