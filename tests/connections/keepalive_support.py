"""Helpers for the keep-alive tests: a connected Connection with tokens, and Salesforce token
responses (shapes from docs/salesforce-protocol.md) with VALID signatures."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import responses
from django.utils import timezone

from connections.models import ClientCredentials, Connection, TokenSet

LOGIN_URL = "https://login.salesforce.com"
TOKEN_URL = f"{LOGIN_URL}/services/oauth2/token"
INSTANCE_URL = "https://acme-dev.my.salesforce.com"
IDENTITY_URL = "https://login.salesforce.com/id/00D5g000004XmplEAC/0055g00000AbCdEAAV"
CONSUMER_KEY = "3MVG9FakeConsumerKeyForTests"
CONSUMER_SECRET = "FakeConsumerSecretForTests0123456789"

# Salesforce's error texts (docs/salesforce-protocol.md, "Errors")
ERRORS = {
    "refresh_expired_or_revoked": "expired access/refresh token",
    "refresh_concurrent": "token request is already being processed",
    "ip_restricted": "ip restricted",
    "inactive_user": "inactive user",
    "inactive_org": "inactive organization",
    "authentication_failure": "authentication failure",
    "not_approved": "user hasn't approved this consumer",
}


def token_body(
    access_token: str = "00D5g000004XmplEAC!AQ0AQFakeAccessTokenValue.ForTestsOnly_2",
    refresh_token: str | None = "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA2",
    instance_url: str | None = INSTANCE_URL,
    issued_at: datetime | None = None,
    secret: str = CONSUMER_SECRET,
) -> dict:
    """A refresh-grant response (token_refresh_rotation.json / _no_rotation.json) signed with
    Base64(HMAC-SHA256(secret, id + issued_at))."""
    issued_at_raw = str(int((issued_at or timezone.now()).timestamp() * 1000))
    body = {
        "access_token": access_token,
        "scope": "refresh_token id api",
        "id": IDENTITY_URL,
        "token_type": "Bearer",
        "issued_at": issued_at_raw,
    }
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    if instance_url is not None:
        body["instance_url"] = instance_url
    digest = hmac.new(secret.encode(), (IDENTITY_URL + issued_at_raw).encode(), hashlib.sha256)
    body["signature"] = base64.b64encode(digest.digest()).decode()
    return body


def add_token_response(rsps: responses.RequestsMock, **kwargs) -> None:
    rsps.post(TOKEN_URL, json=token_body(**kwargs))


def add_token_error(rsps: responses.RequestsMock, description: str, error="invalid_grant"):
    rsps.post(TOKEN_URL, status=400, json={"error": error, "error_description": description})


def make_connection(
    team,
    name: str = "Acme production",
    status: str = Connection.Status.CONNECTED,
    last_used: datetime | None = None,
    issued_at: datetime | None = None,
    refresh_token: str = "5Aep861FakeRefreshTokenValueForTestsOnly.AAAA1",
    access_token: str = "00D5g000004XmplEAC!AQ0AQFakeAccessTokenValue.ForTestsOnly_1",
    next_refresh_at: datetime | None = None,
    tokens: bool = True,
) -> Connection:
    """A connection with an External Client App and (unless ``tokens=False``) tokens last
    used ``last_used`` (default 25 hours ago, so due)."""
    now = timezone.now()
    last_used = last_used or now - timedelta(hours=25)
    connection = Connection.objects.create(
        team=team,
        name=name,
        status=status,
        instance_url=INSTANCE_URL,
        organization_id="00D5g000004XmplEAC",
        next_refresh_at=next_refresh_at,
    )
    ClientCredentials.objects.create(
        connection=connection, consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET
    )
    if tokens:
        TokenSet.objects.create(
            connection=connection,
            access_token=access_token,
            refresh_token=refresh_token,
            instance_url=INSTANCE_URL,
            scope="refresh_token id api",
            issued_at=issued_at or last_used,
            signature_verified=True,
            refresh_token_last_used_at=last_used,
        )
    return connection


def sent_form(call) -> dict[str, str]:
    """The form fields of a recorded ``responses`` call."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(call.request.body))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
