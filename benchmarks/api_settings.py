"""Settings of the API benchmark's gunicorn: the benchmark settings, the bench URL conf (the
production URLs plus the bare view) and a rate limit no benchmark client reaches (it is still
checked on every request, as in production)."""

from benchmarks.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.api_urls"
API_RATE_LIMIT = "1000000000/min"
