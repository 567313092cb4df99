"""Microsoft Entra ID's and Dataverse's HTTP calls for a Dynamics 365 connection: the
authorization code flow with PKCE (S256) and the client secret at the ``organizations``
authority, the refresh, Global Discovery's Instances, WhoAmI and the API proxy's requests.
Every request goes through connections.http; errors are the provider error types
(connections.providers.base), redacted of the secrets sent.

References: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow,
https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens,
https://learn.microsoft.com/en-us/power-apps/developer/data-platform/discovery-service,
https://learn.microsoft.com/en-us/power-apps/developer/data-platform/webapi/reference/whoami
"""

import base64
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import requests
from django.views.decorators.debug import sensitive_variables
from oauthlib.common import urldecode
from oauthlib.oauth2 import WebApplicationClient

from ... import http
from ..base import (
    ApiError,
    Grant,
    Identity,
    InvalidGrant,
    OAuthError,
    ProviderError,
    SessionExpired,
    Unavailable,
    code_challenge,
)
from . import environments

WHO = "Microsoft Entra ID"
TENANT = "organizations"  # work and school accounts of any tenant
OIDC_SCOPES = ["offline_access", "openid", "profile"]
WEB_API_PATH = "/api/data/v9.2"
_AADSTS = re.compile(r"AADSTS(\d+)")


class NotAMember(ApiError):
    """Dataverse answered 403 "The user is not a member of the organization": the signed-in
    user has no (enabled) Dataverse user or security role in the environment."""


class EnvironmentNotReachable(ProviderError):
    """The signed-in user can't reach the environment entered; ``environments`` are the
    ``(friendly name, environment URL)`` pairs Global Discovery lists for them."""

    def __init__(self, description: str, environments: list[tuple[str, str]], username: str):
        super().__init__(description)
        self.environments = environments
        self.username = username


def scope(environment_url: str) -> list[str]:
    """The scopes for an environment: ``{environment URL}/user_impersonation`` (Dynamics CRM's
    delegated permission) and the OpenID Connect scopes with ``offline_access``."""
    return [f"{environment_url}/user_impersonation", *OIDC_SCOPES]


def token_url() -> str:
    return f"{environments.authority()}/{TENANT}/oauth2/v2.0/token"


def api_base_url(environment_url: str) -> str:
    """The Web API's base: ``{environment URL}/api/data/v9.2``."""
    return f"{environment_url.rstrip('/')}{WEB_API_PATH}"


@sensitive_variables()
def authorization_url(
    environment_url: str, client_id: str, redirect_uri: str, state: str, code_verifier: str
) -> str:
    """The authorize URL at ``{authority}/organizations/oauth2/v2.0/authorize`` with the
    environment's scope, ``response_mode=query``, ``state`` and the S256 ``code_challenge``
    (sent whatever the OpenID configuration says: Entra's omits
    ``code_challenge_methods_supported``)."""
    return WebApplicationClient(client_id).prepare_request_uri(
        f"{environments.authority()}/{TENANT}/oauth2/v2.0/authorize",
        redirect_uri=redirect_uri,
        scope=scope(environment_url),
        state=state,
        response_mode="query",
        code_challenge=code_challenge(code_verifier),
        code_challenge_method="S256",
        prompt="select_account",
    )


def admin_consent_url(client_id: str, redirect_uri: str, tenant: str = TENANT) -> str:
    """The link a tenant administrator opens to grant the app's permissions for the whole
    tenant. Reference: https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent
    """
    return (
        f"{environments.authority()}/{quote(tenant or TENANT)}/adminconsent"
        f"?client_id={quote(client_id)}&redirect_uri={quote(redirect_uri, safe='')}"
    )


def _error_codes(body: dict) -> list[int]:
    codes = body.get("error_codes")
    if isinstance(codes, list) and all(isinstance(code, int) for code in codes):
        return codes
    return [int(code) for code in _AADSTS.findall(str(body.get("error_description", "")))]


def _oauth_error(body: dict, status: int) -> OAuthError:
    """The error of an Entra token response; ``codes`` holds its AADSTS numbers."""
    error = str(body["error"])
    description = str(body.get("error_description", "")).split("\r\n")[0].split("\n")[0]
    kind = InvalidGrant if error == "invalid_grant" else OAuthError
    raised = kind(description, error=error, status=status)
    raised.codes = _error_codes(body)
    return raised


def _post_token(body: str, *secrets: str | None) -> dict:
    """POST a token request ``body`` (built by oauthlib); 429, 5xx and non-JSON answers are
    Unavailable, ``{"error"}`` answers OAuthError/InvalidGrant with ``codes``."""
    try:
        if not http.may_send_token(token_url()):
            raise ApiError(f"Orgkeeper sends credentials to {WHO} over HTTPS only.")
        response = http.send(
            "POST",
            token_url(),
            who=WHO,
            pool=http.TOKENS,
            data=dict(urldecode(body)),
            headers={"Accept": "application/json"},
        )
        answer = http.json_object(response, WHO)
        if "error" in answer:
            raise _oauth_error(answer, response.status_code)
        if "access_token" not in answer or "expires_in" not in answer:
            raise Unavailable(f"{WHO}'s token response lacks access_token or expires_in.")
        return answer
    except ProviderError as error:
        raise error.redacted(secrets) from None


def _claims(id_token: str) -> dict:
    """The claims of an ID token received straight from the token endpoint over TLS, which
    OpenID Connect Core §3.1.3.7 lets a client trust without checking the signature
    (https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation)."""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _grant(token: dict, environment_url: str, client_id: str, presented: str = "") -> Grant:
    now = datetime.now(UTC)
    claims = _claims(str(token.get("id_token", "")))
    if claims and claims.get("aud") != client_id:
        raise Unavailable("The ID token in Entra's answer is for another app.")
    data = {
        key: str(claims[claim])
        for key, claim in (
            ("tenant_id", "tid"),
            ("username", "preferred_username"),
            ("display_name", "name"),
        )
        if claims.get(claim)
    }
    refresh_token = str(token.get("refresh_token") or "") or None
    try:
        lifetime = int(token["expires_in"])
    except (TypeError, ValueError):
        raise Unavailable(f"{WHO}'s expires_in isn't a number.") from None
    return Grant(
        access_token=str(token["access_token"]),
        refresh_token=None if refresh_token == presented else refresh_token,
        instance_url=environment_url,
        issued_at=now,
        scope=" ".join([str(token.get("scope", "")), *OIDC_SCOPES]).strip(),
        expires_at=now + timedelta(seconds=lifetime),
        provider_data=data,
        # The ID token's issuer, {authority}/{tenant ID}/v2.0: kept on the connection, so its
        # tenant stays known after Disconnect forgets the tokens.
        identity_url=str(claims.get("iss") or ""),
    )


@sensitive_variables()
def refresh_body(client_id: str, client_secret: str, refresh_token: str, scopes: list[str]) -> str:
    return WebApplicationClient(client_id).prepare_refresh_body(
        refresh_token=refresh_token,
        scope=scopes,
        client_id=client_id,
        client_secret=client_secret,
    )


@sensitive_variables()
def exchange_code(
    environment_url: str,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> Grant:
    """Redeem the code (client secret and PKCE verifier in the body, the environment's
    scope), then ask Global Discovery which environments the user can reach with one refresh
    for its scope: the newest refresh token (the discovery's) is the grant's.
    Raises OAuthError/InvalidGrant, Unavailable or EnvironmentNotReachable."""
    client = WebApplicationClient(client_id)
    body = client.prepare_request_body(
        code=code,
        redirect_uri=redirect_uri,
        include_client_id=True,
        client_secret=client_secret,
        code_verifier=code_verifier,
        scope=scope(environment_url),
    )
    grant = _grant(
        _post_token(body, client_secret, code, code_verifier), environment_url, client_id
    )
    if not grant.refresh_token:
        return grant
    reachable = discover(client_id, client_secret, grant.refresh_token)
    if reachable is None:  # discovery unavailable: WhoAmI decides
        return grant
    found, newest = reachable
    if environment_url.lower() not in {url.lower() for _, url in found}:
        username = grant.provider_data.get("username", "the signed-in user")
        raise EnvironmentNotReachable(f"{username} can't reach {environment_url}.", found, username)
    return replace(grant, refresh_token=newest or grant.refresh_token)


@sensitive_variables()
def discover(
    client_id: str, client_secret: str, refresh_token: str
) -> tuple[list[tuple[str, str]], str | None] | None:
    """The ``(FriendlyName, Url)`` of each environment Global Discovery lists for the user,
    and the new refresh token of the refresh that got its token; None when it couldn't be
    asked (an outage, or Entra refused a token for it)."""
    disco = environments.discovery_url()
    body = refresh_body(client_id, client_secret, refresh_token, scope(disco))
    try:
        token = _post_token(body, client_secret, refresh_token)
        response = http.get_with_token(
            f"{disco}/api/discovery/v2.0/Instances", str(token["access_token"]), who="Dataverse"
        )
    except ProviderError:
        return None
    if response.status_code != 200:
        return None
    try:
        items = response.json().get("value", [])
    except (ValueError, AttributeError):
        return None
    found = [
        (
            str(item.get("FriendlyName") or item.get("UniqueName") or item["Url"]),
            str(item["Url"]).rstrip("/"),
        )
        for item in items
        if isinstance(item, dict) and item.get("Url")
    ]
    newest = str(token.get("refresh_token") or "") or None
    return found, newest


@sensitive_variables()
def refresh(
    environment_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    timeout: float | None = None,
) -> Grant:
    """Use the refresh token for the environment's scope. Entra answers a new refresh token
    every time and doesn't revoke the presented one, but each keeps its own 90-day lifetime:
    the caller must store the new one and never present an older one again.
    Raises OAuthError/InvalidGrant (with ``codes``) or Unavailable."""
    body = refresh_body(client_id, client_secret, refresh_token, scope(environment_url))
    token = _post_token(body, client_secret, refresh_token)
    return _grant(token, environment_url, client_id, presented=refresh_token)


def _dataverse_error(response: requests.Response) -> ProviderError:
    status = response.status_code
    if status == 401:
        return SessionExpired("Dataverse refused the access token.", status=401)
    if status >= 500 or status == 429:
        return Unavailable(f"Dataverse answered HTTP {status}.", status=status)
    try:
        error = response.json().get("error", {})
        message, code = str(error.get("message", "")), str(error.get("code", ""))
    except (ValueError, AttributeError):
        message, code = "", ""
    kind = NotAMember if status == 403 and "not a member" in message.lower() else ApiError
    return kind(message or f"Dataverse answered HTTP {status}.", error=code, status=status)


@sensitive_variables()
def who_am_i(environment_url: str, access_token: str) -> dict:
    """``GET {environment}/api/data/v9.2/WhoAmI``: ``UserId``, ``BusinessUnitId``,
    ``OrganizationId``. Raises SessionExpired (401), NotAMember (403 not a member of the
    organization), ApiError or Unavailable."""
    try:
        response = http.get_with_token(
            f"{api_base_url(environment_url)}/WhoAmI", access_token, who="Dataverse"
        )
    except ProviderError as error:
        raise error.redacted([access_token]) from None
    if response.status_code != 200:
        error = _dataverse_error(response)
        error.username = str(_claims(access_token).get("upn", ""))
        error.environment_url = environment_url
        raise error.redacted([access_token])
    try:
        body = response.json()
        return {key: str(body[key]) for key in ("UserId", "OrganizationId", "BusinessUnitId")}
    except (ValueError, KeyError, TypeError):
        raise Unavailable("Dataverse's WhoAmI answer lacks UserId or OrganizationId.") from None


@sensitive_variables()
def identity(grant: Grant) -> Identity:
    """Who signed in (the ID token's ``preferred_username``) and their ``OrganizationId``
    and ``UserId`` in the environment (WhoAmI)."""
    me = who_am_i(grant.instance_url or "", grant.access_token)
    return Identity(
        organization_id=me["OrganizationId"],
        user_id=me["UserId"],
        username=grant.provider_data.get("username", ""),
        display_name=grant.provider_data.get("display_name", ""),
    )


@sensitive_variables()
def forward(
    method: str, url: str, access_token: str, headers: dict[str, str], body=None
) -> requests.Response:
    """Send one Web API request (the API proxy's) with the Bearer token; Dataverse's answer
    comes back unread (``stream=True``). Never follows a redirect. Raises Unavailable or
    ApiError (the URL isn't HTTPS)."""
    http.check_token_destination(url)
    return http.send(
        method,
        url,
        who="Dataverse",
        headers={**headers, "Authorization": f"Bearer {access_token}"},
        data=body,
        stream=True,
    )
