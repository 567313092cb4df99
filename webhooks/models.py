"""Webhook endpoints of a team, and the deliveries of events to them with their attempts.

Signing follows Standard Webhooks (https://www.standardwebhooks.com/) with the
``standardwebhooks`` library: ``webhook-id`` (the same for every attempt of a delivery, so a
receiver can drop duplicates), ``webhook-timestamp`` and ``webhook-signature``. The signing
secret (``whsec_`` + base64) is encrypted at rest and shown once; after a rotation the old
secret keeps signing too for SECRET_OVERLAP, so both signatures are sent.
"""

import base64
import json
import secrets
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Team
from connections.encryption import encrypt
from events import models as events
from events.models import Event

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format, not a secret)
SECRET_BYTES = 32
SECRET_OVERLAP = timedelta(hours=24)
# An endpoint whose deliveries have all failed for this long is disabled.
DISABLE_AFTER = timedelta(days=3)
RESPONSE_KEPT = 1024  # characters of each response body kept in the delivery log


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


class RotationRefused(Exception):
    """The previous secret still signs until ``until``: one rotation per SECRET_OVERLAP."""

    def __init__(self, until: datetime):
        super().__init__(
            f"The previous signing secret still signs until {until:%Y-%m-%d %H:%M} UTC."
        )
        self.until = until


class Endpoint(models.Model):
    """A URL of the team's software that receives signed events."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField("URL", max_length=2000)
    # The event types sent here; empty: all of them.
    event_types = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    secret = encrypt(models.CharField(max_length=100))
    previous_secret = encrypt(models.CharField(max_length=100, blank=True, null=True))
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # The one-time form value of the last rotation: a double submit rotates once.
    rotation_submission = models.UUIDField(null=True, blank=True, editable=False)
    # The first failed attempt since the last success (None while deliveries succeed).
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"<Endpoint pk={self.pk} team={self.team_id}>"

    @classmethod
    def create(cls, team: Team, url: str, event_types, created_by) -> tuple["Endpoint", str]:
        """Create an endpoint and record ``webhook.created``. Returns it and its signing
        secret, which exists in clear only in this return value and the database."""
        secret = new_secret()
        with transaction.atomic():
            endpoint = cls.objects.create(
                team=team,
                url=url,
                event_types=sorted(event_types),
                secret=secret,
                created_by=created_by,
            )
            events.record(
                team,
                Event.Kind.WEBHOOK_CREATED,
                f"Webhook {endpoint.public_url} created.",
                created_by,
                type=Event.Type.WEBHOOK_CREATED,
                **endpoint.event_data(),
            )
        return endpoint, secret

    def event_data(self) -> dict:
        return {
            "webhook": {
                "id": str(self.code),
                "url": self.public_url,
                "event_types": self.event_types or "all",
            }
        }

    @property
    def public_url(self) -> str:
        """The URL as events and the activity log show it: scheme, host, port and path only.
        A query or user info may carry a token (``?token=``), which other endpoints and every
        member would see."""
        parts = urlsplit(self.url)
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret, and the previous one during its overlap."""
        current = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at > now:
            current.append(self.previous_secret)
        return current

    def rotate_secret(self, submission: uuid.UUID | None = None) -> str | None:
        """A new signing secret; the old one signs too for its full SECRET_OVERLAP. Returns
        the new secret, or None when ``submission`` (the form's one-time value) rotated it
        already (a double submit or a reload). Raises RotationRefused while a previous
        secret still signs: rotating then would drop it before its overlap ends."""
        with transaction.atomic():
            current = Endpoint.objects.select_for_update().get(pk=self.pk)
            if submission is not None and current.rotation_submission == submission:
                return None
            now = timezone.now()
            if current.previous_secret and current.previous_secret_expires_at > now:
                raise RotationRefused(current.previous_secret_expires_at)
            self.previous_secret, self.secret = current.secret, new_secret()
            self.previous_secret_expires_at = now + SECRET_OVERLAP
            self.rotation_submission = submission
            self.save(
                update_fields=[
                    "secret",
                    "previous_secret",
                    "previous_secret_expires_at",
                    "rotation_submission",
                    "updated",
                ]
            )
        return self.secret

    def sign(self, message_id: str, timestamp: datetime, body: str) -> str:
        """The ``webhook-signature`` header: one ``v1,`` signature per signing secret."""
        return " ".join(
            Webhook(secret).sign(message_id, timestamp, body)
            for secret in self.signing_secrets(timestamp)
        )

    def disable(self, reason: str) -> bool:
        """Disable a failing endpoint, record ``webhook.disabled`` (same transaction) and,
        after the commit, email the team's owners and admins. False if it was disabled
        already."""
        from .alerts import email_disabled

        with transaction.atomic():
            updated = Endpoint.objects.filter(pk=self.pk, enabled=True).update(
                enabled=False, disabled_reason=reason, updated=timezone.now()
            )
            if not updated:
                return False
            self.enabled, self.disabled_reason = False, reason
            events.record(
                self.team,
                Event.Kind.WEBHOOK_DISABLED,
                f"Webhook {self.public_url} disabled: {reason}",
                type=Event.Type.WEBHOOK_DISABLED,
                reason=reason,
                **self.event_data(),
            )
            transaction.on_commit(lambda: email_disabled(self), robust=True)
        return True


class Delivery(models.Model):
    """One event (or test event) for one endpoint; retried until it succeeds or the retry
    schedule is used up. ``payload`` is the exact body, the same for every attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        Event, models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    message_id = models.CharField("webhook-id", max_length=100)
    event_type = models.CharField(max_length=50)
    payload = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Failed attempts since the delivery was (re)started: the retry schedule's position.
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # An attempt in progress holds the delivery until then (a conditional UPDATE claims it).
    claimed_until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="webhooks_delivery_once_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhooks_delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint}"

    @classmethod
    def for_event(cls, endpoint: Endpoint, event: Event) -> "Delivery":
        return cls(
            endpoint=endpoint,
            event=event,
            message_id=f"msg_{event.code.hex}",
            event_type=event.type,
            payload=json.dumps(event.payload(), separators=(",", ":")),
            next_attempt_at=timezone.now(),
        )


class Attempt(models.Model):
    """One HTTP request of a delivery: when, the answer's status, how long it took and the
    start of the response body (or the error when there was no answer)."""

    delivery = models.ForeignKey(Delivery, models.CASCADE, related_name="attempts")
    created = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)

    # Not stored: set by sending.attempt when the destination check refused the URL, so
    # nothing was sent (metrics tell this apart from a receiver that didn't answer).
    refused = False

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"Attempt of {self.delivery} at {self.created:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
