"""The email to a team's owners and admins when one of its webhooks is disabled."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)


def email_disabled(endpoint) -> None:
    """Email the team's owners and admins that ``endpoint`` was disabled (logs a failure)."""
    team = endpoint.team
    recipients = sorted(team.owners_and_admins().values_list("email", flat=True))
    context = {
        "endpoint": endpoint,
        "team": team,
        "url": settings.PUBLIC_BASE_URL
        + reverse("webhooks:detail", args=[team.slug, endpoint.code]),
    }
    subject = " ".join(render_to_string("webhooks/email/disabled_subject.txt", context).split())
    body = render_to_string("webhooks/email/disabled.txt", context)
    try:
        if recipients:
            send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("Webhook %s: could not send the disabled email", endpoint.pk)
