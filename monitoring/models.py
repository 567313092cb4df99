"""The keep-alive's heartbeat: when its last sweep completed, kept in the database so every
process (web, worker) sees the same one."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# A sweep older than this many sweep intervals means beat or the workers stopped.
STALL_INTERVALS = 3


class KeepaliveHeartbeat(models.Model):
    """One row (pk 1). ``stall_alerted``: superusers were told the keep-alive stalled and
    are owed the recovery email."""

    last_sweep_at = models.DateTimeField(null=True, blank=True)
    stall_alerted = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return "Keep-alive heartbeat"

    @classmethod
    def load(cls) -> "KeepaliveHeartbeat":
        heartbeat, _ = cls.objects.get_or_create(pk=1)
        return heartbeat

    @classmethod
    def record_sweep(cls, now: datetime | None = None) -> None:
        """Store that a sweep completed now (one UPDATE; an INSERT the first time)."""
        now = now or timezone.now()
        if not cls.objects.filter(pk=1).update(last_sweep_at=now):
            cls.objects.update_or_create(pk=1, defaults={"last_sweep_at": now})

    def age(self, now: datetime) -> timedelta:
        """Time since the last sweep; before the first one, since the heartbeat was created
        (installation), so a new installation has the same grace period as a running one."""
        return now - (self.last_sweep_at or self.created)

    def is_stalled(self, now: datetime) -> bool:
        return self.age(now) > stall_limit()


def stall_limit() -> timedelta:
    """How old the last sweep may be: STALL_INTERVALS x KEEPALIVE_SWEEP_INTERVAL."""
    return timedelta(seconds=STALL_INTERVALS * settings.KEEPALIVE_SWEEP_INTERVAL)
