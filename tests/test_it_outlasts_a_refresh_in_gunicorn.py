"""gunicorn never kills a worker inside a request's worst case (two refreshes and two REST
calls), which could lose a rotated refresh token between Salesforce's answer and the commit."""

import runpy
from pathlib import Path

import pytest

GUNICORN_CONFIG = Path(__file__).resolve().parent.parent / "config" / "gunicorn.py"


@pytest.mark.parametrize("http_timeout", [5, 20, 45])
def test_the_worker_timeout_is_above_one_requests_worst_case(monkeypatch, http_timeout):
    monkeypatch.setenv("SALESFORCE_HTTP_TIMEOUT", str(http_timeout))

    timeout = runpy.run_path(str(GUNICORN_CONFIG))["timeout"]

    # Per refresh: two lock waits (T + 5 s), a POST (2T), a write again (30 s); REST calls 2T.
    refresh = 2 * (http_timeout + 5) + 2 * http_timeout + 30
    assert timeout > 2 * refresh + 2 * 2 * http_timeout
