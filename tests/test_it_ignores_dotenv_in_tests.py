"""The test settings don't read the checkout's .env (a developer's METRICS_TOKEN would change
what the suite sees); the environment (CI's variables) still applies, and the other settings
read .env as the README says."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def metrics_token(checkout: Path, settings_module: str, **env) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("METRICS_TOKEN", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        PYTHONPATH=f"{checkout}{os.pathsep}{ROOT}",
        DJANGO_SETTINGS_MODULE=settings_module,
        VAR_DIR=str(checkout / "var"),
        **env,
    )
    script = "from django.conf import settings; print(repr(settings.METRICS_TOKEN))"
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", script],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A checkout's config package next to a .env that sets METRICS_TOKEN."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    (tmp_path / ".env").write_text("METRICS_TOKEN=from-dotenv\n")
    return tmp_path


def test_the_test_settings_ignore_dotenv(checkout):
    assert metrics_token(checkout, "config.settings.test") == "''"


def test_the_environment_still_applies_to_tests(checkout):
    assert metrics_token(checkout, "config.settings.test", METRICS_TOKEN="ci") == "'ci'"


def test_development_reads_dotenv(checkout):
    assert metrics_token(checkout, "config.settings.dev") == "'from-dotenv'"
