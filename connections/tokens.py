"""Writing a token response: a Grant (connections.providers.base) applied to a TokenSet, and
the connection's keep-alive state after a refresh or a sign-in. Shared by the keep-alive
(connections.keepalive) and the sign-in (connections.oauth), so that token fields are written
in one place. No queries here: the callers save, under their row locks."""

import random
from datetime import datetime, timedelta

from django.conf import settings

from .errors import Classification, ErrorKind
from .models import Connection, TokenSet
from .providers.base import Grant

# The TokenSet fields ``apply`` writes (for ``save(update_fields=...)`` of a stored row).
TOKEN_FIELDS = [
    "access_token",
    "refresh_token",
    "instance_url",
    "scope",
    "issued_at",
    "expires_at",
    "signature_verified",
    "provider_data",
    "refresh_token_last_used_at",
    "refreshed_at",
    "generation",
    "updated",
]


def apply(tokens: TokenSet, grant: Grant, now: datetime, *, refreshed: bool) -> bool:
    """Put ``grant`` on ``tokens`` (unsaved) and bump its generation. Values the grant lacks
    are kept: the refresh token (no rotation), the instance URL and the scope. ``refreshed``:
    by a refresh (``refreshed_at`` = ``now``), not a sign-in. Returns whether the refresh
    token changed."""
    rotated = bool(grant.refresh_token) and grant.refresh_token != tokens.refresh_token
    tokens.access_token = grant.access_token
    if grant.refresh_token:
        tokens.refresh_token = grant.refresh_token
    if grant.instance_url:
        tokens.instance_url = grant.instance_url.rstrip("/")
    if grant.scope:
        tokens.scope = grant.scope
    tokens.issued_at = grant.issued_at
    tokens.expires_at = grant.expires_at
    tokens.signature_verified = grant.problem is None
    if grant.provider_data:
        tokens.provider_data = {**(tokens.provider_data or {}), **grant.provider_data}
    tokens.refresh_token_last_used_at = now
    tokens.refreshed_at = now if refreshed else None
    tokens.generation += 1
    return rotated


def next_refresh_time(last_used: datetime) -> datetime:
    """When to refresh next: ``last_used`` + KEEPALIVE_INTERVAL seconds ± KEEPALIVE_JITTER
    (a fraction of the interval, uniformly random) so connections authorized together don't
    all refresh in the same second. UTC in, UTC out."""
    interval = settings.KEEPALIVE_INTERVAL
    jitter = settings.KEEPALIVE_JITTER
    return last_used + timedelta(seconds=interval * (1 + random.uniform(-jitter, jitter)))  # noqa: S311


# The fields mark_refreshed and mark_failed change (for ``save(update_fields=...)``).
KEEPALIVE_FIELDS = [
    "status",
    "status_reason",
    "next_refresh_at",
    "consecutive_failures",
    "failing_since",
    "last_error",
    "last_error_at",
]


def cleared_fields(status: str, next_refresh_at: datetime | None) -> dict:
    """The KEEPALIVE_FIELDS of a connection whose refresh problems are over, as a sign-in or
    a disconnect leaves it: ``status``, no reason, failures or error, and the next refresh
    at ``next_refresh_at`` (None: none)."""
    return {
        "status": status,
        "status_reason": "",
        "next_refresh_at": next_refresh_at,
        "consecutive_failures": 0,
        "failing_since": None,
        "last_error": "",
        "last_error_at": None,
    }


def mark_cleared(connection: Connection, status: str, next_refresh_at: datetime | None) -> None:
    """Apply ``cleared_fields`` to ``connection`` (unsaved)."""
    for name, value in cleared_fields(status, next_refresh_at).items():
        setattr(connection, name, value)


def mark_refreshed(connection: Connection, now: datetime) -> None:
    """``connection`` (unsaved) is connected and its refresh problems are over; the next
    refresh is scheduled from ``now``."""
    if connection.status != Connection.Status.CONNECTED:
        connection.status_reason = ""
    connection.status = Connection.Status.CONNECTED
    connection.next_refresh_at = next_refresh_time(now)
    connection.consecutive_failures = 0
    connection.failing_since = None
    connection.last_error = ""


def failure_fields(
    connection: Connection, classification: Classification, last_error: str, now: datetime
) -> dict:
    """The fields a refresh failure classified as ``classification`` changes on
    ``connection`` (as read before it): counters, ``last_error`` (at most 2,000 characters),
    the status (transient failures keep it) and when to try again (never for
    needs_reauthorization)."""
    fields = {
        "consecutive_failures": connection.consecutive_failures + 1,
        "failing_since": connection.failing_since or now,
        "last_error": last_error[:2000],
        "last_error_at": now,
    }
    retry_at = now + timedelta(seconds=settings.KEEPALIVE_RETRY_AFTER)
    if classification.kind == ErrorKind.TRANSIENT:
        fields["next_refresh_at"] = retry_at
    elif classification.kind == ErrorKind.MISCONFIGURED:
        fields |= {
            "status": Connection.Status.MISCONFIGURED,
            "status_reason": classification.reason,
            "next_refresh_at": retry_at,
        }
    else:
        fields |= {
            "status": Connection.Status.NEEDS_REAUTHORIZATION,
            "status_reason": classification.reason,
            "next_refresh_at": None,
        }
    return fields


def mark_failed(
    connection: Connection, classification: Classification, last_error: str, now: datetime
) -> None:
    """Apply ``failure_fields`` to ``connection`` (unsaved)."""
    for name, value in failure_fields(connection, classification, last_error, now).items():
        setattr(connection, name, value)
