"""next_refresh_time jitter, retry backoff and the keep-alive settings checks."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from connections import keepalive
from connections.checks import (
    check_keepalive_settings,
    keepalive_settings_errors,
    sqlite_lock_warnings,
)
from tests.connections.helpers import utc

DAY = 24 * 3600


def test_next_refresh_time_is_the_interval_with_ten_percent_jitter(settings):
    settings.KEEPALIVE_INTERVAL = DAY
    settings.KEEPALIVE_JITTER = 0.1
    last_used = utc(2026, 11, 1, 12)

    offsets = {keepalive.next_refresh_time(last_used) - last_used for _ in range(500)}

    assert all(timedelta(hours=21.6) <= offset <= timedelta(hours=26.4) for offset in offsets)
    assert len(offsets) > 400  # spread out, not all in the same second
    assert min(offsets) < timedelta(hours=22.5) and max(offsets) > timedelta(hours=25.5)


def test_next_refresh_time_without_jitter(settings):
    settings.KEEPALIVE_JITTER = 0
    last_used = utc(2026, 11, 1, 12)
    assert keepalive.next_refresh_time(last_used) == last_used + timedelta(seconds=DAY)


def test_retry_delay_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.KEEPALIVE_RETRY_BACKOFF = 30
    settings.KEEPALIVE_RETRY_BACKOFF_MAX = 1800
    for retries, full in [(0, 30), (1, 60), (3, 240), (10, 1800)]:
        delays = [keepalive.retry_delay(retries) for _ in range(200)]
        assert all(full / 2 <= delay <= full for delay in delays)
        assert len(set(delays)) > 100


def test_the_default_settings_pass():
    assert keepalive_settings_errors() == []


@pytest.mark.parametrize("interval", [11 * DAY, 0, -1])
def test_an_interval_without_margin_inside_the_idle_ttl_is_refused(settings, interval):
    settings.REFRESH_TOKEN_IDLE_TTL = 30 * DAY
    settings.KEEPALIVE_INTERVAL = interval

    errors = keepalive_settings_errors()

    assert [error.id for error in errors][:1] == ["connections.E002"]
    assert "at most a third of REFRESH_TOKEN_IDLE_TTL" in errors[0].msg
    assert "864000 s" in errors[0].msg


def test_a_third_of_the_ttl_is_accepted(settings):
    settings.REFRESH_TOKEN_IDLE_TTL = 30 * DAY
    settings.KEEPALIVE_INTERVAL = 10 * DAY
    assert keepalive_settings_errors() == []


def test_an_interval_over_a_third_of_a_providers_own_ttl_is_refused(settings):
    settings.REFRESH_TOKEN_IDLE_TTL = 365 * DAY  # Salesforce's policy allows it...
    settings.KEEPALIVE_INTERVAL = 31 * DAY  # ...but Dynamics' refresh tokens die in 90 days

    errors = keepalive_settings_errors()

    assert [error.id for error in errors] == ["connections.E008"]
    assert "a third of Microsoft Dynamics 365's refresh-token idle TTL" in errors[0].msg
    assert "7776000 s = 90 days" in errors[0].msg


@pytest.mark.parametrize(
    ("name", "value", "error_id"),
    [
        ("KEEPALIVE_JITTER", 0.9, "connections.E003"),
        ("KEEPALIVE_SWEEP_INTERVAL", DAY, "connections.E004"),
        ("KEEPALIVE_EXPIRY_WARNING", 30 * DAY, "connections.E005"),
        ("SALESFORCE_HTTP_TIMEOUT", 45.0, "connections.E006"),
        ("ACCESS_TOKEN_LIFETIME", 0, "connections.E007"),
    ],
)
def test_other_settings_are_validated(settings, name, value, error_id):
    setattr(settings, name, value)
    assert [error.id for error in keepalive_settings_errors()] == [error_id]


@pytest.mark.parametrize(("timeout", "ok"), [(27.5, True), (28.0, False)])
def test_the_soft_time_limit_covers_two_lock_waits_and_the_post(settings, timeout, ok):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 120
    settings.SALESFORCE_HTTP_TIMEOUT = timeout
    errors = [error.id for error in keepalive_settings_errors()]
    assert errors == ([] if ok else ["connections.E006"])


def test_manage_py_check_fails_with_a_clear_error(settings):
    settings.KEEPALIVE_INTERVAL = 15 * DAY
    with pytest.raises(SystemCheckError, match="KEEPALIVE_INTERVAL is 1296000 s"):
        call_command("check")


def test_a_long_http_timeout_warns_on_sqlite(settings):
    database = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"timeout": 30}}
    settings.SALESFORCE_HTTP_TIMEOUT = 30.0
    assert [m.id for m in sqlite_lock_warnings(database)] == ["connections.W001"]
    settings.SALESFORCE_HTTP_TIMEOUT = 20.0
    assert sqlite_lock_warnings(database) == []
    assert check_keepalive_settings() == []
