"""``/readyz`` (readiness) and ``/metrics`` (Prometheus)."""

import hmac
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from . import metrics, readiness, stall

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and the keep-alive are fine, else 503; the body
    names each check: ``{"database": "ok", "broker": "ok", "keepalive": "stalled: ...",
    "backlog": "ok"}``. Also sends the keep-alive's stalled or recovered email when owed
    (monitoring.stall), since a stopped beat can't."""
    now = timezone.now()
    status = readiness.check(now)
    if status["database"] == readiness.OK:
        try:
            stall.notify(now)
        except Exception:  # readiness must still answer
            logger.exception("Could not check whether the keep-alive stall email is owed")
    ready = all(value == readiness.OK for value in status.values())
    return JsonResponse(status, status=200 if ready else 503)


def _authorized(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), settings.METRICS_TOKEN.encode()
    )


@require_safe
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus exposition, for ``Authorization: Bearer <METRICS_TOKEN>``; 401
    without it (RFC 6750 §3), 404 when METRICS_TOKEN is unset."""
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorized(request):
        response = HttpResponse("A valid bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
