"""System checks for the keep-alive settings (run by ``manage.py check``, ``migrate``,
``runserver``; the kickoff task re-validates in the Celery worker, which runs no checks).

The important one: KEEPALIVE_INTERVAL must leave a wide margin inside the refresh token's idle
TTL (docs/salesforce-protocol.md, "Refresh token policy and idle TTL"), so a day or two of
failed refreshes can't let a connection die idle.
"""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import providers

# KEEPALIVE_INTERVAL <= REFRESH_TOKEN_IDLE_TTL / 3, and <= a third of every provider's own TTL
MAX_INTERVAL_SHARE = 3


def _days(seconds: float) -> str:
    return f"{seconds / 86400:g} days"


def keepalive_settings_errors() -> list[Error]:
    """Errors in the keep-alive settings (all in seconds, except KEEPALIVE_JITTER)."""
    errors = []
    ttl = settings.REFRESH_TOKEN_IDLE_TTL
    interval = settings.KEEPALIVE_INTERVAL
    if ttl <= 0:
        errors.append(Error("REFRESH_TOKEN_IDLE_TTL must be positive.", id="connections.E001"))
        return errors
    if not 0 < interval <= ttl / MAX_INTERVAL_SHARE:
        errors.append(
            Error(
                f"KEEPALIVE_INTERVAL is {interval} s ({_days(interval)}) but must be positive "
                f"and at most a third of REFRESH_TOKEN_IDLE_TTL ({ttl} s = {_days(ttl)}), i.e. "
                f"at most {ttl // MAX_INTERVAL_SHARE} s, so failed refreshes can be retried "
                "long before an unused refresh token expires.",
                hint="Lower KEEPALIVE_INTERVAL (default 86400 s = 1 day).",
                id="connections.E002",
            )
        )
    for provider in providers.every():
        own_ttl = provider.policies.refresh_token_idle_ttl
        if own_ttl is not None and interval > own_ttl / MAX_INTERVAL_SHARE:
            errors.append(
                Error(
                    f"KEEPALIVE_INTERVAL is {interval} s ({_days(interval)}) but must be at most "
                    f"a third of {provider.label}'s refresh-token idle TTL ({own_ttl} s = "
                    f"{_days(own_ttl)}), i.e. at most {own_ttl // MAX_INTERVAL_SHARE} s.",
                    hint="Lower KEEPALIVE_INTERVAL (default 86400 s = 1 day).",
                    id="connections.E008",
                )
            )
    if not 0 <= settings.KEEPALIVE_JITTER <= 0.5:
        errors.append(
            Error(
                f"KEEPALIVE_JITTER is {settings.KEEPALIVE_JITTER}; it must be between 0 and "
                "0.5 (a fraction of KEEPALIVE_INTERVAL).",
                id="connections.E003",
            )
        )
    if not 0 < settings.KEEPALIVE_SWEEP_INTERVAL <= max(interval, 1) / 4:
        errors.append(
            Error(
                f"KEEPALIVE_SWEEP_INTERVAL is {settings.KEEPALIVE_SWEEP_INTERVAL} s; it must be "
                f"positive and at most a quarter of KEEPALIVE_INTERVAL ({interval} s).",
                id="connections.E004",
            )
        )
    if not 0 < settings.KEEPALIVE_EXPIRY_WARNING < ttl - interval:
        errors.append(
            Error(
                f"KEEPALIVE_EXPIRY_WARNING is {settings.KEEPALIVE_EXPIRY_WARNING} s; it must be "
                "positive and shorter than REFRESH_TOKEN_IDLE_TTL - KEEPALIVE_INTERVAL.",
                id="connections.E005",
            )
        )
    timeout = settings.SALESFORCE_HTTP_TIMEOUT
    soft_limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    # Worst case of one refresh: two row-lock waits (the attempt mark, then the refresh;
    # PostgreSQL's lock_timeout is the HTTP timeout + 5 s) and the POST, whose timeout
    # applies to connecting and to reading separately. All of it must fit in the soft time
    # limit, or the task could be stopped between Salesforce's answer and our commit.
    if timeout <= 0 or (soft_limit and 4 * timeout + 10 > soft_limit):
        errors.append(
            Error(
                f"SALESFORCE_HTTP_TIMEOUT is {timeout} s; it must be positive and 4 x it + 10 s "
                f"must fit in CELERY_TASK_SOFT_TIME_LIMIT ({soft_limit} s).",
                id="connections.E006",
            )
        )
    if settings.ACCESS_TOKEN_LIFETIME <= 0 or settings.KEEPALIVE_RETRY_AFTER <= 0:
        errors.append(
            Error(
                "ACCESS_TOKEN_LIFETIME and KEEPALIVE_RETRY_AFTER must be positive.",
                id="connections.E007",
            )
        )
    return errors


def sqlite_lock_warnings(database: dict) -> list[Warning]:
    """SQLite's busy timeout (seconds) must outlast a refresh holding the write lock."""
    busy_timeout = database.get("OPTIONS", {}).get("timeout")
    if (
        database["ENGINE"] == "django.db.backends.sqlite3"
        and busy_timeout
        and busy_timeout <= settings.SALESFORCE_HTTP_TIMEOUT
    ):
        return [
            Warning(
                f"SALESFORCE_HTTP_TIMEOUT ({settings.SALESFORCE_HTTP_TIMEOUT} s) is not shorter "
                f"than SQLite's busy timeout ({busy_timeout} s): other writers may fail with "
                "'database is locked' while a refresh holds the write lock.",
                id="connections.W001",
            )
        ]
    return []


@register("connections")
def check_keepalive_settings(app_configs=None, **kwargs):
    return [*keepalive_settings_errors(), *sqlite_lock_warnings(settings.DATABASES["default"])]
