"""Team API keys: what other software presents to use the team's connections.

A key is ``okk_`` + 43 URL-safe random characters (32 bytes from ``secrets``). Only its
SHA-512 digest is stored: the key is random, so a slow password hash would add nothing but
cost on every request. The 8 characters after ``okk_`` stay visible as its identifier.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Team
from connections import rows
from connections.models import Connection
from events import models as events
from events.models import Event

PREFIX = "okk_"
IDENTIFIER_LENGTH = 8
RANDOM_BYTES = 32  # 43 URL-safe characters
# "Last used" is written at most this often per key, never on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(raw_key: str) -> str:
    """The stored form of a key: its SHA-512 hex digest."""
    return hashlib.sha512(raw_key.encode()).hexdigest()


class APIKey(models.Model):
    """A team's key for the HTTP API (``Authorization: Bearer okk_…``)."""

    class Scope(models.TextChoices):
        CONNECTIONS_READ = "connections:read", "connections:read: list and test connections"
        TOKENS_ISSUE = "tokens:issue", "tokens:issue: get access tokens"
        PROXY = "proxy", "proxy: call Salesforce's REST API through Orgkeeper"
        EVENTS_READ = "events:read", "events:read: read the team's events feed"

    DEFAULT_SCOPES = (Scope.CONNECTIONS_READ, Scope.TOKENS_ISSUE)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    identifier = models.CharField(max_length=IDENTIFIER_LENGTH, db_index=True, editable=False)
    digest = models.CharField(max_length=128, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    # A restricted key may use only ``connections`` (none left once they are deleted).
    restricted = models.BooleanField(default=False)
    connections = models.ManyToManyField(Connection, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The create form's one-time value: a second POST of the same form (a double click, a
    # reload) finds this key instead of creating another.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({PREFIX}{self.identifier}…)"

    @property
    def label(self) -> str:
        """The visible part of the key, e.g. ``okk_AbCd1234…``."""
        return f"{PREFIX}{self.identifier}…"

    def is_expired(self) -> bool:
        return self.expires_at is not None and timezone.now() >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired()

    def event_data(self) -> dict:
        """What events say about the key: never the key itself."""
        return {
            "api_key": {
                "id": str(self.code),
                "name": self.name,
                "identifier": self.identifier,
                "scopes": self.scopes,
            }
        }

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @classmethod
    def create(
        cls,
        team: Team,
        name: str,
        scopes,
        created_by=None,
        connections=(),
        expires_at=None,
        submission=None,
    ) -> tuple["APIKey", str]:
        """Create a key and record it in the team's history. Returns the key row and the
        raw key, which exists only in this return value. ``submission``: the form's one-time
        value (unique: a twin POST's insert raises IntegrityError)."""
        raw = PREFIX + secrets.token_urlsafe(RANDOM_BYTES)
        with transaction.atomic():
            key = cls.objects.create(
                team=team,
                name=name,
                identifier=raw[len(PREFIX) : len(PREFIX) + IDENTIFIER_LENGTH],
                digest=digest(raw),
                scopes=sorted(str(scope) for scope in scopes),
                created_by=created_by,
                expires_at=expires_at,
                restricted=bool(connections),
                submission=submission,
            )
            if connections:
                key.connections.set(connections)
            events.record(
                team,
                Event.Kind.API_KEY_CREATED,
                f"API key {key.name} ({key.label}) created.",
                created_by,
                type=Event.Type.API_KEY_CREATED,
                **key.event_data(),
            )
        return key, raw

    def revoke(self, actor=None) -> bool:
        """Revoke the key (every request with it gets 401 from now on) and record it in the
        team's history. False, changing nothing, when it was revoked already."""
        now = timezone.now()
        with transaction.atomic():
            revoked = APIKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=now
            )
            if not revoked:
                return False
            self.revoked_at = now
            events.record(
                self.team,
                Event.Kind.API_KEY_REVOKED,
                f"API key {self.name} ({self.label}) revoked.",
                actor,
                type=Event.Type.API_KEY_REVOKED,
                **self.event_data(),
            )
        return True

    @classmethod
    def from_raw(cls, raw_key: str) -> "APIKey | None":
        """The usable key ``raw_key`` is, or None (unknown, revoked or expired)."""
        if not raw_key.startswith(PREFIX):
            return None
        found = _BY_DIGEST.first([digest(raw_key)])
        key = found[0] if found else None
        return key if key is not None and key.is_usable else None

    def touch(self) -> None:
        """Record a use, writing at most once per LAST_USED_RESOLUTION (conditional UPDATE,
        so concurrent requests write once too)."""
        now = timezone.now()
        if self.last_used_at and now - self.last_used_at < LAST_USED_RESOLUTION:
            return
        APIKey.objects.filter(pk=self.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        self.last_used_at = now

    def connection_queryset(self):
        """The connections this key may use: its team's, or the restricted subset."""
        queryset = Connection.objects.filter(team_id=self.team_id)
        if self.restricted:
            queryset = queryset.filter(pk__in=self.connections.values("pk"))
        return queryset


# Every request reads its key: one precompiled query (connections.rows).
_BY_DIGEST = rows.Select([rows.Part(APIKey, "k")], "FROM {k} AS k WHERE k.digest = %s")
