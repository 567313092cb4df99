"""Each Salesforce error the product names, with Salesforce echoing back in its error text the
secrets Orgkeeper sent in that request (the consumer secret and code verifier in a code
exchange, the consumer secret and refresh token in a refresh, the access token in a REST or
identity call, the token in a revoke). The guidance, events, last error, status reason,
alert emails and logs may quote Salesforce, but never a secret: it is redacted."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from connections.models import Connection, TokenSet
from tests.connections.helpers import (
    CALLBACK_PATH,
    CONSUMER_KEY,
    IDENTITY_URL,
    PROBE_URL,
    REVOKE_URL,
    TOKEN_URL,
    query,
    token_body,
    url,
)
from tests.security.conftest import (
    CANARY_ACCESS_TOKEN,
    CANARY_CONSUMER_SECRET,
    CANARY_REFRESH_TOKEN,
    CODE_VERIFIER,
    RecordingClient,
    assert_nothing_leaked,
)

pytestmark = pytest.mark.usefixtures("public_urls", "canary_verifier")

SENT_IN_EXCHANGE = f"{CANARY_CONSUMER_SECRET} {CODE_VERIFIER}"
SENT_IN_REFRESH = f"{CANARY_CONSUMER_SECRET} {CANARY_REFRESH_TOKEN}"
FORM_BODY = f"client_secret={CANARY_CONSUMER_SECRET}&code_verifier={CODE_VERIFIER}"


def oauth(error: str, description: str, status: int = 400) -> dict:
    return {"status": status, "json": {"error": error, "error_description": description}}


def rest_error(code: str, message: str, status: int) -> dict:
    return {"status": status, "json": [{"errorCode": code, "message": message}]}


@pytest.fixture
def client(alice_recorder) -> RecordingClient:
    """Every page these tests open is checked for canaries."""
    return alice_recorder


@pytest.fixture
def connected(connection_factory) -> Connection:
    """A connected connection holding the canary secret and tokens."""
    connection = connection_factory()
    app = connection.client_credentials
    app.consumer_secret = CANARY_CONSUMER_SECRET
    app.save()
    tokens = TokenSet.objects.get(connection=connection)
    tokens.access_token, tokens.refresh_token = CANARY_ACCESS_TOKEN, CANARY_REFRESH_TOKEN
    tokens.save()
    return connection


def start(client, connection) -> str:
    response = client.post(
        url("credentials", connection),
        {"consumer_key": CONSUMER_KEY, "consumer_secret": CANARY_CONSUMER_SECRET},
    )
    assert response.status_code == 302
    return query(response["Location"])["state"]


EXCHANGE_ERRORS = {
    "unknown consumer key": oauth("invalid_client_id", f"client identifier {SENT_IN_EXCHANGE}"),
    "wrong secret": oauth("invalid_client", f"invalid client credentials {SENT_IN_EXCHANGE}"),
    "callback mismatch": oauth("redirect_uri_mismatch", SENT_IN_EXCHANGE),
    "scopes": oauth("invalid_scope", SENT_IN_EXCHANGE),
    "pkce": oauth("invalid_grant", f"invalid code verifier {SENT_IN_EXCHANGE}"),
    "expired code": oauth("invalid_grant", f"expired authorization code {SENT_IN_EXCHANGE}"),
    "ip restricted": oauth("invalid_grant", f"ip restricted {SENT_IN_EXCHANGE}"),
    "inactive user": oauth("invalid_grant", f"inactive user {SENT_IN_EXCHANGE}"),
    "not approved": oauth("invalid_grant", f"user hasn't approved {SENT_IN_EXCHANGE}"),
    "cross-org": oauth("OAUTH_AUTHORIZATION_BLOCKED", SENT_IN_EXCHANGE),
    "unknown error": oauth("server_says_no", SENT_IN_EXCHANGE),
    "url-encoded echo": oauth("invalid_request", f"body was {FORM_BODY}"),
    "401 json": oauth("invalid_client", SENT_IN_EXCHANGE, status=401),
    "outage": oauth("unavailable", SENT_IN_EXCHANGE, status=503),
    "rate limit": oauth("rate_limit_exceeded", SENT_IN_EXCHANGE, status=429),
    "html": {"status": 400, "body": f"<html>{SENT_IN_EXCHANGE}</html>"},
}


@pytest.mark.parametrize("answer", EXCHANGE_ERRORS.values(), ids=EXCHANGE_ERRORS.keys())
def test_it_redacts_code_exchange_errors(client, draft, rsps, all_logs, answer):
    state = start(client, draft)
    rsps.post(TOKEN_URL, **answer)
    page = client.get(CALLBACK_PATH, {"code": "aPrx.Code", "state": state})
    assert page.status_code in (400, 502)
    assert_nothing_leaked(client, all_logs)


def test_it_redacts_a_signature_mismatch_and_identity_errors(client, draft, rsps, all_logs):
    state = start(client, draft)
    signed_wrong = token_body(
        "another secret", access_token=CANARY_ACCESS_TOKEN, refresh_token=CANARY_REFRESH_TOKEN
    )
    rsps.post(TOKEN_URL, json=signed_wrong)
    rsps.post(REVOKE_URL, **oauth("invalid_request", f"bad token {CANARY_REFRESH_TOKEN}"))
    assert client.get(CALLBACK_PATH, {"code": "aPrx.Code", "state": state}).status_code == 400

    rsps.reset()
    state = start(client, draft)
    rsps.post(TOKEN_URL, json=token_body(CANARY_CONSUMER_SECRET, access_token=CANARY_ACCESS_TOKEN))
    rsps.get(IDENTITY_URL, **rest_error("FORBIDDEN", f"Bad_OAuth_Token {CANARY_ACCESS_TOKEN}", 403))
    rsps.post(REVOKE_URL, status=503, body=f"down {CANARY_REFRESH_TOKEN}")
    assert client.get(CALLBACK_PATH, {"code": "aPrx.Code", "state": state}).status_code == 502
    assert_nothing_leaked(client, all_logs)


@pytest.mark.parametrize(
    ("error", "description"),
    [
        ("access_denied", f"end-user denied authorization {SENT_IN_EXCHANGE}"),
        ("OAUTH_AUTHORIZATION_BLOCKED", SENT_IN_EXCHANGE),
        ("invalid_request", f"{SENT_IN_EXCHANGE} {CANARY_ACCESS_TOKEN} {CANARY_REFRESH_TOKEN}"),
    ],
)
def test_it_redacts_errors_in_the_callback_query(
    client, connected, rsps, all_logs, error, description
):
    """The callback's own ``error_description`` (from the browser) is redacted of the flow's
    and the connection's secrets too."""
    state = start(client, connected)
    params = {"state": state, "error": error, "error_description": description}
    assert client.get(CALLBACK_PATH, params).status_code == 400
    assert_nothing_leaked(client, all_logs)


REFRESH_ERRORS = {
    "revoked": oauth("invalid_grant", f"expired access/refresh token {SENT_IN_REFRESH}"),
    "unknown grant error": oauth("invalid_grant", SENT_IN_REFRESH),
    "wrong secret": oauth("invalid_client", SENT_IN_REFRESH),
    "unknown key": oauth("invalid_client_id", SENT_IN_REFRESH),
    "rate limit": oauth("rate_limit_exceeded", SENT_IN_REFRESH),
    "unknown error": oauth("whatever", SENT_IN_REFRESH),
    "outage": {"status": 500, "body": SENT_IN_REFRESH},
}


@pytest.mark.parametrize("answer", REFRESH_ERRORS.values(), ids=REFRESH_ERRORS.keys())
def test_it_redacts_refresh_errors(client, team, connected, rsps, all_logs, answer):
    rsps.post(TOKEN_URL, **answer)
    client.post(url("refresh", connected), follow=True)
    client.get(reverse("connections:list", args=[team.slug]))
    connected.refresh_from_db()
    assert connected.last_error
    assert_nothing_leaked(client, all_logs)


@pytest.mark.parametrize(
    "answer",
    [
        rest_error("API_DISABLED_FOR_ORG", f"API is disabled {CANARY_ACCESS_TOKEN}", 403),
        rest_error("REQUEST_LIMIT_EXCEEDED", f"limit {quote(CANARY_ACCESS_TOKEN, safe='')}", 400),
        {"status": 404, "body": f"<html>{CANARY_ACCESS_TOKEN}</html>"},
        {"status": 503, "body": CANARY_ACCESS_TOKEN},
    ],
)
def test_it_redacts_test_connection_errors(client, connected, rsps, all_logs, answer):
    rsps.get(PROBE_URL, **answer)
    client.post(url("test", connected), follow=True)
    assert_nothing_leaked(client, all_logs)


def test_it_redacts_a_failed_refresh_after_a_401(client, connected, rsps, all_logs):
    rsps.get(PROBE_URL, **rest_error("INVALID_SESSION_ID", CANARY_ACCESS_TOKEN, 401))
    rsps.post(TOKEN_URL, **oauth("invalid_grant", SENT_IN_REFRESH))
    client.post(url("test", connected), follow=True)
    assert_nothing_leaked(client, all_logs)


@pytest.mark.parametrize(
    "answer",
    [
        oauth("unsupported_token_type", f"cannot revoke {CANARY_REFRESH_TOKEN}"),
        {"status": 503, "body": CANARY_REFRESH_TOKEN},
    ],
)
def test_it_redacts_revoke_errors(client, connected, rsps, all_logs, answer):
    rsps.post(REVOKE_URL, **answer)
    client.post(url("disconnect", connected), follow=True)
    client.get(url("detail", connected))
    assert_nothing_leaked(client, all_logs)


def test_it_still_quotes_salesforce(client, connected, rsps, all_logs):
    """Redaction keeps the rest of Salesforce's words."""
    rsps.post(TOKEN_URL, **oauth("invalid_grant", f"token {CANARY_REFRESH_TOKEN} is gone"))
    client.post(url("refresh", connected))
    connected.refresh_from_db()
    assert "token [redacted] is gone" in connected.status_reason
