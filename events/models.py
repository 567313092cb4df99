"""The team's one stream of events: a connection's history, the activity log, webhooks and
the API's events feed all read this table.

An event is written in the same database transaction as the change it describes, so the
table is a transactional outbox: an event that was never committed is never delivered, and
a committed one waits here (``dispatched_at`` empty) until the webhooks fan it out.

``type`` is the stable, documented event type (``connection.needs_reauthorization``); it is
empty for history-only entries (a routine refresh, a test, an alert email), which the pages
show but webhooks and the feed leave out. ``kind`` is the history label the pages show.
``data`` never holds a secret.

This module imports no other app's models (string references only), so ``accounts``,
``connections`` and ``api`` can all record events.
"""

import uuid

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

# The version of every type's ``data`` shape; a breaking change gets a new version.
VERSION = 1

# Sent after the commit of events with a public type, with ``event_ids`` (webhooks fan them
# out). An event whose signal is lost is still found by the webhooks' sweep (dispatched_at).
published = Signal()


def _publish_on_commit(events) -> None:
    ids = [event.pk for event in events if event.type]
    if ids:
        transaction.on_commit(lambda: published.send(sender=Event, event_ids=ids), robust=True)


class EventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for event in objs:
            event.fill_from_connection()
        created = super().bulk_create(objs, *args, **kwargs)
        _publish_on_commit(created)
        return created

    def published(self) -> "EventQuerySet":
        """Events with a public type (what webhooks and the events feed carry)."""
        return self.exclude(type="")


class Event(models.Model):
    """Something that happened in a team: to one of its connections, or to the team."""

    class Type(models.TextChoices):
        CONNECTION_CREATED = "connection.created"
        CONNECTION_CONNECTED = "connection.connected"
        CONNECTION_REAUTHORIZED = "connection.reauthorized"
        CONNECTION_REFRESH_FAILED = "connection.refresh_failed"
        CONNECTION_DEGRADED = "connection.degraded"
        CONNECTION_NEEDS_REAUTHORIZATION = "connection.needs_reauthorization"
        CONNECTION_MISCONFIGURED = "connection.misconfigured"
        CONNECTION_RECOVERED = "connection.recovered"
        CONNECTION_IDLE_EXPIRY_WARNING = "connection.idle_expiry_warning"
        CONNECTION_INSTANCE_URL_CHANGED = "connection.instance_url_changed"
        CONNECTION_DISCONNECTED = "connection.disconnected"
        CONNECTION_DELETED = "connection.deleted"
        MEMBER_INVITED = "member.invited"
        MEMBER_JOINED = "member.joined"
        MEMBER_ROLE_CHANGED = "member.role_changed"
        MEMBER_REMOVED = "member.removed"
        API_KEY_CREATED = "api_key.created"
        API_KEY_REVOKED = "api_key.revoked"
        WEBHOOK_CREATED = "webhook.created"
        WEBHOOK_DISABLED = "webhook.disabled"
        # Never stored: what "Send test event" delivers.
        WEBHOOK_TEST = "webhook.test"

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        AUTHORIZATION_STARTED = "authorization_started", "Sign-in started"
        AUTHORIZED = "authorized", "Authorized"
        AUTHORIZATION_FAILED = "authorization_failed", "Authorization failed"
        REFRESHED = "refreshed", "Token refreshed"
        REFRESH_FAILED = "refresh_failed", "Refresh failed"
        STATUS_CHANGED = "status_changed", "Status changed"
        TESTED = "tested", "Tested"
        TEST_FAILED = "test_failed", "Test failed"
        ALERT_SENT = "alert_sent", "Alert sent"
        DISCONNECTED = "disconnected", "Disconnected"
        DELETED = "deleted", "Deleted"
        MEMBER_INVITED = "member_invited", "Member invited"
        MEMBER_JOINED = "member_joined", "Member joined"
        MEMBER_ROLE_CHANGED = "member_role_changed", "Role changed"
        MEMBER_REMOVED = "member_removed", "Member removed"
        API_KEY_CREATED = "api_key_created", "API key created"
        API_KEY_REVOKED = "api_key_revoked", "API key revoked"
        WEBHOOK_CREATED = "webhook_created", "Webhook created"
        WEBHOOK_DISABLED = "webhook_disabled", "Webhook disabled"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("accounts.Team", models.CASCADE, related_name="events")
    # Kept when the connection is deleted (SET_NULL): connection_code and connection_name
    # still say which one it was.
    connection = models.ForeignKey(
        "connections.Connection", models.SET_NULL, null=True, blank=True, related_name="events"
    )
    connection_code = models.UUIDField(null=True, blank=True)
    connection_name = models.CharField(max_length=100, blank=True)
    # The actor: a user, an API key, or neither (the system).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (keep-alive) or an API key.",
    )
    actor_key = models.ForeignKey(
        "api.APIKey", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    type = models.CharField(max_length=50, choices=Type.choices, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now)
    # Set once the webhooks fanned the event out to their deliveries.
    dispatched_at = models.DateTimeField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["connection", "-created"], name="events_connection_recent"),
            models.Index(fields=["team", "-created"], name="events_team_recent"),
            models.Index(fields=["team", "id"], name="events_team_feed"),
            models.Index(
                fields=["created"],
                condition=models.Q(dispatched_at__isnull=True) & ~models.Q(type=""),
                name="events_undispatched",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.connection_name or self.team_id}"

    def save(self, *args, **kwargs):
        self.fill_from_connection()
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            _publish_on_commit([self])

    def fill_from_connection(self) -> None:
        """Copy the team and the connection's code and name from the connection, so the
        event keeps saying which connection it was about after the connection is gone."""
        connection = self.connection
        if connection is None:
            return
        if self.team_id is None:
            self.team_id = connection.team_id
        self.connection_code = self.connection_code or connection.code
        self.connection_name = self.connection_name or connection.name

    @property
    def actor_label(self) -> str:
        if self.actor_id:
            return str(self.actor)
        if self.actor_key_id:
            return f"API key {self.actor_key.label}"
        return "Orgkeeper"

    def actor_payload(self) -> dict:
        if self.actor_id:
            return {"type": "user", "email": self.actor.email}
        if self.actor_key_id:
            key = self.actor_key
            return {"type": "api_key", "name": key.name, "identifier": key.identifier}
        return {"type": "system"}

    def payload(self) -> dict:
        """The event as webhooks and the events feed send it (never a secret)."""
        connection = None
        if self.connection_code:
            connection = {"id": str(self.connection_code), "name": self.connection_name}
        return {
            "id": str(self.code),
            "type": self.type,
            "version": VERSION,
            "created": self.created.isoformat(),
            "team": self.team.slug,
            "actor": self.actor_payload(),
            "connection": connection,
            "data": self.data,
        }


def record(team, kind: str, message: str, actor=None, *, type: str = "", **data) -> Event:
    """Record a team event (not about one connection). ``actor``: a User, an APIKey or None
    (the system). ``data`` must never hold a secret."""
    return Event.objects.create(
        team=team, kind=kind, message=message, type=type, data=data, **actor_fields(actor)
    )


def actor_fields(actor) -> dict:
    """The Event fields for ``actor``: a User, an APIKey, or None for the system."""
    if actor is None:
        return {}
    if actor._meta.label == settings.AUTH_USER_MODEL:
        return {"actor": actor}
    return {"actor_key": actor}
