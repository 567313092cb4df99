"""LOG_FORMAT=json in the real web server (gunicorn with config/gunicorn.py, access log
included) and in Celery beat: every line of their output is one JSON object. The worker:
tests/integration/test_it_observes_a_real_worker.py."""

import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.celery_worker import ROOT, stop_process_group, wait_for

PORTS = range(9250, 9300)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.fail("no free port in 9250-9299")


def run(command: list[str], output, **env) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env={**os.environ, "LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1", **env},
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def json_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_gunicorn_logs_json_with_the_request_id_in_the_access_log(tmp_path):
    port, log = free_port(), tmp_path / "web.log"
    with open(log, "ab") as output:
        web = run(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi",
             "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            output,
        )  # fmt: skip
    try:
        wait_for(lambda: "Booting worker" in log.read_text(), what="gunicorn to start")

        def answered():
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "probe-42"}
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    return response.headers["X-Request-ID"]
            except OSError:
                return None

        assert wait_for(answered, what="an answer") == "probe-42"
        wait_for(lambda: "probe-42" in log.read_text(), what="the access log line")
    finally:
        stop_process_group(web)

    records = json_lines(log)
    [access] = [record for record in records if record["logger"] == "gunicorn.access"]
    assert access["request_id"] == "probe-42"
    assert '"GET /healthz HTTP/1.1" ' in access["message"]
    assert any(record["message"] == "Shutting down: Master" for record in records)


def test_beat_logs_json(tmp_path):
    log = tmp_path / "beat.log"
    with open(log, "ab") as output:
        beat = run(
            [sys.executable, "-m", "celery", "-A", "config", "--quiet", "beat",
             f"--schedule={tmp_path / 'schedule'}"],
            output,
            CELERY_BROKER_URL="memory://",
        )  # fmt: skip
    try:
        wait_for(lambda: "beat: Starting..." in log.read_text(), what="beat to start")
    finally:
        stop_process_group(beat)

    records = json_lines(log)
    assert records[0]["logger"] == "celery.beat"
    assert all(record["task_id"] is None for record in records)
