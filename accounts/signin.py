"""Sign-in protection helpers for django-axes (settings: the "Sign-in protection" section)."""

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone

from .forms import EMAIL_MAX_LENGTH


@dataclass(frozen=True)
class Lock:
    """Why sign-in is refused: ``by_address`` (too many failures from the client's address,
    any account) or else the account's; ``limit`` failures; ``opens_at`` (UTC), None if only
    an administrator can unlock it."""

    by_address: bool
    limit: int
    opens_at: datetime | None


def failure_limit(parameters: dict) -> int:
    """The failures that lock one of AXES_LOCKOUT_PARAMETERS' sets (given as axes' filter
    keywords): AXES_IP_FAILURE_LIMIT for an address alone, AXES_FAILURE_LIMIT for an account
    or an (account, address) pair."""
    if set(parameters) == {"ip_address"}:
        return settings.AXES_IP_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


class SignInLimitsHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit per lockout parameter set (see
    ``failure_limit``), so that one person's typos don't lock out colleagues behind the same
    address, while password spraying from that address still is stopped. A successful
    sign-in forgets only that account's failures, not the whole address's.
    Reference: https://django-axes.readthedocs.io/en/latest/5_customization.html
    """

    def _counted(self, request, credentials) -> list[tuple[dict, QuerySet, int]]:
        """(filter keywords, unexpired attempts, limit) per lockout parameter set."""
        username = get_client_username(request, credentials)
        parameters = get_client_parameters(
            username, request.axes_ip_address, request.axes_user_agent, request, credentials
        )
        attempts = self.get_user_attempts(request, credentials)
        return [(kw, qs, failure_limit(kw)) for kw, qs in zip(parameters, attempts, strict=True)]

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Axes locks when this reaches AXES_FAILURE_LIMIT: each set's failures are scaled
        so that they reach it exactly when they reach the set's own limit."""
        base = settings.AXES_FAILURE_LIMIT
        return max(
            (
                sum(qs.values_list("failures_since_start", flat=True)) * base // limit
                for _, qs, limit in self._counted(request, credentials)
            ),
            default=0,
        )

    def lock(self, request, credentials: dict | None = None) -> Lock | None:
        """The lock that keeps sign-in closed longest, or None. A set's failures expire row
        by row (each at its last failure + AXES_COOLOFF_TIME), so it opens once the oldest
        rows' expiry leaves fewer failures than its limit."""
        cool_off = get_cool_off(request)
        locks = []
        for parameters, attempts, limit in self._counted(request, credentials):
            rows = list(
                attempts.order_by("attempt_time").values_list(
                    "attempt_time", "failures_since_start"
                )
            )
            remaining = sum(failures for _, failures in rows)
            if remaining < limit:
                continue
            opens_at = None
            for attempt_time, failures in rows:
                remaining -= failures
                if remaining < limit:
                    opens_at = attempt_time + cool_off if cool_off else None
                    break
            locks.append(Lock("username" not in parameters, limit, opens_at))
        if not locks:
            return None
        return max(locks, key=lambda lock: (lock.opens_at is None, lock.opens_at or 0))

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in: the account's failures only."""
        username = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(username=username).delete()
        return deleted


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The account a failed sign-in counts against: the submitted email, compared without
    case or surrounding spaces as sign-in does, and no longer than an email can be (axes
    stores it in a 255-character column)."""
    source = credentials if credentials is not None else request.POST
    value = source.get("username") or ""
    return str(value).strip().lower()[:EMAIL_MAX_LENGTH]


def lockout_response(request: HttpRequest, original_response, credentials: dict | None):
    """The page shown instead of signing in while an account or address is locked out: which
    one, after how many failures, and when sign-in opens again."""
    lock = SignInLimitsHandler().lock(request, credentials)
    minutes = None
    if lock and lock.opens_at:
        seconds = (lock.opens_at - timezone.now()).total_seconds()
        minutes = max(1, -(-int(seconds) // 60))
    context = {"lock": lock, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def client_ip(request: HttpRequest) -> str:
    """The address failed sign-ins are counted against: REMOTE_ADDR, or behind
    TRUSTED_PROXY_COUNT proxies the address the outermost one saw, the TRUSTED_PROXY_COUNT-th
    entry of X-Forwarded-For from the right (entries further left are what the client
    claimed, so they are never trusted)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in header.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count][:45]
    return request.META.get("REMOTE_ADDR", "")
