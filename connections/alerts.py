"""Emails to a team's owners and admins when a connection needs them, once per problem, and
once more when it recovers.

Problems (stored in ``Connection.alerted_for`` once emailed):
- ``needs_reauthorization`` and ``misconfigured``: the connection's status;
- ``expiring``: still connected, but its refresh token dies idle within
  KEEPALIVE_EXPIRY_WARNING seconds (3 days) because no refresh has succeeded.

``notify`` compares the connection's current problem with ``alerted_for``: a new problem
sends that problem's email, no problem after one sends "recovered". It is idempotent and
safe to call any time, after the token commit (never inside it): the refresh path calls it
after committing, and the beat kickoff re-checks connections whose email is still owed
(``connections_to_notify``), so a failed send is retried on the next sweep.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from . import providers
from .models import Connection, ConnectionEvent, TokenSet, status_change

logger = logging.getLogger(__name__)

Status = Connection.Status
EXPIRING = "expiring"
RECOVERED = "recovered"
# Statuses that never alert; a stale alerted_for is cleared silently.
QUIET_STATUSES = (Status.DRAFT, Status.PENDING_AUTHORIZATION, Status.DISCONNECTED)


def _owners_and_admins(count: int) -> str:
    return "1 owner or admin" if count == 1 else f"{count} owners and admins"


def _warning_window() -> timedelta:
    return timedelta(seconds=settings.KEEPALIVE_EXPIRY_WARNING)


def current_problem(connection: Connection, tokens: TokenSet | None, now: datetime) -> str | None:
    """The problem to alert about, "" when healthy, None when the status never alerts."""
    if connection.status == Status.NEEDS_REAUTHORIZATION:
        return connection.status
    if connection.status not in (Status.CONNECTED, Status.MISCONFIGURED):
        return None
    # A misconfigured connection is retried hourly and fails each time: its refresh token
    # runs toward the idle expiry as well, which deserves its own, later warning.
    if tokens is not None and tokens.refresh_token_expires_at - now <= _warning_window():
        return EXPIRING
    return connection.status if connection.status == Status.MISCONFIGURED else ""


def connections_to_notify(now: datetime | None = None) -> list[int]:
    """IDs of connections whose alert state is out of date (one query): a problem not yet
    emailed, a connection about to expire idle, or a recovery not yet announced."""
    now = now or timezone.now()
    near_expiry, fresh = Q(pk__in=[]), Q(pk__in=[])
    for provider in providers.every():  # each provider's refresh tokens have their own TTL
        limit = now - timedelta(seconds=providers.idle_ttl(provider)) + _warning_window()
        near_expiry |= Q(provider=provider.name, tokens__refresh_token_last_used_at__lte=limit)
        fresh |= Q(provider=provider.name, tokens__refresh_token_last_used_at__gt=limit)
    problem = (
        Q(status=Status.NEEDS_REAUTHORIZATION) | (Q(status=Status.MISCONFIGURED) & ~near_expiry)
    ) & ~Q(alerted_for=F("status"))
    expiring = (
        Q(status__in=[Status.CONNECTED, Status.MISCONFIGURED])
        & near_expiry
        & ~Q(alerted_for=EXPIRING)
    )
    recovered = Q(status=Status.CONNECTED) & fresh & ~Q(alerted_for="")
    quiet = Q(status__in=QUIET_STATUSES) & ~Q(alerted_for="")
    return list(
        Connection.objects.filter(problem | expiring | recovered | quiet)
        .values_list("id", flat=True)
        .distinct()
    )


def _connection_url(connection: Connection) -> str:
    return settings.PUBLIC_BASE_URL + connection.get_absolute_url()


def _render(template: str, connection: Connection, tokens: TokenSet | None) -> tuple[str, str]:
    context = {
        "connection": connection,
        "provider": providers.for_connection(connection),
        "team": connection.team,
        "tokens": tokens,
        "url": _connection_url(connection),
        "expires_at": tokens.refresh_token_expires_at if tokens else None,
    }
    subject = render_to_string(f"connections/email/{template}_subject.txt", context)
    body = render_to_string(f"connections/email/{template}.txt", context)
    return " ".join(subject.split()), body


def notify(connection_id: int) -> str:
    """Email the team's owners and admins if the connection's alert state changed.

    Returns the template sent ("needs_reauthorization", "misconfigured", "expiring",
    "recovered") or "" when nothing was sent. Never raises for a failed send: it logs, and
    un-claims so the next sweep retries."""
    now = timezone.now()
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update().select_related("team").filter(pk=connection_id)
        ).first()
        if connection is None:
            return ""
        tokens = TokenSet.objects.filter(connection=connection).first()
        problem = current_problem(connection, tokens, now)
        previous = connection.alerted_for
        if problem is None or problem == previous:
            if problem is None and previous:
                Connection.objects.filter(pk=connection.pk).update(alerted_for="")
            return ""
        # Claim first (short transaction, no lock held while mailing).
        Connection.objects.filter(pk=connection.pk).update(alerted_for=problem)

    template = problem or RECOVERED
    recipients = sorted(connection.team.owners_and_admins().values_list("email", flat=True))
    try:
        subject, body = _render(template, connection, tokens)
        if recipients:
            send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("Connection %s: could not send the %s alert", connection.pk, template)
        Connection.objects.filter(pk=connection.pk, alerted_for=problem).update(
            alerted_for=previous
        )
        return ""
    warning = {}
    if template == EXPIRING:
        warning = {
            "type": ConnectionEvent.Type.CONNECTION_IDLE_EXPIRY_WARNING,
            "refresh_token_expires_at": tokens.refresh_token_expires_at.isoformat(),
            **status_change(connection.status, connection.status),
        }
    connection.record(
        ConnectionEvent.Kind.ALERT_SENT,
        f"Emailed {_owners_and_admins(len(recipients))}: {subject}",
        **warning,
    )
    return template
