"""The cache behind the rate limit: CACHE_URL, else Redis when the Celery broker is Redis,
else per-process memory (no server needed)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PRINT_CACHE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps(settings.CACHES['default']))"
)


def cache_for(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PRINT_CACHE],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:6379/3", "rediss://cache.example:6380/0"])
def test_a_redis_broker_is_the_cache(broker):
    cache = cache_for(CELERY_BROKER_URL=broker)
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == broker


def test_cache_url_wins():
    cache = cache_for(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3", CACHE_URL="redis://127.0.0.1:6379/4"
    )
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/4"


def test_the_embedded_default_needs_no_server(tmp_path):
    cache = cache_for(VAR_DIR=str(tmp_path))
    assert cache["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
