"""Keep-alive: the single-flight token refresh and the access-token helpers.

Public interface (stable for views, admin, tasks and the management command):

- ``next_refresh_time(last_used) -> datetime``
- ``refresh_connection(connection_id, *, force=False, if_generation=None, actor=None)
  -> RefreshResult``: the ONLY code that uses a refresh token.
- ``get_access_token(connection, force_refresh=False) -> (access_token, instance_url)``
- ``issue_access_token(connection, *, min_ttl=0, force_refresh=False, rejected_generation=None)
  -> IssuedToken``: the HTTP API's access tokens (a minimum TTL, a conditional refresh).
- ``call_api(connection, call)``: ``call(instance_url, access_token)``; a
  ``SessionExpired`` (connections.providers.base) refreshes once and retries once.
- ``claim_due_connections(now=None) -> list[int]`` (the beat sweep and ``--due``)
- ``is_degraded(connection) -> bool``
- ``RefreshResult(outcome: Outcome, message, kind: ErrorKind | None, generation)``
  (``lost``: the provider classified the failure as a refresh token lost in flight);
  ``Outcome`` is refreshed / skipped / failed, ``ErrorKind`` (connections.errors) is
  transient / needs_reauthorization / misconfigured; ``result.retry`` for transient ones.
- errors: ``NotConnected``, ``RefreshFailed`` (both ``KeepaliveError``; ``RefreshFailed`` is
  also a ``ProviderError``)
- ``commit_windows() -> list[float]``: seconds from receiving each token response to its
  commit, for the last refreshes of this process (also logged at DEBUG).

Why one locked transaction around the HTTP call: with Refresh Token Rotation the presented
refresh token dies the moment Salesforce answers, and Salesforce refuses a second concurrent
request with the same token (docs/salesforce-protocol.md). So the refresh holds a
row lock on the Connection and its TokenSet while it POSTs, and stores the new tokens in the
same transaction; the lock IS the single flight, across threads, processes and machines.

- PostgreSQL: ``SELECT ... FOR UPDATE`` row locks; waiters block (bounded by ``lock_timeout``
  = SALESFORCE_HTTP_TIMEOUT + 5 s, set at connect time in config/settings/base.py, or by
  SALESFORCE_HTTP_TIMEOUT for the HTTP API's ``issue_access_token``; then a transient
  failure) and then re-read the committed row.
- SQLite: ``select_for_update`` is a no-op, but the database is opened with
  ``transaction_mode=IMMEDIATE`` (config/settings/base.py), so BEGIN takes the database write
  lock: at most one atomic block writes at a time in any process, and a second refresher waits
  at BEGIN (busy timeout) and then reads the committed row. That serializes refreshes at least
  as strictly as a row lock (it serializes every writer), so it is equally safe.

The HTTP timeout (SALESFORCE_HTTP_TIMEOUT, seconds) bounds how long the lock is held; the system
checks (connections.checks) keep it below the lock wait and Celery's soft time limit.

``refresh_connection`` must not run inside a caller's ``transaction.atomic()``: a rollback of
the outer block would drop a rotated refresh token. It opens a durable atomic block, which
raises RuntimeError when nested.

Crash safety: if the process dies (or the connection drops) after Salesforce rotated the token
but before the commit, the stored refresh token is rotated out, and presenting it makes
Salesforce revoke the grant ("expired access/refresh token"); nothing can recover the lost token
(docs/salesforce-protocol.md, "Refresh token rotation"). So each attempt, for a provider whose
refresh tokens rotate (``Policies.refresh_token_rotates``), first commits in one UPDATE of its
own ``TokenSet.refresh_attempt_generation = generation`` (unless an earlier attempt's mark is
still there). A success bumps ``generation``, which retires the mark in the same UPDATE; an
attempt that never POSTed, or got a definite answer that rotates nothing, removes its own mark.
A refresh that finds an earlier attempt's mark and gets "expired access/refresh token" reports
"refresh token lost" (the provider's classification) instead of a plain revocation. Queries per
successful refresh: mark, lock + read, UPDATE tokens, UPDATE connection, INSERT event (no mark
for a provider without rotation, once this process has seen the connection). Between
the token response and the commit there is only parsing and those three writes.

A database error in those writes (a failover, a dropped connection, a lock timeout) rolls the
transaction back while the new tokens exist only in memory: they are written again, under a new
lock, by ``connections.token_writes.write_again`` (fresh connection, backoff, up to 30 s).
"""

import logging
import random
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.db import DatabaseError, OperationalError, transaction
from django.db import connection as database
from django.utils import timezone

from monitoring import logs

from . import alerts, approvals, providers, rows, token_writes
from . import tokens as token_fields
from .errors import Classification, ErrorKind
from .guidance import RESULT_LABELS
from .models import ClientCredentials, Connection, ConnectionEvent, TokenSet, status_change
from .providers.base import (
    Grant,
    OAuthError,
    Provider,
    ProviderError,
    SessionExpired,
    Target,
)
from .signals import announces_refresh
from .tokens import next_refresh_time

logger = logging.getLogger(__name__)

Status = Connection.Status
Kind = ConnectionEvent.Kind
Type = ConnectionEvent.Type

# Statuses a forced (manual) refresh may try; the sweep only refreshes KEEPALIVE_STATUSES.
FORCE_REFRESHABLE = (Status.CONNECTED, Status.MISCONFIGURED, Status.NEEDS_REAUTHORIZATION)
# IDs per claim UPDATE: a whole default sweep batch in one query, under SQLite's limit of
# 32,766 variables per statement.
UPDATE_CHUNK = 10_000


class KeepaliveError(Exception):
    """Base class of the errors raised by this module."""


class NotConnected(KeepaliveError):
    """The connection has no tokens or its status isn't connected."""


class RefreshFailed(KeepaliveError, ProviderError):
    """A needed refresh failed; ``result`` says how. Also a ``ProviderError``
    (``error`` is the kind, ``description`` the message) so callers of ``call_api``
    can handle every Salesforce-side failure with one ``except``."""

    def __init__(self, result: "RefreshResult"):
        ProviderError.__init__(self, result.message, error=str(result.kind or ""))
        self.result = result


class Outcome(StrEnum):
    REFRESHED = "refreshed"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class RefreshResult:
    """What ``refresh_connection`` did. ``kind`` is set when ``outcome`` is failed;
    ``generation`` is the TokenSet generation afterwards (None without tokens); ``refusal``
    is Salesforce's answer when it refused ``new_credentials`` (nothing was recorded);
    ``busy``: another refresh of the connection held its lock too long (or the database was
    busy); ``lost``: the failure's Classification says the refresh token was lost in flight."""

    outcome: Outcome
    message: str
    kind: ErrorKind | None = None
    generation: int | None = None
    refusal: OAuthError | None = None
    busy: bool = False
    lost: bool = False

    @property
    def retry(self) -> bool:
        """True for transient failures: try again later with backoff."""
        return self.outcome == Outcome.FAILED and self.kind == ErrorKind.TRANSIENT

    def __str__(self) -> str:
        label = f"{self.outcome} ({self.kind})" if self.kind else str(self.outcome)
        return f"{label}: {self.message}"


def is_degraded(connection: Connection, now: datetime | None = None) -> bool:
    """Connected, but refreshes have failed transiently for more than 24 hours."""
    return connection.is_degraded_at(now or timezone.now())


def retry_delay(retries: int) -> float:
    """Seconds before retry number ``retries`` + 1: exponential backoff from
    KEEPALIVE_RETRY_BACKOFF, capped at KEEPALIVE_RETRY_BACKOFF_MAX, with "equal jitter"
    (half fixed, half random) so retries of many connections spread out."""
    delay = min(settings.KEEPALIVE_RETRY_BACKOFF * 2**retries, settings.KEEPALIVE_RETRY_BACKOFF_MAX)
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311


# --- The refresh ------------------------------------------------------------------------

# Seconds from receiving a token response to committing it (the window in which a crash
# loses a rotated refresh token), for the last refreshes in this process.
_commit_windows: deque[float] = deque(maxlen=10_000)


def commit_windows() -> list[float]:
    """Seconds between receiving each token response and committing it (latest last)."""
    return list(_commit_windows)


# Mark-and-lock rounds before giving up (transient) on a connection that siblings keep
# refreshing: each round waits for one sibling's refresh, so this bounds the concurrent
# forced refreshes of one connection that are all served.
MARK_ATTEMPTS = 20


@dataclass(frozen=True)
class _Request:
    """What ``refresh_connection`` was asked to do (see its docstring)."""

    connection_id: int
    force: bool
    if_generation: int | None
    actor: object
    new_credentials: ClientCredentials | None


@dataclass
class _Attempt:
    """One mark-and-lock round of ``refresh_connection``: when it marked the tokens, whether
    it POSTed, and when the answer came (``time.monotonic()``)."""

    started_at: datetime
    posted: bool = False
    answered_at: float | None = None
    keep_mark: bool = False  # the POST may have rotated the token without us seeing it
    # The provider's answer and the TokenSet generation it replaces, until committed.
    grant: Grant | None = None
    generation: int | None = None
    now: datetime | None = None
    provider: Provider | None = None  # whose answer ``grant`` is


# Precompiled (connections.rows): the keep-alive's writes on every refresh.
_MARK = rows.Statement(
    'UPDATE {t} SET "refresh_attempt_generation" = "generation", "refresh_started_at" = %s'
    ' WHERE "connection_id" = %s AND ("refresh_attempt_generation" IS NULL'
    ' OR "refresh_attempt_generation" <> "generation")',
    {"t": TokenSet},
)
_WRITE_TOKENS = rows.Update(TokenSet, token_fields.TOKEN_FIELDS)
_WRITE_SCHEDULE = rows.Update(
    Connection, [*token_fields.KEEPALIVE_FIELDS, "instance_url", "updated"]
)


def _mark_attempt(connection_id: int, attempt: _Attempt) -> None:
    """Commit "an attempt with this generation's refresh token is starting" (one UPDATE,
    autocommit), unless an earlier attempt's mark for the same generation is still there.
    Only connections whose provider rotates refresh tokens need it: no UPDATE is sent for a
    connection known (``_providers_seen``) to be another provider's. A connection not seen
    yet is marked (the safe guess) unless no registered provider rotates; the locked read
    corrects a wrong guess (``_refresh_with`` asks for a mark again)."""
    if not _rotates(connection_id):
        return
    started_at = rows.db_value(TokenSet, "refresh_started_at", attempt.started_at)
    _MARK.run([started_at, connection_id])


# Connection ID -> provider name, learned from the locked reads of this process (a
# connection's provider never changes; a stale entry only costs one more mark-and-lock round).
_providers_seen: dict[int, str] = {}
PROVIDERS_SEEN_MAX = 200_000  # about 20 MB at most


def _rotates(connection_id: int) -> bool:
    name = _providers_seen.get(connection_id)
    if name is not None:
        return providers.get(name).policies.refresh_token_rotates
    return any(provider.policies.refresh_token_rotates for provider in providers.every())


def remember_provider(connection: Connection) -> None:
    """Note ``connection``'s provider, so that this process's next refresh of it knows
    whether to mark first (see ``_mark_attempt``). No query."""
    if len(_providers_seen) >= PROVIDERS_SEEN_MAX:
        _providers_seen.clear()
    _providers_seen[connection.pk] = connection.provider


@announces_refresh
def refresh_connection(
    connection_id: int,
    *,
    force: bool = False,
    if_generation: int | None = None,
    actor=None,
    new_credentials: ClientCredentials | None = None,
) -> RefreshResult:
    """Refresh the connection's tokens once, single-flight (see the module docstring).

    Without ``force`` or ``if_generation`` (the sweep), it refreshes only when still due: the
    refresh token was last used more than KEEPALIVE_INTERVAL / 2 ago, or the last attempt
    failed, or the connection is misconfigured; otherwise another worker just did it and the
    call is skipped. ``if_generation``: refresh only if the stored tokens are still that
    generation (the caller saw that access token rejected or stale). ``force``: refresh
    anyway (an admin's "Refresh now"; also tries needs_reauthorization connections).
    ``actor`` (a User or None for the system) is recorded on the events.
    ``new_credentials`` (an unsaved ClientCredentials with the consumer key and secret to
    try): refresh with these instead of the stored ones, and save them with the new tokens if
    the provider accepts them; if it refuses them, nothing is saved or recorded (see
    ``result.refusal``). An object, so that no frame of an error report shows the secret.

    Success and failure are both committed before this returns; alert emails go out after
    the commit (connections.alerts). Never raises for provider errors: see the result.
    Raises RuntimeError inside another atomic block.
    Reference: https://www.rfc-editor.org/rfc/rfc6749#section-6, docs/salesforce-protocol.md
    """
    request = _Request(connection_id, force, if_generation, actor, new_credentials)
    attempt = None
    try:
        for _ in range(MARK_ATTEMPTS):
            attempt = _Attempt(started_at=timezone.now())
            _mark_attempt(connection_id, attempt)
            with transaction.atomic(durable=True):
                outcome = _refresh_locked(request, attempt)
            if outcome is not None:
                result, alerted_for = outcome
                break
        else:
            return _busy("Other refreshes of this connection kept running; will retry.")
    except token_writes.RETRIED as error:
        if attempt.grant is not None:
            # The provider answered and the write failed: the new tokens are only in memory.
            result, alerted_for = token_writes.write_again(
                partial(_store_again, request, attempt),
                f"connection {connection_id}",
                token_writes.consequence(attempt.provider),
            )
        elif attempt.posted or not isinstance(error, OperationalError):
            raise
        else:
            # SQLite raises "database is locked" at BEGIN IMMEDIATE after its busy timeout.
            logger.warning("Connection %s: database busy, refresh postponed", connection_id)
            return _busy("The database was busy; will retry.")
    if attempt.answered_at is not None:
        window = time.monotonic() - attempt.answered_at
        _commit_windows.append(window)
        logger.debug(
            "Connection %s: token response committed %.2f ms after it arrived",
            connection_id,
            window * 1000,
        )
    # A success that found no alert on record can't owe an email (the connection is
    # connected and just used): skip the check, two queries per refresh at scale.
    quiet_success = result.outcome == Outcome.REFRESHED and not alerted_for
    if result.outcome != Outcome.SKIPPED and not quiet_success:
        try:
            alerts.notify(connection_id)
        except Exception:  # the tokens are committed; the next sweep retries the alert
            logger.exception("Connection %s: alert check failed", connection_id)
    return result


def _busy(message: str) -> RefreshResult:
    return RefreshResult(Outcome.FAILED, message, ErrorKind.TRANSIENT, busy=True)


# The refresh's one read: the Connection, its TokenSet and its client credentials, the
# Connection and TokenSet rows locked (PostgreSQL locks them in this order). Precompiled
# (connections.rows): the ORM compiling this joined query was a quarter of a refresh's CPU.
_LOCKED_READ = rows.Select(
    (
        rows.Part(Connection, "c"),
        # The refresh replaces the access token: it isn't read (nor decrypted).
        rows.Part(TokenSet, "t", defer=["access_token"]),
        rows.Part(ClientCredentials, "k"),
    ),
    "FROM {c} AS c INNER JOIN {t} AS t ON t.connection_id = c.id"
    " LEFT OUTER JOIN {k} AS k ON k.connection_id = c.id WHERE c.id = %s",
    lock_of=("c", "t"),
)


def _lock(connection_id: int) -> tuple[Connection, TokenSet | None]:
    """Lock the Connection row and its TokenSet row in one query that also reads the client
    credentials; a connection without tokens is locked alone. Raises
    Connection.DoesNotExist, and OperationalError when the lock wasn't granted in time
    (PostgreSQL's lock_timeout, set at connect time)."""
    found = _LOCKED_READ.first([connection_id])
    if found is None:
        return Connection.objects.select_for_update().get(pk=connection_id), None
    connection, tokens, app = found
    rows.attach(connection, "tokens", tokens)
    rows.attach(connection, "client_credentials", app)
    return connection, tokens


def _is_due(connection: Connection, tokens: TokenSet, now: datetime) -> bool:
    if connection.status == Status.MISCONFIGURED or connection.consecutive_failures:
        return True
    recent = timedelta(seconds=settings.KEEPALIVE_INTERVAL / 2)
    return tokens.refresh_token_last_used_at <= now - recent


def _refresh_locked(request: _Request, attempt: _Attempt) -> tuple[RefreshResult, str] | None:
    """The result, and the connection's ``alerted_for`` as read under the lock; None when a
    sibling ran between our mark and our lock (mark again and retry)."""
    try:
        connection, tokens = _lock(request.connection_id)
    except Connection.DoesNotExist:
        return RefreshResult(Outcome.SKIPPED, "The connection no longer exists."), ""
    except OperationalError:
        # The row lock wasn't granted in time: nothing was read, nothing is committed.
        transaction.set_rollback(True)
        return _busy("Another refresh of this connection is taking long; will retry."), ""
    logs.bind(connection_code=str(connection.code))
    remember_provider(connection)
    provider = providers.for_connection(connection)
    result = _refresh_with(connection, tokens, provider, request, attempt)
    if result is None:
        return None
    if (
        tokens is not None
        and _own_mark(tokens, attempt)
        and not attempt.keep_mark
        and result.outcome != Outcome.REFRESHED
    ):
        # Nothing was sent, or the provider answered without rotating: our mark goes.
        TokenSet.objects.filter(pk=tokens.pk, refresh_started_at=attempt.started_at).update(
            refresh_attempt_generation=None, refresh_started_at=None
        )
    return result, connection.alerted_for


def _own_mark(tokens: TokenSet, attempt: _Attempt) -> bool:
    return (
        tokens.refresh_attempt_generation == tokens.generation
        and tokens.refresh_started_at == attempt.started_at
    )


def _refresh_with(
    connection: Connection,
    tokens: TokenSet | None,
    provider: Provider,
    request: _Request,
    attempt: _Attempt,
) -> RefreshResult | None:
    """Refresh under the lock; None when the attempt must mark again (see _refresh_locked)."""
    now = timezone.now()
    allowed = FORCE_REFRESHABLE if request.force else Connection.KEEPALIVE_STATUSES
    if connection.status not in allowed:
        return RefreshResult(
            Outcome.SKIPPED, f"Not refreshed: the connection is {connection.get_status_display()}."
        )
    if tokens is None:
        return RefreshResult(Outcome.SKIPPED, "Not refreshed: the connection has no tokens.")
    if request.if_generation is not None and tokens.generation != request.if_generation:
        message = "Another worker refreshed the tokens just now."
        return RefreshResult(Outcome.SKIPPED, message, None, tokens.generation)
    sweep = not request.force and request.if_generation is None
    if sweep and not _is_due(connection, tokens, now):
        # A sibling refreshed moments ago (or a redelivered task). Re-arm the schedule in
        # case the sweep's claim moved it.
        next_at = next_refresh_time(tokens.refresh_token_last_used_at)
        Connection.objects.filter(pk=connection.pk).update(next_refresh_at=next_at)
        return RefreshResult(
            Outcome.SKIPPED, "Refreshed recently; not due yet.", None, tokens.generation
        )
    app = getattr(connection, "client_credentials", None)  # None: no ClientCredentials row
    credentials = request.new_credentials or provider.client_credentials(app)
    if credentials is None:
        missing = Classification(ErrorKind.MISCONFIGURED, provider.credentials_missing)
        return _fail(connection, tokens, missing, "", request.actor)

    lost_in_flight = False
    if provider.policies.refresh_token_rotates:
        if tokens.refresh_attempt_generation != tokens.generation:
            # A sibling ran between our mark and our lock (it stored newer tokens, or removed
            # its mark that we found): never POST a refresh token without a committed mark.
            return None
        # A mark that isn't ours: an earlier attempt sent (or was about to send) this token
        # and its answer was never stored.
        lost_in_flight = not _own_mark(tokens, attempt)
    attempt.posted = True
    try:
        grant = provider.refresh(
            Target(connection.login_url, tokens.instance_url),
            credentials,
            tokens.refresh_token,
            settings.SALESFORCE_HTTP_TIMEOUT,
        )
    except OAuthError as error:  # the provider answered: nothing rotated
        classification = provider.classify(error, lost_in_flight, connection.organization_id)
        if request.new_credentials:  # refused: the caller explains; nothing changes
            return RefreshResult(
                Outcome.FAILED, str(error), classification.kind, tokens.generation, error
            )
        return _fail(
            connection, tokens, classification, str(error), request.actor, code=error.error
        )
    except ProviderError as error:
        # No answer (read timeout, dropped connection, 5xx): the provider may have rotated
        # the token. Unless the connection never opened: then nothing was sent.
        attempt.keep_mark = getattr(error, "sent", True)
        classification = provider.classify(error, lost_in_flight)
        return _fail(connection, tokens, classification, str(error), request.actor)
    attempt.answered_at = time.monotonic()
    attempt.grant, attempt.generation, attempt.now = grant, tokens.generation, now
    attempt.provider = provider
    _store_credentials(app, grant, request.new_credentials)
    return _store(connection, tokens, grant, now, request.actor)


def _store_again(request: _Request, attempt: _Attempt) -> tuple[RefreshResult, str]:
    """Write ``attempt``'s grant in a transaction of its own, after the one that received it
    rolled back (token_writes.write_again calls this)."""
    connection_id = request.connection_id
    with transaction.atomic(durable=True):
        try:
            connection, tokens = _lock(connection_id)
        except Connection.DoesNotExist:
            logger.error("Connection %s was deleted before its tokens were written", connection_id)
            return RefreshResult(Outcome.SKIPPED, "The connection no longer exists."), ""
        if tokens is not None and tokens.generation == attempt.generation:
            _store_credentials(
                connection.client_credentials, attempt.grant, request.new_credentials
            )
            result = _store(connection, tokens, attempt.grant, attempt.now, request.actor)
        elif tokens is not None and tokens.access_token == attempt.grant.access_token:
            # The first commit went through; only its acknowledgement was lost.
            result = RefreshResult(Outcome.REFRESHED, "Token refreshed.", None, tokens.generation)
        else:
            logger.error(
                "Connection %s: newer tokens were stored before this refresh's could be",
                connection_id,
            )
            result = RefreshResult(
                Outcome.SKIPPED, "Another refresh stored newer tokens; using them."
            )
    return result, connection.alerted_for


def _store_credentials(
    app: ClientCredentials, grant: Grant, tried: ClientCredentials | None
) -> None:
    """Save the ``tried`` credentials on ``app`` when the grant has no problem (Salesforce:
    it is signed with the new secret); caller's transaction, with the tokens."""
    if tried and grant.problem is None:
        app.consumer_key, app.consumer_secret = tried.consumer_key, tried.consumer_secret
        app.save(update_fields=["consumer_key", "consumer_secret", "updated"])


def _store(connection, tokens, grant: Grant, now, actor) -> RefreshResult:
    """Commit the grant (caller's transaction, rows locked). A grant with a ``problem`` (a
    signature that doesn't match the stored consumer secret) is stored all the same (the
    presented refresh token may be dead already), and the connection becomes misconfigured
    until that is fixed; the hourly retry then recovers it without a new sign-in."""
    old_instance_url = tokens.instance_url
    rotated = token_fields.apply(tokens, grant, now, refreshed=True)
    # The new generation retires this attempt's mark (refresh_attempt_generation is older).
    _WRITE_TOKENS.run(tokens)

    previous_status = connection.status
    connection.instance_url = tokens.instance_url
    problem = grant.problem
    if problem is None:
        token_fields.mark_refreshed(connection, now)
    else:
        token_fields.mark_failed(connection, problem, problem.reason, now)
    _WRITE_SCHEDULE.run(connection)
    details = ["refresh token rotated" if rotated else "refresh token kept"]
    if tokens.instance_url != old_instance_url:
        details.append(f"instance URL is now {tokens.instance_url}")
    summary = f"generation {tokens.generation}; {', '.join(details)}"
    if problem is None:
        message = f"Token refreshed ({summary})."
    else:
        message = (
            f"Token refreshed and saved ({summary}), but the response's signature doesn't "
            "match the stored consumer secret."
        )
    if tokens.instance_url != old_instance_url:
        connection.record(
            Kind.REFRESHED,
            message,
            actor,
            type=Type.CONNECTION_INSTANCE_URL_CHANGED,
            instance_url_before=old_instance_url,
            instance_url_after=tokens.instance_url,
            **status_change(previous_status, connection.status),
        )
    else:
        connection.record(Kind.REFRESHED, message, actor)
    if previous_status != connection.status:
        if problem is None:
            reason = "refresh succeeded."
            change = (Type.CONNECTION_RECOVERED, status_change(previous_status, connection.status))
        else:
            reason = problem.reason
            change = (
                Type.CONNECTION_MISCONFIGURED,
                status_change(previous_status, connection.status, problem),
            )
        connection.record(
            Kind.STATUS_CHANGED,
            f"{Status(previous_status).label} → {Status(connection.status).label}: {reason}",
            actor,
            type=change[0],
            **change[1],
        )
    if problem is not None:
        logger.warning("Connection %s: %s", connection.pk, message)
        return RefreshResult(
            Outcome.FAILED, f"Misconfigured: {problem.reason}", problem.kind, tokens.generation
        )
    logger.info("Connection %s: %s", connection.pk, message)
    return RefreshResult(Outcome.REFRESHED, message, None, tokens.generation)


def _tokens_changed(tokens: TokenSet) -> bool:
    current = TokenSet.objects.filter(connection_id=tokens.connection_id).first()
    return (
        current is None
        or current.pk != tokens.pk
        or current.generation != tokens.generation
        or current.refresh_token != tokens.refresh_token
    )


def _fail(
    connection, tokens, classification: Classification, error_text, actor, code: str = ""
) -> RefreshResult:
    """Record a failed refresh, unless the tokens changed since we read them (a lost race:
    someone stored newer tokens, so this failure says nothing about them)."""
    if _tokens_changed(tokens):
        logger.info("Connection %s: refresh failed after newer tokens were stored", connection.pk)
        return RefreshResult(Outcome.SKIPPED, "Another refresh stored newer tokens; using them.")

    classification = approvals.explain_revocation(connection, classification)
    now = timezone.now()
    kind = classification.kind
    plain = classification.reason  # plain words, then the provider's own
    if error_text and error_text not in plain:
        plain += f" ({providers.for_connection(connection).label}: {error_text})"
    fields = token_fields.failure_fields(connection, classification, plain, now)
    new_status = fields.get("status", connection.status)
    fields["updated"] = now
    # Conditional on the tokens we read, so a failure never overwrites a newer success.
    updated = Connection.objects.filter(
        pk=connection.pk, tokens__pk=tokens.pk, tokens__generation=tokens.generation
    ).update(**fields)
    if updated != 1:
        return RefreshResult(Outcome.SKIPPED, "Another refresh stored newer tokens; using them.")

    message = f"{RESULT_LABELS[kind]}: {plain}"
    data = status_change(connection.status, new_status, classification, code)
    connection.record(Kind.REFRESH_FAILED, message, actor, **data)
    if new_status != connection.status:
        changed_to = {
            Status.MISCONFIGURED: Type.CONNECTION_MISCONFIGURED,
            Status.NEEDS_REAUTHORIZATION: Type.CONNECTION_NEEDS_REAUTHORIZATION,
        }[new_status]
        connection.record(
            Kind.STATUS_CHANGED,
            f"{Status(connection.status).label} → {Status(new_status).label}: "
            f"{classification.reason}",
            actor,
            type=changed_to,
            **data,
        )
    elif _became_degraded(connection, now):
        connection.record(
            Kind.STATUS_CHANGED,
            f"Degraded: refreshes have failed for more than "
            f"{Connection.DEGRADED_AFTER.total_seconds() / 3600:.0f} hours.",
            actor,
            type=Type.CONNECTION_DEGRADED,
            **data,
        )
    log = logger.info if kind == ErrorKind.TRANSIENT else logger.warning
    log("Connection %s: refresh failed (%s): %s", connection.pk, kind, plain)
    return RefreshResult(Outcome.FAILED, message, kind, tokens.generation, lost=classification.lost)


def _became_degraded(connection: Connection, now: datetime) -> bool:
    """This failure (at ``now``) made a connected connection degraded: the one before it
    (``last_error_at``, as read before this failure) didn't."""
    if connection.status != Status.CONNECTED or connection.failing_since is None:
        return False
    before = connection.last_error_at or connection.failing_since
    return connection.is_degraded_at(now) and not connection.is_degraded_at(before)


# --- Access tokens and API calls --------------------------------------------------------


def _connected_tokens(connection: Connection) -> TokenSet:
    tokens = TokenSet.objects.select_related("connection").filter(connection=connection).first()
    if tokens is None:
        raise NotConnected(_no_tokens(connection))
    if tokens.connection.status != Status.CONNECTED:
        raise NotConnected(
            f"{connection} is not connected ({tokens.connection.get_status_display()})."
        )
    return tokens


def _no_tokens(connection: Connection) -> str:
    label = providers.for_connection(connection).label
    return f"{connection} has no {label} tokens; sign in to {label} first."


def _misconfigured_tokens(connection: Connection) -> TokenSet:
    tokens = TokenSet.objects.select_related("connection").filter(connection=connection).first()
    if tokens is None:
        raise NotConnected(_no_tokens(connection))
    return tokens


def access_token_expires_at(tokens: TokenSet) -> datetime:
    """When the access token expires (UTC): as the token response said (``expires_in``),
    or, for a provider whose responses don't say (Salesforce), estimated as its
    ``Policies.access_token_lifetime`` (default ACCESS_TOKEN_LIFETIME) seconds from the older
    of the provider's ``issued_at`` and our own write time, so a skewed provider clock can't
    keep a token "fresh" forever. ``tokens.connection`` should be loaded with it."""
    if tokens.expires_at is not None:
        return tokens.expires_at
    lifetime = providers.for_connection(tokens.connection).policies.access_token_lifetime
    born = min(tokens.issued_at, tokens.updated)
    return born + timedelta(seconds=lifetime or settings.ACCESS_TOKEN_LIFETIME)


def _is_stale(tokens: TokenSet, now: datetime) -> bool:
    return now >= access_token_expires_at(tokens)


def _access_token(
    connection: Connection, *, force_refresh: bool, rejected_generation: int | None = None
) -> tuple[str, str, int]:
    tokens = _connected_tokens(connection)
    if rejected_generation is not None and tokens.generation != rejected_generation:
        return tokens.access_token, tokens.instance_url, tokens.generation  # already replaced
    if not (force_refresh or rejected_generation is not None or _is_stale(tokens, timezone.now())):
        return tokens.access_token, tokens.instance_url, tokens.generation
    forced = force_refresh or rejected_generation is not None
    remember_provider(connection)
    result = refresh_connection(connection.pk, if_generation=tokens.generation)
    if result.outcome == Outcome.FAILED:
        if result.retry and not forced:
            # Only stale by our estimate: the provider may still accept it.
            return tokens.access_token, tokens.instance_url, tokens.generation
        raise RefreshFailed(result)
    tokens = _connected_tokens(connection)
    return tokens.access_token, tokens.instance_url, tokens.generation


def get_access_token(connection: Connection, force_refresh: bool = False) -> tuple[str, str]:
    """The connection's access token and instance URL, refreshed first (single-flight, via
    ``refresh_connection``) when older than ACCESS_TOKEN_LIFETIME seconds or when forced.

    A stale token whose refresh fails transiently is still returned (Salesforce's session
    timeout is idle-based, so it may well work). Raises NotConnected (no tokens / not
    connected) or RefreshFailed (a forced refresh failed, or a non-transient failure).
    Never call inside ``transaction.atomic()``.
    """
    access_token, instance_url, _ = _access_token(connection, force_refresh=force_refresh)
    return access_token, instance_url


# A force_refresh this soon after the last new token, or a report that a token this young was
# refused, returns that token instead, so a caller in a loop can't burn through Salesforce's
# token limits.
FORCE_REFRESH_COOLDOWN = timedelta(seconds=30)


@dataclass(frozen=True)
class IssuedToken:
    """An access token handed to the HTTP API. ``generation`` is the TokenSet generation
    (the API's ``token_version``); ``refreshed``: this call obtained it from Salesforce."""

    access_token: str
    instance_url: str
    issued_at: datetime
    expires_at: datetime
    generation: int
    refreshed: bool

    def __repr__(self) -> str:  # never the token
        return f"<IssuedToken generation={self.generation} refreshed={self.refreshed}>"


def _issued(tokens: TokenSet, refreshed: bool) -> IssuedToken:
    return IssuedToken(
        access_token=tokens.access_token,
        instance_url=tokens.instance_url,
        issued_at=tokens.issued_at,
        expires_at=access_token_expires_at(tokens),
        generation=tokens.generation,
        refreshed=refreshed,
    )


@contextmanager
def _lock_waits_bounded(seconds: float):
    """Bound each wait for a database lock in the block to ``seconds`` (PostgreSQL's
    lock_timeout, SQLite's busy timeout), then restore the connection's own bound. For the
    HTTP API, whose callers wait at most SALESFORCE_HTTP_TIMEOUT for a sibling's refresh
    (the README's "Use a connection from your software"); the keep-alive keeps the longer
    connect-time bound.
    Reference: https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT,
    https://www.sqlite.org/pragma.html#pragma_busy_timeout
    """
    milliseconds = max(1, int(seconds * 1000))
    with database.cursor() as cursor:
        if database.vendor == "postgresql":
            cursor.execute("SHOW lock_timeout")
            restore = ("SELECT set_config('lock_timeout', %s, false)", [cursor.fetchone()[0]])
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{milliseconds}ms"])
        elif database.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout")
            restore = (f"PRAGMA busy_timeout = {int(cursor.fetchone()[0])}", None)
            cursor.execute(f"PRAGMA busy_timeout = {milliseconds}")
        else:
            restore = None
    try:
        yield
    finally:
        if restore is not None:
            try:
                with database.cursor() as cursor:
                    cursor.execute(*restore)
            except DatabaseError:  # a broken connection is replaced, with the default bound
                logger.warning("Could not restore the database lock wait", exc_info=True)


def issue_access_token(
    connection: Connection,
    *,
    min_ttl: int = 0,
    force_refresh: bool = False,
    rejected_generation: int | None = None,
    tokens: TokenSet | None = None,
) -> IssuedToken:
    """The connection's access token for the HTTP API, refreshed first (single-flight,
    through ``refresh_connection(if_generation=...)``) when:

    - it would live less than ``min_ttl`` more seconds (by the ACCESS_TOKEN_LIFETIME estimate);
    - ``force_refresh``, unless the last new token is younger than FORCE_REFRESH_COOLDOWN;
      also on a misconfigured connection (its refresh token is fine), unless its last new
      token or failed refresh is younger than that: success makes it connected again;
    - ``rejected_generation`` is still the current generation (Salesforce refused that token),
      unless that token was minted less than FORCE_REFRESH_COOLDOWN ago: then it comes back
      with ``refreshed`` False. A newer generation is returned at once instead.

    Concurrent callers that need the same refresh cause one token request: the others wait
    on the row lock (each wait bounded by SALESFORCE_HTTP_TIMEOUT) and get the new token with
    ``refreshed`` False. Raises NotConnected (no tokens, or not
    connected) and RefreshFailed (``result.busy`` when the wait ran out). Never call inside
    ``transaction.atomic()``. ``tokens``: the connection's TokenSet, read together with
    ``connection`` by the caller (saves a query); otherwise it is read here.
    """
    # A misconfigured connection's refresh token still works: a forced refresh may find the
    # setup fixed (an allowlist corrected, say) before the keep-alive's next retry.
    recovering = force_refresh and connection.status == Status.MISCONFIGURED
    if recovering:
        tokens = _misconfigured_tokens(connection)
    elif tokens is None or connection.status != Status.CONNECTED:
        tokens = _connected_tokens(connection)
    now = timezone.now()
    if rejected_generation is not None:
        # A token refused right after it was minted (a session policy that blocks the API,
        # say) won't be fixed by another refresh: a caller reporting it in a loop would
        # otherwise refresh on every call.
        minted_at = min(tokens.issued_at, tokens.updated)
        wanted = (
            tokens.generation == rejected_generation and now - minted_at >= FORCE_REFRESH_COOLDOWN
        )
    elif force_refresh:
        last = tokens.updated
        if recovering and connection.last_error_at:
            last = max(last, connection.last_error_at)
        wanted = now - last >= FORCE_REFRESH_COOLDOWN
    else:
        wanted = access_token_expires_at(tokens) - now < timedelta(seconds=min_ttl)
    if not wanted:
        if recovering:
            raise NotConnected(f"{connection} is misconfigured; it was tried moments ago.")
        return _issued(tokens, refreshed=False)
    remember_provider(connection)
    with _lock_waits_bounded(settings.SALESFORCE_HTTP_TIMEOUT):
        result = refresh_connection(connection.pk, if_generation=tokens.generation)
    if result.outcome == Outcome.FAILED:
        raise RefreshFailed(result)
    return _issued(_connected_tokens(connection), result.outcome == Outcome.REFRESHED)


def call_api(connection: Connection, call):
    """Run ``call(instance_url, access_token)`` with a current token and return its result.

    On ``SessionExpired`` (an API's 401) it refreshes once (unless a sibling already
    replaced the rejected token) and retries once at the fresh token's instance URL; a
    second SessionExpired is raised (``SessionPolicyBlocked`` when the app's session policy
    refuses API use: no further refresh can help, the refresh token is fine). Also raises
    NotConnected and RefreshFailed (see ``get_access_token``) and whatever ``call`` raises.
    Reference: https://www.rfc-editor.org/rfc/rfc6750#section-3.1 (invalid_token)
    """
    access_token, instance_url, generation = _access_token(connection, force_refresh=False)
    try:
        return call(instance_url, access_token)
    except SessionExpired:
        logger.info("Connection %s: session expired, refreshing once", connection.pk)
    access_token, instance_url, _ = _access_token(
        connection, force_refresh=False, rejected_generation=generation
    )
    return call(instance_url, access_token)


# --- The sweep ---------------------------------------------------------------------------


def due_connections(now: datetime | None = None):
    """Connections the keep-alive should refresh now (uses the partial index
    ``connections_due_refresh``)."""
    return Connection.objects.filter(
        status__in=Connection.KEEPALIVE_STATUSES, next_refresh_at__lte=now or timezone.now()
    )


def claim_due_connections(now: datetime | None = None, limit: int | None = None) -> list[int]:
    """IDs of due connections, claimed by moving their ``next_refresh_at`` forward by
    KEEPALIVE_RETRY_AFTER seconds so the next sweeps don't enqueue them again while their
    task runs (a lost task is picked up again after that). PostgreSQL skips rows a running
    refresh has locked. One SELECT and one UPDATE (per UPDATE_CHUNK IDs); at most
    KEEPALIVE_SWEEP_BATCH IDs per call."""
    now = now or timezone.now()
    limit = limit or settings.KEEPALIVE_SWEEP_BATCH
    claim_until = now + timedelta(seconds=settings.KEEPALIVE_RETRY_AFTER)
    with transaction.atomic():
        ids = list(
            due_connections(now)
            .order_by("next_refresh_at")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        for start in range(0, len(ids), UPDATE_CHUNK):
            chunk = ids[start : start + UPDATE_CHUNK]
            Connection.objects.filter(id__in=chunk).update(next_refresh_at=claim_until)
    return ids
