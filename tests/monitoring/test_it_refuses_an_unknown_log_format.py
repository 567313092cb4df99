"""LOG_FORMAT is plain or json; anything else stops startup with a message naming both."""

import os
import subprocess
import sys

from tests.celery_worker import ROOT


def test_an_unknown_log_format_stops_startup():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: LOG_FORMAT must be one of plain, json." in result.stderr
