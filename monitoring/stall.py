"""Email superusers when the keep-alive stalls (no sweep for STALL_INTERVALS sweep
intervals), once, and once more when sweeps resume.

Beat can't report its own death, so this runs outside beat: on each request to ``/readyz``
(polled by the container health checks), in each worker every sweep interval
(monitoring.worker), and after each completed sweep (the recovery). ``notify`` is
idempotent: a conditional UPDATE claims each email, so concurrent callers send it once; a
failed send un-claims it for the next call to retry.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from .models import KeepaliveHeartbeat, stall_limit

logger = logging.getLogger(__name__)

STALLED = "keepalive_stalled"
RECOVERED = "keepalive_recovered"


def notify(now: datetime | None = None) -> str:
    """Send the stalled or recovered email if the heartbeat's state changed since the last
    one. Returns the template sent (STALLED, RECOVERED) or "" when nothing was sent."""
    now = now or timezone.now()
    heartbeat = KeepaliveHeartbeat.load()
    stalled = heartbeat.is_stalled(now)
    if stalled == heartbeat.stall_alerted:
        return ""
    claimed = KeepaliveHeartbeat.objects.filter(pk=heartbeat.pk, stall_alerted=not stalled)
    if claimed.update(stall_alerted=stalled) != 1:
        return ""  # another process is sending it
    template = STALLED if stalled else RECOVERED
    try:
        _send(template, heartbeat, now)
    except Exception:
        logger.exception("Could not send the %s email", template)
        KeepaliveHeartbeat.objects.filter(pk=heartbeat.pk).update(stall_alerted=not stalled)
        return ""
    if stalled:
        logger.error("Keep-alive stalled: no sweep since %s", heartbeat.last_sweep_at)
    else:
        logger.info("Keep-alive recovered: sweeps are running again")
    return template


def _send(template: str, heartbeat: KeepaliveHeartbeat, now: datetime) -> None:
    recipients = sorted(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .values_list("email", flat=True)
    )
    if not recipients:
        logger.warning("No active superuser to send the %s email to", template)
        return
    context = {
        "last_sweep_at": heartbeat.last_sweep_at,
        "age_minutes": int(heartbeat.age(now).total_seconds() // 60),
        "limit_minutes": int(stall_limit().total_seconds() // 60),
        "interval_minutes": settings.KEEPALIVE_SWEEP_INTERVAL // 60,
        "url": settings.PUBLIC_BASE_URL + "/readyz",
    }
    subject = render_to_string(f"monitoring/email/{template}_subject.txt", context)
    body = render_to_string(f"monitoring/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)
