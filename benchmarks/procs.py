"""Subprocesses of the benchmark (Celery worker and beat, baseline loops): start them in their
own process group, read their peak RSS from /proc, and always stop them."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_running: list[subprocess.Popen] = []


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, *command],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _running.append(process)
    return process


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it after 15 s (and any orphaned children)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process in _running:
        _running.remove(process)


def stop_all() -> None:
    for process in list(_running):
        stop(process)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the peak resident set size of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for_log(process: subprocess.Popen, log: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: exited early:\n{log.read_text()[-3000:]}")
        if text in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{log.name}: no {text!r} after {timeout} s:\n{log.read_text()[-3000:]}")


def wait_until(
    done, count: int, processes: dict[str, subprocess.Popen], say, poll: float, stall: float
) -> None:
    """Poll ``done()`` until it reaches ``count``, printing progress every 5 s. Raises
    RuntimeError when one of ``processes`` (by name) exits or nothing moves for ``stall``
    seconds."""
    last_progress, last_done, last_report = time.monotonic(), -1, 0.0
    while True:
        for name, process in processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"the {name} exited (code {process.returncode})")
        finished = done()
        now = time.monotonic()
        if finished != last_done:
            last_progress, last_done = now, finished
        if finished >= count:
            say(f"  {finished}/{count} refreshed")
            return
        if now - last_report >= 5:
            say(f"  {finished}/{count} refreshed")
            last_report = now
        if now - last_progress > stall:
            raise RuntimeError(f"no progress for {stall} s at {finished}/{count} refreshed")
        time.sleep(poll)


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process (and its reaped children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / TICKS


def _by_name(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
    return pids


def cpu_snapshot(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far per group of processes, plus every postgres and redis-server
    process on the machine (other users of them included)."""
    snapshot = {name: sum(_cpu(pid) for pid in pids) for name, pids in groups.items()}
    snapshot["postgres (all)"] = sum(_cpu(pid) for pid in _by_name("postgres"))
    snapshot["redis (all)"] = sum(_cpu(pid) for pid in _by_name("redis-server"))
    return snapshot


def cpu_per_item(before: dict, after: dict, items: int) -> dict[str, float]:
    """Milliseconds of CPU per item, per group."""
    return {name: (after[name] - before[name]) * 1000 / max(items, 1) for name in after}


class CpuMeter:
    """Busy share of all cores (from /proc/stat) and this process's CPU time over a span."""

    def __init__(self) -> None:
        self.busy0, self.total0 = self._stat()
        self.own0 = time.process_time()
        self.wall0 = time.monotonic()

    @staticmethod
    def _stat() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def read(self) -> tuple[float, float]:
        """(machine busy fraction, this process's CPU in cores)."""
        busy, total = self._stat()
        wall = time.monotonic() - self.wall0
        machine = (busy - self.busy0) / max(total - self.total0, 1)
        return machine, (time.process_time() - self.own0) / max(wall, 1e-9)
