"""Web benchmark: the connection list of a team with many connections and the detail page of
a connection with many events, through Django's test client in this process (the whole
request/response cycle: middleware, session, view, template; no network, no web server)."""

import statistics
import time
from dataclasses import dataclass

from django.db import connection as db
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Team, User
from connections.models import ClientCredentials, Connection, ConnectionEvent, TokenSet

REQUESTS = 50


@dataclass
class PageResult:
    page: str
    size: int
    queries: int
    median_ms: float
    status: int


def _team_with_connections(user: User, count: int) -> Team:
    team = Team.objects.create(name=f"Web bench {count}")
    Membership.objects.create(user=user, team=team, role=Membership.Role.OWNER)
    now = timezone.now()
    connections = Connection.objects.bulk_create(
        Connection(
            team=team,
            name=f"Org {i:05d}",
            environment="production",
            login_url="https://login.salesforce.com",
            status=Connection.Status.CONNECTED,
            organization_id=f"00D{i:015d}",
            username=f"admin{i}@example.com",
            instance_url="https://example.my.salesforce.com",
            next_refresh_at=now,
        )
        for i in range(count)
    )
    ClientCredentials.objects.bulk_create(
        ClientCredentials(connection=c, consumer_key=f"3MVG9key{c.pk}", consumer_secret="s" * 32)
        for c in connections
    )
    TokenSet.objects.bulk_create(
        TokenSet(
            connection=c,
            access_token="00D!" + "a" * 100,
            refresh_token="5Aep" + "r" * 80,
            instance_url="https://example.my.salesforce.com",
            issued_at=now,
            refresh_token_last_used_at=now,
            refreshed_at=now,
        )
        for c in connections
    )
    return team


def _connection_with_events(team: Team, user: User, count: int) -> Connection:
    connection = Connection.objects.filter(team=team).first()
    now = timezone.now()
    ConnectionEvent.objects.bulk_create(
        ConnectionEvent(
            connection=connection,
            kind=ConnectionEvent.Kind.REFRESHED,
            message=f"Token refreshed (generation {i}; refresh token rotated).",
            actor=user if i % 10 == 0 else None,
            created=now - timezone.timedelta(minutes=i),
        )
        for i in range(count)
    )
    return connection


def _measure(client: Client, page: str, size: int, url: str) -> PageResult:
    client.get(url)  # warm caches (templates, URL resolver)
    # Not CaptureQueriesContext: request_started resets the connection's query log.
    counted = []
    with db.execute_wrapper(lambda execute, *args: counted.append(1) or execute(*args)):
        response = client.get(url)
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return PageResult(page, size, len(counted), statistics.median(times), response.status_code)


def run(sizes: tuple[int, ...], say) -> list[PageResult]:
    user = User.objects.create_user("web-bench@example.com", "bench-password")
    client = Client()
    client.force_login(user)
    results = []
    for size in sizes:
        team = _team_with_connections(user, size)
        connection = _connection_with_events(team, user, size)
        list_url = reverse("connections:list", args=[team.slug])
        results.append(_measure(client, "list", size, list_url))
        results.append(_measure(client, "detail", size, connection.get_absolute_url()))
        say(f"  web pages at {size}: {results[-2].queries} and {results[-1].queries} queries")
    return results
