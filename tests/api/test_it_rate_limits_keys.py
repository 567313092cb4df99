"""API_RATE_LIMIT: per key, counted in Django's cache, 429 rate_limited with Retry-After."""

from datetime import timedelta

import pytest
import time_machine
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from api.ratelimit import parse_rate
from tests.api.conftest import bearer

URL = reverse("api:connections")


def test_it_limits_each_key(api, make_key, settings):
    settings.API_RATE_LIMIT = "3/min"
    _, raw = make_key()
    _, other = make_key()
    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        assert [api.get(URL, **bearer(raw)).status_code for _ in range(3)] == [200] * 3
        limited = api.get(URL, **bearer(raw))
        assert api.get(URL, **bearer(other)).status_code == 200
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert limited.json()["code"] == "rate_limited"
    assert limited["Retry-After"] == "55"


def test_the_next_window_starts_afresh(api, make_key, settings):
    settings.API_RATE_LIMIT = "1/min"
    _, raw = make_key()
    start = timezone.now().replace(second=30)
    with time_machine.travel(start, tick=False):
        assert api.get(URL, **bearer(raw)).status_code == 200
        assert api.get(URL, **bearer(raw)).status_code == 429
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert api.get(URL, **bearer(raw)).status_code == 200


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("600/min", (600, 60)), ("10/s", (10, 1)), ("5 / hour", (5, 3600)), ("1/day", (1, 86400))],
)
def test_it_reads_rates(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "600", "600/week", "0/min", "-1/min", "many/min"])
def test_a_bad_rate_fails_the_system_check(settings, rate):
    settings.API_RATE_LIMIT = rate
    errors = [error for error in run_checks() if error.id == "api.E001"]
    assert len(errors) == 1
    assert "API_RATE_LIMIT" in errors[0].msg


def test_the_default_passes_the_system_check(settings):
    assert settings.API_RATE_LIMIT == "600/min"
    assert not [error for error in run_checks() if error.id == "api.E001"]
