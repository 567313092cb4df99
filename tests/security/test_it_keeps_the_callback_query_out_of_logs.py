"""The OAuth callback's ``code`` and ``state`` never reach Orgkeeper's own request logs:
runserver's access log (a real ``runserver``), gunicorn's access log
(config.gunicorn_logging.RedactingLogger), the console log and the error email to ADMINS. Also
URL-encoded, as in the sign-in page's ``?next=`` after a lost session."""

import logging
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.core import mail
from gunicorn.config import Config

from config.gunicorn_logging import RedactingLogger
from config.request_logging import redact_callback_query
from tests.conftest import signed_in
from tests.connections.helpers import CALLBACK_PATH, register_success, start_flow

CODE = "aPrxCanaryAuthorizationCode.12345"
STATE = "CanaryStateValue-67890"
CALLBACK = f"{CALLBACK_PATH}?code={CODE}&state={STATE}"
ENCODED_NEXT = f"/accounts/login/?next={CALLBACK_PATH}%3Fcode%3D{CODE}%26state%3D{STATE}"
PORT = 9310
ROOT = Path(__file__).resolve().parents[2]
DROPPED_ENV = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL")


def assert_redacted(text: str) -> None:
    assert CODE not in text and STATE not in text
    assert "callback?[redacted]" in text


@pytest.mark.parametrize(
    "url",
    [
        CALLBACK,
        ENCODED_NEXT,
        ENCODED_NEXT.replace("/", "%2F").replace("%2Faccounts%2Flogin%2F", "/accounts/login/"),
    ],
)
def test_it_redacts_plain_and_encoded_callback_urls(url):
    line = f'"GET {url} HTTP/1.1" 302 0'
    assert_redacted(redact_callback_query(line))
    assert redact_callback_query('"GET /teams/?code=1 HTTP/1.1"') == '"GET /teams/?code=1 HTTP/1.1"'


def test_runserver_logs_the_callback_without_its_query(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in DROPPED_ENV},
        "DJANGO_ENV": "development",
        "VAR_DIR": str(tmp_path),
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)
    reader.start()
    logged = "GET /api/connections/oauth/callback?[redacted] HTTP/1.1"
    try:
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                response = requests.get(base + CALLBACK, allow_redirects=False, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert response.status_code == 302  # to the sign-in page
        for _ in range(50):  # the line is written after the response
            if logged in "".join(lines):
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
        reader.join(timeout=5)
    output = "".join(lines)
    assert logged in output
    assert CODE not in output and STATE not in output


def gunicorn_access_line(tmp_path, url: str, referer: str) -> str:
    log_file = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(log_file))
    config.set("access_log_format", '"%(r)s" %(s)s "%(f)s" %(q)s %(U)s {query_string}e')
    logger = RedactingLogger(config)
    path, _, query_string = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": url,
        "PATH_INFO": path,
        "QUERY_STRING": query_string,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, timedelta(milliseconds=5))
    for handler in logger.access_log.handlers:
        handler.close()
    return log_file.read_text()


@pytest.mark.parametrize("url", [CALLBACK, ENCODED_NEXT])
def test_gunicorns_access_log_leaves_out_the_query(tmp_path, url):
    line = gunicorn_access_line(tmp_path, url, referer=f"https://orgkeeper.example{CALLBACK}")
    assert CODE not in line and STATE not in line
    assert "GET " in line and "302" in line


def test_the_console_log_leaves_out_the_query():
    handler = next(h for h in logging.getLogger().handlers if h.filters)
    record = logging.getLogger("django.request").makeRecord(
        "django.request", logging.WARNING, __file__, 0, "Bad request: %s", (CALLBACK,), None
    )
    assert handler.filter(record)
    assert_redacted(handler.format(record))


@pytest.mark.usefixtures("public_urls")
def test_the_error_email_leaves_out_the_query(settings, alice, draft, rsps, monkeypatch):
    settings.ADMINS = [("Ops", "ops@example.com")]
    client = signed_in(alice, raise_request_exception=False)
    params = start_flow(client, draft)
    register_success(rsps)
    monkeypatch.setattr("connections.oauth._store", lambda *args: 1 / 0)
    response = client.get(CALLBACK_PATH, {"code": CODE, "state": params["state"]})
    assert response.status_code == 500
    body = mail.outbox[0].body
    assert "ZeroDivisionError" in body
    assert CODE not in body and params["state"] not in body
    assert "[redacted]" in body
