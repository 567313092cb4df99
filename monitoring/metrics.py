"""Prometheus metrics (prometheus-client).

Counters and histograms are recorded where things happen (refreshes in the worker, API
requests in the web server). With PROMETHEUS_MULTIPROC_DIR set, prometheus-client's
multiprocess mode writes each process's values to files there and ``/metrics`` adds them up,
so every gunicorn worker and Celery process counts. The gauges (connections, the sweep's
age, the backlog, the idle deadline) are read from the database at each scrape, so they are
the same whichever process answers.

Labels are bounded and never secret: outcome classes, route names, HTTP methods and status
codes, providers and statuses; never a token, a connection's name, code or a raw path, nor a
webhook's URL, endpoint or team.
Reference: https://prometheus.github.io/client_python/multiprocess/
"""

import glob
import os
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.urls import ResolverMatch
from django.utils import timezone
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from connections import keepalive, providers
from connections.models import Connection, TokenSet
from webhooks.models import Attempt, Endpoint

from .models import KeepaliveHeartbeat

OUTCOMES = ("success", "transient", "needs_reauthorization", "misconfigured", "lost")
WEBHOOK_OUTCOMES = ("success", "failure", "no_answer", "refused")
ENDPOINT_STATES = ("ok", "failing", "disabled")
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

# No "_created" series: multiprocess mode has none, so single-process output matches it.
disable_created_metrics()

# Every metric has labels, so a process creates its multiprocess files only when it records.
REFRESHES = Counter(
    "orgkeeper_keepalive_refreshes_total",
    "Refresh attempts (refresh token used) by outcome class.",
    ["outcome"],
)
REFRESH_DURATION = Histogram(
    "orgkeeper_keepalive_refresh_duration_seconds",
    "Duration of refresh attempts (lock wait, token request, commit, alert email if any) "
    "by outcome class.",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60),
)
API_REQUESTS = Counter(
    "orgkeeper_api_requests_total",
    "API requests by endpoint (URL route name), method and status code.",
    ["endpoint", "method", "status"],
)
API_DURATION = Histogram(
    "orgkeeper_api_request_duration_seconds",
    "API request latency by endpoint (URL route name) and method.",
    ["endpoint", "method"],
)
WEBHOOK_DELIVERIES = Counter(
    "orgkeeper_webhook_deliveries_total",
    "Webhook delivery attempts (each retry counts) by outcome: success (2xx), failure (another "
    "status, a redirect or an answer that broke off), no_answer (timeout or connection error), "
    "refused (not sent: the destination check refused the URL).",
    ["outcome"],
)
WEBHOOK_DELIVERY_DURATION = Histogram(
    "orgkeeper_webhook_delivery_duration_seconds",
    "Duration of webhook delivery attempts (destination check, request, first 4 KB of the "
    "answer) by outcome.",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20),
)


def outcome_class(result: keepalive.RefreshResult) -> str | None:
    """The OUTCOMES class of a refresh, or None when it was skipped (no refresh sent)."""
    if result.outcome == keepalive.Outcome.REFRESHED:
        return "success"
    if result.outcome != keepalive.Outcome.FAILED:
        return None
    if result.lost:
        return "lost"
    return str(result.kind)


def observe_refresh(result: keepalive.RefreshResult, duration: float) -> None:
    outcome = outcome_class(result)
    if outcome is not None:
        REFRESHES.labels(outcome).inc()
        REFRESH_DURATION.labels(outcome).observe(duration)


def endpoint_name(match: ResolverMatch | None) -> str:
    """The route's name (``api:connection-detail``), its pattern when unnamed, or
    "unmatched" (a 404 before any view): bounded, unlike the path."""
    if match is None:
        return "unmatched"
    return match.view_name or match.route


def observe_api_request(
    match: ResolverMatch | None, method: str, status: int, duration: float
) -> None:
    endpoint = endpoint_name(match)
    method = method if method in HTTP_METHODS else "other"
    API_REQUESTS.labels(endpoint, method, str(status)).inc()
    API_DURATION.labels(endpoint, method).observe(duration)


def webhook_outcome(attempt: Attempt, succeeded: bool) -> str:
    """The WEBHOOK_OUTCOMES class of a delivery attempt."""
    if succeeded:
        return "success"
    if attempt.refused:
        return "refused"
    if attempt.status_code is None:
        return "no_answer"
    return "failure"


def observe_webhook_delivery(attempt: Attempt, succeeded: bool) -> None:
    outcome = webhook_outcome(attempt, succeeded)
    WEBHOOK_DELIVERIES.labels(outcome).inc()
    WEBHOOK_DELIVERY_DURATION.labels(outcome).observe(attempt.duration_ms / 1000)


def _initialize_outcomes() -> None:
    """Give every outcome a sample (0) so rates and alerts work before the first one."""
    for outcome in OUTCOMES:
        REFRESHES.labels(outcome)
        REFRESH_DURATION.labels(outcome)
    for outcome in WEBHOOK_OUTCOMES:
        WEBHOOK_DELIVERIES.labels(outcome)
        WEBHOOK_DELIVERY_DURATION.labels(outcome)


class MultiProcessTreeCollector:
    """prometheus-client's multiprocess files of ``path`` and of every directory below it
    (containers that share a volume each write to a subdirectory: their process IDs may
    collide)."""

    def __init__(self, path: str):
        self.path = path

    def collect(self) -> Iterable[Metric]:
        files = glob.glob(os.path.join(self.path, "**", "*.db"), recursive=True)
        # A process creates its file before it sizes it: an empty file holds no samples yet
        # (and stays empty if the process was killed then), but prometheus-client can't read
        # it and would fail the whole scrape (prometheus/client_python#1199).
        return MultiProcessCollector.merge([f for f in files if _has_data(f)], accumulate=True)


def _has_data(path: str) -> bool:
    try:
        return os.path.getsize(path) > 0
    except FileNotFoundError:  # a process's file removed since the glob
        return False


class DatabaseCollector:
    """Gauges read from the database at each scrape."""

    def __init__(self, now: datetime):
        self.now = now

    def collect(self) -> Iterable[Metric]:
        yield self._connections()
        heartbeat = KeepaliveHeartbeat.load()
        yield GaugeMetricFamily(
            "orgkeeper_keepalive_last_sweep_age_seconds",
            "Seconds since the keep-alive's last completed sweep (since installation before "
            "the first one).",
            value=heartbeat.age(self.now).total_seconds(),
        )
        yield GaugeMetricFamily(
            "orgkeeper_keepalive_sweep_interval_seconds",
            "KEEPALIVE_SWEEP_INTERVAL: how often beat starts a sweep.",
            value=settings.KEEPALIVE_SWEEP_INTERVAL,
        )
        yield GaugeMetricFamily(
            "orgkeeper_keepalive_backlog_connections",
            "Connections past their refresh time (next_refresh_at) that no sweep has claimed.",
            value=keepalive.due_connections(self.now).count(),
        )
        soonest = GaugeMetricFamily(
            "orgkeeper_connections_idle_deadline_soonest_timestamp_seconds",
            "When the first refresh token of a connected connection dies idle unless used "
            "(Unix time); absent without connected connections.",
        )
        deadlines = [
            last_used.timestamp() + providers.idle_ttl(providers.get(name))
            for name, last_used in TokenSet.objects.filter(
                connection__status=Connection.Status.CONNECTED
            )
            .order_by()
            .values_list("connection__provider")
            .annotate(oldest=Min("refresh_token_last_used_at"))
        ]
        if deadlines:
            soonest.add_metric([], min(deadlines))
        yield soonest
        yield self._webhook_endpoints()

    def _connections(self) -> Metric:
        family = GaugeMetricFamily(
            "orgkeeper_connections",
            "Connections by provider and status.",
            labels=["provider", "status"],
        )
        counts = {
            (provider, status): n
            for provider, status, n in Connection.objects.order_by()
            .values_list("provider", "status")
            .annotate(n=Count("id"))
        }
        names = sorted({provider.name for provider in providers.every()} | {p for p, _ in counts})
        for name in names:  # every provider and status has a sample
            for status in Connection.Status.values:
                family.add_metric([name, status], counts.get((name, status), 0))
        return family

    def _webhook_endpoints(self) -> Metric:
        family = GaugeMetricFamily(
            "orgkeeper_webhook_endpoints",
            "Webhook endpoints by state: ok, failing (enabled; attempts failed since the last "
            "success), disabled (by a person, or after 3 days of failures).",
            labels=["state"],
        )
        counts = Endpoint.objects.aggregate(
            ok=Count("id", filter=Q(enabled=True, failing_since__isnull=True)),
            failing=Count("id", filter=Q(enabled=True, failing_since__isnull=False)),
            disabled=Count("id", filter=Q(enabled=False)),
        )
        for state in ENDPOINT_STATES:
            family.add_metric([state], counts[state])
        return family


def exposition(now: datetime | None = None) -> bytes:
    """The text exposition format: this process's metrics, or every process's in
    multiprocess mode, then the database gauges."""
    _initialize_outcomes()
    if settings.PROMETHEUS_MULTIPROC_DIR:
        recorded = CollectorRegistry()
        recorded.register(MultiProcessTreeCollector(settings.PROMETHEUS_MULTIPROC_DIR))
    else:
        recorded = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector(now or timezone.now()))
    return generate_latest(recorded) + generate_latest(database)
