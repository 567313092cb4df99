"""Every row of the error table, with ``responses`` standing in for Entra ID and Dataverse:
the class, and guidance that names the fix."""

import pytest
import requests
import responses

from connections.errors import ErrorKind
from connections.providers.base import SessionExpired, Unavailable
from connections.providers.dynamics import client, errors, guidance
from connections.providers.dynamics.client import NotAMember

AUTHORITY = "https://login.microsoftonline.com"
TOKEN_URL = f"{AUTHORITY}/organizations/oauth2/v2.0/token"
ENV = "https://contoso.crm.dynamics.com"
REFRESH_TOKEN = "0.AAAA-refresh-token-canary"
SECRET = "Okp8Q~client-secret-canary"

R, M, T = ErrorKind.NEEDS_REAUTHORIZATION, ErrorKind.MISCONFIGURED, ErrorKind.TRANSIENT


@pytest.fixture(autouse=True)
def authority(settings):
    settings.DYNAMICS_AUTHORITY = AUTHORITY


def _entra_error(error: str, code: int, status: int = 400) -> dict:
    return {
        "status": status,
        "json": {
            "error": error,
            "error_description": f"AADSTS{code}: something went wrong. Trace ID: x "
            f"(presented {REFRESH_TOKEN})",
            "error_codes": [code],
            "trace_id": "0b1c",
            "correlation_id": "9f2e",
        },
    }


def _refresh():
    return client.refresh(ENV, "client-id", SECRET, REFRESH_TOKEN)


@pytest.mark.parametrize(
    ("error", "code", "kind", "fix"),
    [
        ("invalid_grant", 700082, R, "sign in with Microsoft again"),
        ("invalid_grant", 70008, R, "sign in with Microsoft again"),
        ("invalid_grant", 50173, R, "sign in with Microsoft again"),
        ("interaction_required", 50079, R, "sign in with Microsoft again"),
        ("invalid_grant", 65001, R, "accept the permissions again"),
        ("invalid_grant", 90094, R, "admin consent link"),
        ("unauthorized_client", 700016, M, "DYNAMICS_CLIENT_ID"),
        ("invalid_client", 7000215, M, "DYNAMICS_CLIENT_SECRET"),
        ("invalid_resource", 500011, M, "doesn't know this environment URL"),
    ],
)
@responses.activate
def test_it_classifies_token_errors(error, code, kind, fix):
    responses.post(
        TOKEN_URL, **_entra_error(error, code, 401 if error == "invalid_client" else 400)
    )
    with pytest.raises(Exception) as raised:
        _refresh()
    assert REFRESH_TOKEN not in str(raised.value)
    classification = errors.classify(raised.value)
    assert classification.kind == kind
    assert fix in classification.reason
    assert f"AADSTS{code}" in classification.reason


@responses.activate
def test_it_classifies_invalid_client_without_a_code():
    responses.post(TOKEN_URL, status=401, json={"error": "invalid_client"})
    with pytest.raises(Exception) as raised:
        _refresh()
    assert errors.classify(raised.value).kind == M
    assert "DYNAMICS_CLIENT_SECRET" in errors.classify(raised.value).reason


@pytest.mark.parametrize("status", [429, 500, 503])
@responses.activate
def test_it_treats_429_and_5xx_as_transient(status):
    responses.post(TOKEN_URL, status=status, headers={"Retry-After": "5"}, json={})
    with pytest.raises(Unavailable) as raised:
        _refresh()
    assert errors.classify(raised.value).kind == T


@responses.activate
def test_it_treats_a_timeout_as_transient():
    responses.post(TOKEN_URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(Unavailable) as raised:
        _refresh()
    assert errors.classify(raised.value).kind == T


@responses.activate
def test_it_names_the_user_dataverse_says_is_not_a_member():
    access_token = "e30." + "eyJ1cG4iOiAiYW5uQGNvbnRvc28uY29tIn0" + ".sig"  # upn ann@contoso.com
    responses.get(
        f"{ENV}/api/data/v9.2/WhoAmI",
        status=403,
        json={
            "error": {
                "code": "0x80072560",
                "message": "The user is not a member of the organization.",
            }
        },
    )
    with pytest.raises(NotAMember) as raised:
        client.who_am_i(ENV, access_token)
    classification = errors.classify(raised.value)
    assert classification.kind == M  # not a re-authorization
    assert (
        "ann@contoso.com has no enabled Dataverse user with a security role"
        in classification.reason
    )
    assert "security role" in guidance.test_failed(raised.value)


@responses.activate
def test_it_reads_a_401_as_an_expired_session():
    responses.get(
        f"{ENV}/api/data/v9.2/WhoAmI",
        status=401,
        headers={"WWW-Authenticate": "Bearer authorization_uri=x"},
    )
    with pytest.raises(SessionExpired):
        client.who_am_i(ENV, "token")


@responses.activate
def test_it_keeps_the_newest_refresh_token_and_the_expiry():
    responses.post(
        TOKEN_URL,
        json={
            "token_type": "Bearer",
            "scope": f"{ENV}/user_impersonation",
            "expires_in": 3599,
            "access_token": "new-access",
            "refresh_token": "new-refresh",
        },
    )
    grant = _refresh()
    assert grant.refresh_token == "new-refresh"
    assert (grant.expires_at - grant.issued_at).total_seconds() == 3599
    sent = responses.calls[0].request.body
    assert "scope=https%3A%2F%2Fcontoso.crm.dynamics.com%2Fuser_impersonation" in sent
    assert "grant_type=refresh_token" in sent


def test_it_explains_blocked_consent_with_the_admin_link(settings):
    settings.DYNAMICS_CLIENT_ID = "4f8e2a6c-client"
    advice = guidance.explain(
        "access_denied",
        "AADSTS90094: Admin consent is required.",
        redirect_uri="https://orgkeeper.example.com/api/connections/oauth/callback",
    )
    assert "administrator" in advice.title
    assert advice.admin_consent_url == (
        f"{AUTHORITY}/organizations/adminconsent?client_id=4f8e2a6c-client&redirect_uri="
        "https%3A%2F%2Forgkeeper.example.com%2Fapi%2Fconnections%2Foauth%2Fcallback"
    )


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("invalid_request", 9002313),  # the refresh token is unknown or malformed
        ("invalid_grant", 9002313),
        ("invalid_grant", 70000),
        ("invalid_grant", 50126),
    ],
)
@responses.activate
def test_it_asks_to_sign_in_again_for_a_refresh_token_entra_rejects(error, code):
    responses.post(TOKEN_URL, **_entra_error(error, code))
    with pytest.raises(Exception) as raised:
        _refresh()
    classification = errors.classify(raised.value)
    assert classification.kind == R
    assert "sign in with Microsoft again" in classification.reason


@responses.activate
def test_it_quotes_microsofts_inactivity_instead_of_asserting_90_days():
    responses.post(
        TOKEN_URL,
        status=400,
        json={
            "error": "invalid_grant",
            "error_description": "AADSTS700082: The refresh token has expired due to "
            "inactivity. The token was issued on 2026-01-01T00:00:00Z and was inactive for "
            "12:00:00.",
            "error_codes": [700082],
        },
    )
    with pytest.raises(Exception) as raised:
        _refresh()
    reason = errors.classify(raised.value).reason
    assert "90 days without use" not in reason
    assert "inactive for 12:00:00" in reason
    assert "Conditional Access sign-in frequency" in reason


@responses.activate
def test_it_reads_65001_at_a_refresh_as_consent_removed():
    responses.post(TOKEN_URL, **_entra_error("invalid_grant", 65001))
    with pytest.raises(Exception) as raised:
        _refresh()
    reason = errors.classify(raised.value).reason
    assert "consent for Orgkeeper was removed" in reason
    assert "requires an administrator's consent" not in reason
    assert "requires an administrator's consent" in errors.classify(_oauth_error(90094)).reason


def _oauth_error(code: int):
    return client._oauth_error(
        {"error": "invalid_grant", "error_description": f"AADSTS{code}: x", "error_codes": [code]},
        400,
    )
