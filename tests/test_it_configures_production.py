"""Production settings refuse to start without their keys and pass ``check --deploy``."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 10 + "9f8e7d6c5b4a3z2y1x0w-Vu_Ts.Rq:Po;Nm+Lk=Ji/Hg" + "Fe"
# What a production .env must set.
CONFIGURED = {
    "SECRET_KEY": STRONG_KEY,
    "CRYPTOGRAPHY_KEY": STRONG_KEY + "2",
    "PUBLIC_BASE_URL": "https://orgkeeper.example.com",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "CRYPTOGRAPHY_KEY")}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_ENV": "production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_without_cryptography_key():
    result = manage("check", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set the CRYPTOGRAPHY_KEY environment variable" in result.stderr


def test_it_refuses_to_start_without_secret_key():
    result = manage("check", CRYPTOGRAPHY_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_it_passes_the_deployment_checklist_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **CONFIGURED)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
