"""The Salesforce client (connections.providers.salesforce.client) against Salesforce's real
response shapes (via ``responses``)."""

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError

from connections.providers.base import new_code_verifier
from connections.providers.salesforce import client as salesforce
from connections.providers.salesforce.errors import SIGNATURE_MISMATCH
from tests.connections.helpers import (
    ACCESS_TOKEN,
    API_VERSIONS,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    IDENTITY_URL,
    INSTANCE_URL,
    LOGIN_URL,
    ORG_ID,
    PUBLIC_CALLBACK,
    REFRESH_TOKEN,
    REVOKE_URL,
    TOKEN_URL,
    USERNAME,
    form_body,
    identity_body,
    issued,
    oauth_error,
    query,
    token_body,
)

VERIFIER = new_code_verifier()


def exchange():
    return salesforce.exchange_code(
        LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, "aPrxCode", PUBLIC_CALLBACK, VERIFIER
    )


def test_it_builds_the_authorize_url():
    url = salesforce.authorization_url(LOGIN_URL, CONSUMER_KEY, PUBLIC_CALLBACK, "st", VERIFIER)
    assert url.startswith(f"{LOGIN_URL}/services/oauth2/authorize?")
    assert query(url) == {
        "response_type": "code",
        "client_id": CONSUMER_KEY,
        "redirect_uri": PUBLIC_CALLBACK,
        "scope": "id api refresh_token",
        "state": "st",
        "code_challenge": salesforce.code_challenge(VERIFIER),
        "code_challenge_method": "S256",
        "prompt": "login consent",
    }


def test_it_makes_rfc7636_verifiers_without_tilde():
    verifier = new_code_verifier()
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    # RFC 7636 appendix B test vector
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert salesforce.code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_it_exchanges_a_code_and_verifies_the_signature(rsps):
    rsps.post(TOKEN_URL, json=token_body())
    token = exchange()
    assert token.problem is None
    assert token.access_token == ACCESS_TOKEN
    assert token.refresh_token == REFRESH_TOKEN
    assert token.instance_url == INSTANCE_URL
    assert token.identity_url == IDENTITY_URL
    assert token.issued_at == issued("1764421200123")
    assert token.scopes == {"id", "api", "refresh_token"}
    assert form_body(rsps.calls[0]) == {
        "grant_type": "authorization_code",
        "code": "aPrxCode",
        "client_id": CONSUMER_KEY,
        "client_secret": CONSUMER_SECRET,
        "redirect_uri": PUBLIC_CALLBACK,
        "code_verifier": VERIFIER,
    }
    assert rsps.calls[0].request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_it_keeps_secrets_out_of_the_token_repr(rsps):
    rsps.post(TOKEN_URL, json=token_body())
    text = repr(exchange())
    assert ACCESS_TOKEN not in text
    assert REFRESH_TOKEN not in text


def test_it_refuses_a_signature_made_with_another_secret(rsps):
    rsps.post(TOKEN_URL, json=token_body(secret="another-secret"))
    with pytest.raises(salesforce.SignatureMismatch) as caught:
        exchange()
    assert CONSUMER_SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("error", "description", "kind"),
    [
        ("invalid_grant", "expired authorization code", salesforce.InvalidGrant),
        ("invalid_grant", "invalid code verifier", salesforce.InvalidGrant),
        ("invalid_grant", "ip restricted", salesforce.InvalidGrant),
        ("invalid_client_id", "client identifier invalid", salesforce.OAuthError),
        ("invalid_client", "invalid client credentials", salesforce.OAuthError),
        ("redirect_uri_mismatch", "redirect_uri must match configuration", salesforce.OAuthError),
    ],
)
def test_it_raises_typed_oauth_errors(rsps, error, description, kind):
    rsps.post(TOKEN_URL, **oauth_error(error, description))
    with pytest.raises(kind) as caught:
        exchange()
    assert (caught.value.error, caught.value.description) == (error, description)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 503, "body": "Service Unavailable"},
        {"status": 429, "json": {"error": "rate"}},
        {"status": 200, "body": "<html>maintenance</html>"},
        {"body": requests.ConnectTimeout("timed out")},
    ],
)
def test_it_treats_outages_as_unavailable(rsps, reply):
    rsps.post(TOKEN_URL, **reply)
    with pytest.raises(salesforce.Unavailable):
        exchange()


def test_it_reads_the_identity_url(rsps):
    rsps.get(IDENTITY_URL, json=identity_body())
    who = salesforce.identity(IDENTITY_URL, ACCESS_TOKEN)
    assert (who.organization_id, who.username) == (ORG_ID, USERNAME)
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_it_raises_session_expired_on_401(rsps):
    body = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    rsps.get(f"{INSTANCE_URL}/services/data/", status=401, json=body)
    with pytest.raises(salesforce.SessionExpired):
        salesforce.api_probe(INSTANCE_URL, ACCESS_TOKEN)


def test_it_probes_the_rest_api(rsps):
    rsps.get(f"{INSTANCE_URL}/services/data/", json=API_VERSIONS)
    assert salesforce.api_probe(INSTANCE_URL, ACCESS_TOKEN) == API_VERSIONS


def test_it_raises_api_error_with_salesforce_words(rsps):
    body = [{"message": "The REST API is not enabled", "errorCode": "API_DISABLED_FOR_ORG"}]
    rsps.get(f"{INSTANCE_URL}/services/data/", status=403, json=body)
    with pytest.raises(salesforce.ApiError) as caught:
        salesforce.api_probe(INSTANCE_URL, ACCESS_TOKEN)
    assert caught.value.error == "API_DISABLED_FOR_ORG"


@pytest.mark.parametrize("reply", [{"status": 200}, oauth_error("invalid_token", "invalid token")])
def test_it_revokes_or_accepts_an_already_dead_token(rsps, reply):
    rsps.post(REVOKE_URL, **reply)
    salesforce.revoke(LOGIN_URL, REFRESH_TOKEN)
    assert form_body(rsps.calls[0]) == {"token": REFRESH_TOKEN}


def test_it_reports_a_revoke_outage(rsps):
    rsps.post(REVOKE_URL, status=503)
    with pytest.raises(salesforce.Unavailable):
        salesforce.revoke(LOGIN_URL, REFRESH_TOKEN)


def test_it_refreshes_without_rotation(rsps):
    body = token_body(access_token="00D!new")
    del body["refresh_token"]
    rsps.post(TOKEN_URL, json=body)
    token = salesforce.refresh(LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN)
    assert token.refresh_token is None
    sent = form_body(rsps.calls[0])
    assert sent["grant_type"] == "refresh_token"
    assert "scope" not in sent


def test_it_returns_a_refresh_with_a_bad_signature_unverified(rsps):
    """The presented refresh token may be dead already, so the response must reach the caller."""
    rsps.post(TOKEN_URL, json=token_body(secret="another-secret", refresh_token="RT-rotated"))
    token = salesforce.refresh(LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN)
    assert token.refresh_token == "RT-rotated"
    assert token.problem == SIGNATURE_MISMATCH


def test_a_refused_connection_names_the_host_and_was_never_sent(closed_port):
    login_url = f"http://127.0.0.1:{closed_port}"
    with pytest.raises(salesforce.Unavailable) as caught:
        salesforce.refresh(login_url, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN)
    assert str(caught.value) == (
        f"Could not reach Salesforce at 127.0.0.1:{closed_port}: "
        "the connection was refused or the network is unreachable."
    )
    assert caught.value.sent is False


@pytest.mark.parametrize(
    ("failure", "message", "sent"),
    [
        (
            requests.ConnectionError(
                MaxRetryError(
                    None, TOKEN_URL, NameResolutionError("login.example", None, OSError("no"))
                )
            ),
            "Could not reach Salesforce at login.salesforce.com: "
            "its host name doesn't resolve (DNS).",
            False,
        ),
        (
            requests.ConnectTimeout("timed out"),
            "Could not reach Salesforce at login.salesforce.com: no connection within the timeout.",
            False,
        ),
        (
            requests.ReadTimeout("read timed out"),
            "Salesforce at login.salesforce.com didn't answer within the timeout.",
            True,
        ),
        (
            requests.ConnectionError("connection reset by peer"),
            "The connection to Salesforce at login.salesforce.com broke before an answer.",
            True,
        ),
    ],
)
def test_it_says_why_salesforce_was_unreachable_and_whether_the_request_left(
    rsps, failure, message, sent
):
    assert LOGIN_URL == "https://login.salesforce.com"
    rsps.post(TOKEN_URL, body=failure)
    with pytest.raises(salesforce.Unavailable) as caught:
        salesforce.refresh(LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN)
    assert (str(caught.value), caught.value.sent) == (message, sent)


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (
            requests.exceptions.SSLError("certificate verify failed"),
            "The TLS connection to Salesforce at login.salesforce.com failed "
            "(certificate or handshake).",
        ),
        (
            requests.exceptions.ProxyError("proxy refused"),
            "Could not reach Salesforce at login.salesforce.com through the proxy (*_PROXY).",
        ),
        (
            requests.exceptions.ChunkedEncodingError("incomplete read"),
            "The answer from Salesforce at login.salesforce.com was cut off or unreadable.",
        ),
    ],
)
def test_it_names_tls_proxy_and_cut_off_answers(rsps, failure, message):
    """Before, a TLS or proxy failure said "broke before an answer" and a cut-off answer named
    no host. Each may have reached Salesforce, so each is ``sent``."""
    rsps.post(TOKEN_URL, body=failure)
    with pytest.raises(salesforce.Unavailable) as caught:
        salesforce.refresh(LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN)
    assert (str(caught.value), caught.value.sent) == (message, True)


ELSEWHERE = "https://collector.example/services/oauth2/token"


@pytest.mark.parametrize("status", [307, 308, 302])
@pytest.mark.parametrize(
    "call",
    [
        lambda: salesforce.refresh(LOGIN_URL, CONSUMER_KEY, CONSUMER_SECRET, REFRESH_TOKEN),
        exchange,
    ],
    ids=["refresh", "exchange_code"],
)
def test_token_requests_never_follow_a_redirect_with_the_credentials(rsps, status, call):
    """Before, requests followed a 307/308 and POSTed the client secret and the refresh token
    (or code and verifier) again, to the redirect's host."""
    rsps.post(TOKEN_URL, status=status, headers={"Location": ELSEWHERE})
    rsps.post(ELSEWHERE, json=token_body())

    with pytest.raises(salesforce.Unavailable) as caught:
        call()

    assert [c.request.url for c in rsps.calls] == [TOKEN_URL]
    assert str(caught.value) == (
        "Salesforce at login.salesforce.com redirected the request to collector.example; "
        "Orgkeeper doesn't follow redirects with credentials. Check the connection's login "
        "URL (My Domain)."
    )
    assert REFRESH_TOKEN not in str(caught.value) and CONSUMER_SECRET not in str(caught.value)


def test_revoke_never_follows_a_redirect_with_the_token(rsps):
    rsps.post(REVOKE_URL, status=307, headers={"Location": ELSEWHERE})
    rsps.post(ELSEWHERE)

    with pytest.raises(salesforce.Unavailable, match="redirected the revoke"):
        salesforce.revoke(LOGIN_URL, REFRESH_TOKEN)

    assert [c.request.url for c in rsps.calls] == [REVOKE_URL]
