"""A team's connections: the organization, its app's client credentials, the current token
set, OAuth flows in progress, and the audit trail. State and state transitions only: the
HTTP calls are the provider's (connections.providers), made by connections.oauth and
connections.keepalive."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from events.models import Event, actor_fields

from . import providers
from .encryption import encrypt

SIGN_IN_EXPIRED = (
    "The sign-in to {label} expired: it wasn't finished within 10 minutes. Start again."
)


def status_change(before: str, after: str, classification=None, code: str = "") -> dict:
    """The ``data`` of a connection event: the status before and after, and the error's
    classification (``kind``, the provider's error ``code``, ``reason`` and the ``setup_step``
    that fixes it) or None."""
    error = None
    if classification is not None:
        error = {
            "kind": str(classification.kind),
            "code": code or None,
            "reason": classification.reason,
            "setup_step": classification.step,
        }
    return {
        "status_before": str(before) if before else None,
        "status_after": str(after) if after else None,
        "error": error,
    }


class ConnectionQuerySet(models.QuerySet):
    def for_team(self, team: Team) -> "ConnectionQuerySet":
        return self.filter(team=team)

    def for_user(self, user) -> "ConnectionQuerySet":
        """Connections of every team ``user`` belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(team__memberships__user=user)


class Connection(models.Model):
    """One organization (a Salesforce org, say) connected through its own app registration
    at its ``provider``."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING_AUTHORIZATION = "pending_authorization", "Waiting for sign-in"
        CONNECTED = "connected", "Connected"
        NEEDS_REAUTHORIZATION = "needs_reauthorization", "Needs re-authorization"
        MISCONFIGURED = "misconfigured", "Misconfigured"
        DISCONNECTED = "disconnected", "Disconnected"

    # Statuses the keep-alive sweep refreshes (misconfigured is retried slowly).
    KEEPALIVE_STATUSES = (Status.CONNECTED, Status.MISCONFIGURED)
    # A connected connection whose refreshes have failed (transiently) this long is degraded.
    DEGRADED_AFTER = timedelta(hours=24)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="connections")
    name = models.CharField(max_length=100)
    # Callable choices: a new provider needs no migration.
    provider = models.CharField(max_length=40, choices=providers.choices, default="salesforce")
    # Which of the provider's environments (Salesforce: production, sandbox, my_domain); empty
    # means the provider's default. The provider turns it into the login URL.
    environment = models.CharField(max_length=40, blank=True)
    my_domain_url = models.URLField("My Domain URL", blank=True)
    login_url = models.URLField("login URL", help_text="Used for authorize, token and revoke.")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.TextField(blank=True)

    # The org identity learned at authorization.
    # Up to 64 characters: a Salesforce org ID has 18, an Entra tenant or environment ID 36.
    organization_id = models.CharField("org ID", max_length=64, blank=True, db_index=True)
    user_id = models.CharField("user ID", max_length=64, blank=True)
    username = models.CharField(max_length=255, blank=True)
    # Salesforce's values are stored as sent: no length limit may fail a token write.
    instance_url = models.URLField("instance URL", max_length=2000, blank=True)
    identity_url = models.URLField("identity URL", max_length=2000, blank=True)

    # Keep-alive bookkeeping (connections.keepalive).
    next_refresh_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    alerted_for = models.CharField(
        max_length=30, blank=True, help_text="The problem the team was last emailed about."
    )
    # A first sign-in returned an org user and External Client App that this connection of
    # the team holds already: the tokens are kept here, unused, until an admin moves them to
    # that connection (re-authorizing it) or keeps both (connections.duplicates).
    duplicate_of = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The generation of the last TokenSet deleted (at disconnect): the next sign-in's tokens
    # continue from it, so the history never shows one generation twice.
    last_token_generation = models.PositiveIntegerField(default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Step 1's one-time form value: a second POST of the same form (a double click, a
    # reload) finds this draft instead of creating another.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["next_refresh_at"],
                condition=Q(status__in=["connected", "misconfigured"]),
                name="connections_due_refresh",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        provider = providers.for_connection(self)
        self.environment = self.environment or provider.default_environment
        self.login_url = provider.login_url(self.environment, self.my_domain_url)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("connections:detail", args=[self.team.slug, self.code])

    def get_environment_display(self) -> str:
        """The environment's label ("Production")."""
        return providers.for_connection(self).environment_label(self.environment)

    @property
    def has_credentials(self) -> bool:
        return ClientCredentials.objects.filter(connection=self).exists()

    def set_credentials(self, consumer_key: str, consumer_secret: str = "") -> None:
        """Create or update the connection's client credentials (an empty secret keeps the
        stored one)."""
        app = ClientCredentials.objects.filter(connection=self).first()
        app = app or ClientCredentials(connection=self)
        app.consumer_key = consumer_key
        if consumer_secret:
            app.consumer_secret = consumer_secret
        app.save()

    def check_login_url(self) -> None:
        """Raise ValidationError when the login URL isn't one step 1 accepts (saved before
        the admin checked it, or http:// since ALLOW_INSECURE_LOGIN_HOSTS went off)."""
        providers.for_connection(self).check_login_url(self.environment, self.my_domain_url)

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED

    @property
    def is_unfinished(self) -> bool:
        """Set up but never connected: a draft, or waiting for its first sign-in."""
        unfinished = (self.Status.DRAFT, self.Status.PENDING_AUTHORIZATION)
        return self.status in unfinished and not self.organization_id

    @property
    def awaits_choice(self) -> bool:
        """Signed in, holding tokens, but waiting for an admin to choose between
        re-authorizing the connection it duplicates and keeping both."""
        return self.status == self.Status.PENDING_AUTHORIZATION and self.has_tokens

    @property
    def refresh_token_alive(self) -> bool:
        """The status says Salesforce still accepts the refresh token (the keep-alive uses
        it); after needs_reauthorization or disconnect only a new sign-in gives one."""
        return self.status in self.KEEPALIVE_STATUSES

    def is_degraded_at(self, now: datetime) -> bool:
        """Connected, but refreshes have failed transiently for more than DEGRADED_AFTER."""
        return (
            self.is_connected
            and self.failing_since is not None
            and now - self.failing_since > self.DEGRADED_AFTER
        )

    @property
    def is_degraded(self) -> bool:
        return self.is_degraded_at(timezone.now())

    def record(self, kind: str, message: str, actor=None, *, type: str = "", **data) -> Event:
        """Add an event to the connection's history (and the team's activity log).
        ``actor``: a User, an APIKey or None (the system). ``type``: the public event type,
        empty for a history-only entry. ``data`` (see ``status_change``) and ``message``
        must never contain a secret value."""
        event = self.event(kind, message, actor, type=type, **data)
        event.save()
        return event

    def event(self, kind: str, message: str, actor=None, *, type: str = "", **data) -> Event:
        """An unsaved event of this connection, as ``record`` makes it (for ``bulk_create``
        of events that webhooks should fan out together, in order)."""
        return Event(
            team_id=self.team_id,
            connection=self,
            kind=kind,
            message=message,
            type=type,
            data=data,
            **actor_fields(actor),
        )

    @property
    def has_tokens(self) -> bool:
        return TokenSet.objects.filter(connection=self).exists()

    @property
    def can_be_deleted(self) -> bool:
        """Only connections holding no tokens: drafts, unfinished sign-ins, disconnected."""
        deletable = (self.Status.DRAFT, self.Status.PENDING_AUTHORIZATION, self.Status.DISCONNECTED)
        return self.status in deletable and not self.has_tokens

    def delete_recorded(self, actor) -> None:
        """Delete the connection, keeping its history: the events outlive it, and a
        ``connection.deleted`` event says who deleted it (same transaction)."""
        with transaction.atomic():
            self.record(
                ConnectionEvent.Kind.DELETED,
                "Deleted.",
                actor,
                type=Event.Type.CONNECTION_DELETED,
                **status_change(self.status, ""),
            )
            self.delete()

    def _status_before_sign_in(self) -> str:
        return self.Status.DISCONNECTED if self.organization_id else self.Status.DRAFT

    def abandon_authorization(self) -> None:
        """After a failed sign-in, a connection waiting for it goes back to draft, or to
        disconnected if it was connected before."""
        previous = self._status_before_sign_in()
        updated = Connection.objects.filter(
            pk=self.pk, status=self.Status.PENDING_AUTHORIZATION
        ).update(status=previous, updated=timezone.now())
        if updated:
            self.status = previous

    @classmethod
    def end_expired_sign_ins(cls, pks: Iterable[int], actor=None) -> int:
        """Connections among ``pks`` that wait for a sign-in no flow can finish any more (all
        expired, none claimed within the last 4 HTTP timeouts + 10 s) go back to their
        previous status, as after a failed sign-in, with an event saying why; connections
        with a live flow, or no longer waiting, are left alone. Under the rows' lock, which
        oauth.start takes too. Returns how many."""
        now = timezone.now()
        with transaction.atomic():
            waiting = list(
                cls.objects.select_for_update()
                .filter(pk__in=pks, status=cls.Status.PENDING_AUTHORIZATION)
                # Holding tokens: not waiting for a sign-in but for a choice (duplicate_of).
                .exclude(pk__in=TokenSet.objects.values("connection_id"))
                .order_by("pk")
                .only("pk", "organization_id", "team", "code", "name", "provider")
            )
            if not waiting:
                return 0
            # A flow claimed moments ago may still be exchanging its code (up to a few HTTP
            # timeouts), even if it has expired since: that sign-in isn't over either.
            exchanging = now - timedelta(seconds=4 * settings.SALESFORCE_HTTP_TIMEOUT + 10)
            alive = set(
                AuthorizationRequest.objects.filter(
                    models.Q(expires_at__gt=now) | models.Q(used_at__gt=exchanging),
                    connection__in=waiting,
                ).values_list("connection_id", flat=True)
            )
            ended = [connection for connection in waiting if connection.pk not in alive]
            by_status = defaultdict(list)
            for connection in ended:
                by_status[connection._status_before_sign_in()].append(connection.pk)
            for status, ids in by_status.items():
                cls.objects.filter(pk__in=ids).update(status=status, updated=now)
            ConnectionEvent.objects.bulk_create(
                ConnectionEvent(
                    connection=connection,
                    kind=ConnectionEvent.Kind.AUTHORIZATION_FAILED,
                    message=SIGN_IN_EXPIRED.format(
                        label=providers.for_connection(connection).label
                    ),
                    data=status_change(
                        cls.Status.PENDING_AUTHORIZATION, connection._status_before_sign_in()
                    ),
                    **actor_fields(actor),
                )
                for connection in ended
            )
        return len(ended)


class ClientCredentials(models.Model):
    """The OAuth client of a connection's app registration (one per connection): its client
    ID (Salesforce: the External Client App's consumer key) and client secret (the consumer
    secret). The secret is encrypted at rest and never rendered back."""

    connection = models.OneToOneField(Connection, models.CASCADE, related_name="client_credentials")
    consumer_key = models.CharField("consumer key", max_length=255)
    consumer_secret = encrypt(models.TextField("consumer secret"))
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "client credentials"

    def __str__(self) -> str:
        return f"Client credentials of {self.connection}"


class TokenSet(models.Model):
    """The current tokens of a connection, encrypted at rest.

    ``generation`` grows by one with every stored token response, so a writer can tell
    whether the row changed since it read it."""

    connection = models.OneToOneField(Connection, models.CASCADE, related_name="tokens")
    access_token = encrypt(models.TextField())
    refresh_token = encrypt(models.TextField())
    # Salesforce's values are stored as sent: no length limit may fail a token write.
    instance_url = models.URLField("instance URL", max_length=2000)
    scope = models.TextField(blank=True)
    issued_at = models.DateTimeField(help_text="When the provider issued the tokens (UTC).")
    # From the token response's expires_in; null when the provider doesn't say (Salesforce).
    expires_at = models.DateTimeField("access token expires at", null=True, blank=True)
    signature_verified = models.BooleanField(default=False)
    # What else a provider keeps with the tokens (never a secret: this is not encrypted).
    provider_data = models.JSONField(default=dict, blank=True)
    refresh_token_last_used_at = models.DateTimeField(
        help_text="The idle TTL of the refresh token counts from here."
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    generation = models.PositiveIntegerField(default=1)
    # Committed before a refresh POSTs this row's refresh token (connections.keepalive):
    # equal to ``generation`` while that attempt's answer isn't stored, so a later refresh
    # can tell that a token Salesforce calls expired was rotated by a lost answer.
    refresh_attempt_generation = models.PositiveIntegerField(null=True, blank=True)
    refresh_started_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Tokens of {self.connection} (generation {self.generation})"

    def __repr__(self) -> str:
        return f"<TokenSet connection={self.connection_id} generation={self.generation}>"

    @property
    def refresh_token_expires_at(self):
        """When the refresh token dies if unused (last use + the provider's idle TTL, by
        default REFRESH_TOKEN_IDLE_TTL seconds), UTC."""
        ttl = providers.idle_ttl(providers.for_connection(self.connection))
        return self.refresh_token_last_used_at + timedelta(seconds=ttl)


class AuthorizationRequest(models.Model):
    """One started OAuth web server flow. ``state`` and the PKCE ``code_verifier`` live here,
    server-side, so two tabs or a lost session cookie can't mix flows (RFC 6749 §10.12,
    RFC 7636 §4.1)."""

    LIFETIME = timedelta(minutes=10)
    NO_SECRETS = {"code_verifier": None, "consumer_secret": None}
    # Kept this long after expiry, so a late callback still reads "expired", not "unknown".
    KEPT_AFTER_EXPIRY = timedelta(days=1)

    state = models.CharField(max_length=64, unique=True)
    # The secrets (this and consumer_secret) are NULL once the flow is used or has expired:
    # the code exchange reads them from memory (``claim``), nothing later needs them.
    code_verifier = encrypt(models.CharField(max_length=128, blank=True, null=True))
    redirect_uri = models.URLField(max_length=500)
    connection = models.ForeignKey(
        Connection, models.CASCADE, related_name="authorization_requests"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    # Submitted with this sign-in and copied onto the ClientCredentials only when it succeeds,
    # so a mistyped secret can't break a working connection. Empty: use the stored one. The
    # secret is nullable only so that flows started before this field existed read as empty.
    consumer_key = models.CharField("consumer key", max_length=255, blank=True)
    consumer_secret = encrypt(models.TextField("consumer secret", blank=True, null=True))
    # Connect's one-time form value: a second POST of the same form (a double click) is
    # sent to this flow's authorize URL instead of starting another flow.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sign-in for {self.connection} started {self.created:%Y-%m-%d %H:%M}"

    def __repr__(self) -> str:
        return f"<AuthorizationRequest pk={self.pk} connection={self.connection_id}>"

    def save(self, *args, **kwargs):
        if self.expires_at is None:
            self.expires_at = timezone.now() + self.LIFETIME
        super().save(*args, **kwargs)

    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @classmethod
    def clear_expired(cls, batch_size: int = 500, max_batches: int = 10) -> int:
        """Delete flows (used or not) that expired more than KEPT_AFTER_EXPIRY ago, in
        batches of ``batch_size`` and at most ``max_batches`` of them, so a call stays cheap;
        returns how many were deleted. A connection still waiting for one of them, nobody
        having come back to the callback, is put back (Connection.end_expired_sign_ins).
        First, every expired flow forgets its secrets (``forget_expired_secrets``).
        Source: django-oauth-toolkit's ``clear_expired()``, https://github.com/jazzband/django-oauth-toolkit/blob/master/oauth2_provider/models.py."""
        cls.forget_expired_secrets()
        cutoff = timezone.now() - cls.KEPT_AFTER_EXPIRY
        deleted = 0
        for _ in range(max_batches):
            rows = list(
                cls.objects.filter(expires_at__lt=cutoff).values_list(
                    "pk", "connection_id", "connection__status"
                )[:batch_size]
            )
            # Before the delete, so that a failure leaves the flows to find them by next time.
            waiting = {row[1] for row in rows if row[2] == Connection.Status.PENDING_AUTHORIZATION}
            if waiting:
                Connection.end_expired_sign_ins(waiting)
            if rows:
                deleted += cls.objects.filter(pk__in=[row[0] for row in rows]).delete()[0]
            if len(rows) < batch_size:
                break
        return deleted

    @classmethod
    def forget_expired_secrets(cls, connection_ids: Iterable[int] | None = None) -> int:
        """Remove the code verifier and submitted consumer secret of flows that have expired
        (of these connections, or all); an expired flow can't be used. Returns how many flows
        still had them."""
        flows = cls.objects.filter(expires_at__lte=timezone.now(), code_verifier__isnull=False)
        if connection_ids is not None:
            flows = flows.filter(connection__in=connection_ids)
        return flows.update(**cls.NO_SECRETS)

    def credentials(self) -> tuple[str, str]:
        """The consumer key and secret to use: those submitted with this flow, else the
        External Client App's."""
        app = ClientCredentials.objects.filter(connection_id=self.connection_id).first()
        key = self.consumer_key or (app.consumer_key if app else "")
        secret = self.consumer_secret or (app.consumer_secret if app else "")
        return key, secret

    def claim(self) -> bool:
        """Mark the flow used and remove its secrets from the database; this object keeps them
        for the code exchange. True for exactly one caller, so a replayed or double-clicked
        callback can't exchange the code twice (conditional UPDATE)."""
        now = timezone.now()
        claimed = (
            AuthorizationRequest.objects.filter(pk=self.pk, used_at__isnull=True).update(
                used_at=now, **self.NO_SECRETS
            )
            == 1
        )
        if claimed:
            self.used_at = now
        return claimed


# The connection history is the team's event stream (events.Event); the old name stays so
# that ``ConnectionEvent.Kind`` and ``connection.events`` keep working.
ConnectionEvent = Event
