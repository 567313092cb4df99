"""Helpers for the proxy tests: a connection with a fresh token and the proxy's URL."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.connections.helpers import make_connection

NEW_ACCESS_TOKEN = "00D5g000004XmplEAC!AQ0AQFakeAccessTokenValue.ForTestsOnly_2"
LIMIT_INFO = "api-usage=18/15000"


def fresh_connection(team, **options):
    """A connected connection whose access token was issued 10 minutes ago."""
    now = timezone.now()
    return make_connection(team, last_used=now, issued_at=now - timedelta(minutes=10), **options)


def proxy_url(connection, path: str) -> str:
    return reverse("api:proxy", args=[connection.code, path])


def content(response) -> bytes:
    """A proxied (streamed) or problem (plain) response's body."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
