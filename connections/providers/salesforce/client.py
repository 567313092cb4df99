"""Salesforce's HTTP calls: the OAuth web server flow with PKCE, refresh, identity, revoke,
the REST probe and the API proxy's requests. Small functions that validate response shapes
and raise the provider error types (connections.providers.base); every request goes through
connections.http. Protocol notes: docs/salesforce-protocol.md.

Nothing here logs or puts a secret (consumer secret, tokens, code verifier) in an exception;
Salesforce's error texts are redacted of the secrets sent, and the public functions are
``@sensitive_variables()``, so Django's error reports hide the local variables of their frames
and of every frame below them (requests, oauthlib).
"""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import urljoin

import requests
from django.views.decorators.debug import sensitive_variables
from oauthlib.oauth2 import (
    InsecureTransportError,
    OAuth2Error,
    WebApplicationClient,
    is_secure_transport,
)

from ... import http
from ..base import (
    ApiError,
    Grant,
    Identity,
    InvalidGrant,
    OAuthError,
    ProviderError,
    SessionExpired,
    SessionPolicyBlocked,
    SignatureMismatch,
    Unavailable,
    code_challenge,
)
from .errors import SIGNATURE_MISMATCH

WHO = "Salesforce"
SCOPES = ["id", "api", "refresh_token"]
REST_PROBE_PATH = "/services/data/"
TOKEN_PATH = "/services/oauth2/token"  # noqa: S105 (a path)
# REST's and SOAP's wording ("...for use with the REST API" / "...with the API").
_SESSION_POLICY_TEXTS = (
    "not valid for use with the rest api",
    "not valid for use with the api",
)


def session_policy_blocks_api(status: int, body: object) -> bool:
    """True when a REST answer (HTTP ``status``; ``body`` parsed JSON, text or bytes) is the
    401 "This session is not valid for use with the REST API" that an External Client App's
    session policy (High Assurance required, or sessions locked to their IP) causes, not an
    ordinary expired session. For callers that read Salesforce's answers themselves, such as
    a proxy. Reference: https://github.com/jsforce/jsforce/pull/1301"""
    if status != 401:
        return False
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    if not isinstance(body, str):
        body = _rest_message(body)
    return any(text in body.lower() for text in _SESSION_POLICY_TEXTS)


def is_invalid_session(status: int, body: bytes) -> bool:
    """True when a REST answer (HTTP ``status``, raw ``body``) is 401 INVALID_SESSION_ID:
    the access token expired or was revoked, so one refresh may help.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
    """
    if status != 401:
        return False
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return isinstance(parsed, list) and any(
        isinstance(item, dict) and item.get("errorCode") == "INVALID_SESSION_ID" for item in parsed
    )


@sensitive_variables()
def authorization_url(
    login_url: str, consumer_key: str, redirect_uri: str, state: str, code_verifier: str
) -> str:
    """The URL to send the admin to: ``<login_url>/services/oauth2/authorize`` with
    ``response_type=code``, the scopes ``id api refresh_token``, ``state``, the S256
    ``code_challenge`` and ``prompt=login consent`` (pick the Salesforce user deliberately).
    Reference: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm
    """
    return WebApplicationClient(consumer_key).prepare_request_uri(
        f"{login_url}/services/oauth2/authorize",
        redirect_uri=redirect_uri,
        scope=SCOPES,
        state=state,
        code_challenge=code_challenge(code_verifier),
        code_challenge_method="S256",
        prompt="login consent",
    )


def _check_token_http_status(response: requests.Response) -> requests.Response:
    """5xx, 429 and non-JSON bodies are outages, not OAuth errors; Salesforce's OAuth errors
    are JSON with HTTP 400 (or 401)."""
    body = http.json_object(response, WHO)
    if "error" in body:
        error, description = str(body["error"]), str(body.get("error_description", ""))
        kind = InvalidGrant if error == "invalid_grant" else OAuthError
        raise kind(description, error=error, status=response.status_code)
    return response


def _post_token(token_url: str, client: WebApplicationClient, body: str, timeout: float) -> dict:
    """POST a token request ``body`` (built by oauthlib's ``client``) on the pooled token
    session and parse the answer with oauthlib; redirects are refused (``http.TOKENS``)."""
    if not is_secure_transport(token_url):
        raise InsecureTransportError()
    response = http.send(
        "POST",
        token_url,
        who=WHO,
        pool=http.TOKENS,
        timeout_seconds=timeout,
        data=body,  # oauthlib's form body, sent as it built it (ASCII, percent-encoded)
        headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
    )
    _check_token_http_status(response)
    return dict(client.parse_request_body_response(response.text))


def _request_token(call, *sent: str | None) -> dict:
    """``call()``; Salesforce's error texts are redacted of the secrets ``sent``."""
    try:
        return call()
    except ProviderError as error:
        raise error.redacted(sent) from None
    except OAuth2Error as error:  # a 200 whose body oauthlib rejects
        raise Unavailable(
            f"Salesforce's token response was not understood ({error.error})."
        ) from None


def _grant(token: dict, consumer_secret: str) -> Grant:
    """The token response as a Grant; a signature that doesn't match ``consumer_secret``
    becomes its ``problem`` (errors.SIGNATURE_MISMATCH)."""
    try:
        issued_at_raw = str(token["issued_at"])
        issued_at = datetime.fromtimestamp(int(issued_at_raw) / 1000, tz=UTC)
        identity_url = str(token["id"])
        access_token = str(token["access_token"])
    except (KeyError, TypeError, ValueError):
        raise Unavailable(
            "Salesforce's token response is missing id, issued_at or access_token."
        ) from None
    scope = token.get("scope")
    verified = verify_signature(
        identity_url, issued_at_raw, str(token.get("signature", "")), consumer_secret
    )
    return Grant(
        access_token=access_token,
        refresh_token=str(token.get("refresh_token") or "") or None,
        instance_url=str(token.get("instance_url") or "") or None,
        issued_at=issued_at,
        scope=" ".join(scope) if isinstance(scope, list) else str(scope or ""),
        identity_url=identity_url,
        problem=None if verified else SIGNATURE_MISMATCH,
    )


def verify_signature(
    identity_url: str, issued_at_raw: str, signature: str, consumer_secret: str
) -> bool:
    """True when ``signature`` is Base64(HMAC-SHA256(consumer secret, id + issued_at)),
    ``issued_at_raw`` being Salesforce's string of epoch milliseconds.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_understanding_web_server_oauth_flow.htm
    """
    expected = base64.b64encode(
        hmac.new(
            consumer_secret.encode(), (identity_url + issued_at_raw).encode(), hashlib.sha256
        ).digest()
    ).decode()
    return hmac.compare_digest(expected, signature)


@sensitive_variables()
def exchange_code(
    login_url: str,
    consumer_key: str,
    consumer_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> Grant:
    """Exchange an authorization code (RFC 6749 §4.1.3) with ``client_secret`` and the PKCE
    ``code_verifier`` in the form body, and verify the signature.
    Raises OAuthError/InvalidGrant, SignatureMismatch or Unavailable.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.packagingGuide.meta/packagingGuide/secure_code_ac_eca.htm
    """
    client = WebApplicationClient(consumer_key)
    body = client.prepare_request_body(
        code=code,
        redirect_uri=redirect_uri,
        include_client_id=True,
        client_secret=consumer_secret,
        code_verifier=code_verifier,
    )
    token = _request_token(
        lambda: _post_token(f"{login_url}{TOKEN_PATH}", client, body, http.timeout()),
        consumer_secret,
        code_verifier,
        code,
    )
    grant = _grant(token, consumer_secret)
    if grant.problem is not None:
        # Nothing is stored yet, so refusing loses nothing; the caller may revoke ``grant``.
        raise SignatureMismatch(
            "The signature of Salesforce's token response doesn't match the consumer secret.",
            grant=grant,
        )
    return grant


@sensitive_variables()
def refresh(
    login_url: str,
    consumer_key: str,
    consumer_secret: str,
    refresh_token: str,
    timeout: float | None = None,
) -> Grant:
    """Use a refresh token (RFC 6749 §6): ``client_id`` and ``client_secret`` in the body and
    no ``scope``. With refresh token rotation the response carries a new ``refresh_token``
    and the presented one is dead at once; without it ``refresh_token`` is None (also when
    Salesforce echoes the presented one back). A signature that doesn't match
    ``consumer_secret`` doesn't raise: the presented refresh token may already be dead, so
    the caller must store the grant and heed its ``problem``. ``timeout`` in seconds.
    Raises OAuthError/InvalidGrant or Unavailable.
    Reference: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_oauth_refresh_token_flow_ca.htm
    """
    client = WebApplicationClient(consumer_key)
    body = client.prepare_refresh_body(
        refresh_token=refresh_token, client_id=consumer_key, client_secret=consumer_secret
    )
    token = _request_token(
        lambda: _post_token(f"{login_url}{TOKEN_PATH}", client, body, timeout or http.timeout()),
        consumer_secret,
        refresh_token,
    )
    if token.get("refresh_token") == refresh_token:
        token.pop("refresh_token")
    return _grant(token, consumer_secret)


def _get_json(url: str, access_token: str) -> object:
    try:
        return _read_json(http.get_with_token(url, access_token, who=WHO))
    except ProviderError as error:
        raise error.redacted([access_token]) from None


def _read_json(response: requests.Response) -> object:
    if response.status_code == 401:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        kind = SessionPolicyBlocked if session_policy_blocks_api(401, body) else SessionExpired
        message = _rest_message(body) or "Session expired or invalid"
        raise kind(message, error="INVALID_SESSION_ID", status=401)
    if response.status_code >= 500 or response.status_code == 429:
        raise Unavailable(
            f"Salesforce answered HTTP {response.status_code}.", status=response.status_code
        )
    try:
        body = response.json()
    except ValueError:
        raise ApiError(
            f"Salesforce answered HTTP {response.status_code} without JSON.",
            status=response.status_code,
        ) from None
    if response.status_code >= 400:
        raise ApiError(
            _rest_message(body) or "Salesforce refused the request.",
            error=_rest_message(body, "errorCode"),
            status=response.status_code,
        )
    return body


def _rest_message(body: object, field: str = "message") -> str:
    """A field of the first item of REST's error list (``[{"message", "errorCode"}]``)."""
    first = body[0] if isinstance(body, list) and body else body
    return str(first.get(field, "")) if isinstance(first, dict) else ""


@sensitive_variables()
def identity(identity_url: str, access_token: str) -> Identity:
    """Read the identity URL (GET with Bearer token; a few redirects followed, see
    ``http.get_with_token``).
    Reference: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_using_openid.htm
    """
    body = _get_json(identity_url, access_token)
    if not isinstance(body, dict):
        raise Unavailable("The identity URL answered an unexpected JSON shape.")
    try:
        return Identity(
            organization_id=str(body["organization_id"]),
            user_id=str(body["user_id"]),
            username=str(body["username"]),
            display_name=str(body.get("display_name", "")),
            email=str(body.get("email", "")),
        )
    except KeyError as error:
        raise Unavailable(f"The identity URL's answer lacks {error.args[0]}.") from None


@sensitive_variables()
def api_probe(instance_url: str, access_token: str) -> object:
    """One lightweight REST call (``GET /services/data/``, the API versions list).
    Raises SessionExpired on 401 INVALID_SESSION_ID (SessionPolicyBlocked when the app's
    session policy refuses API use), ApiError or Unavailable.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
    """
    return _get_json(urljoin(instance_url + "/", REST_PROBE_PATH.lstrip("/")), access_token)


def api_versions(body: object) -> list[str]:
    """The ``version`` of each entry of a ``GET /services/data/`` answer (such as ``"65.0"``),
    in Salesforce's order (oldest first); entries without one are skipped.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
    """
    items = body if isinstance(body, list) else []
    return [str(item["version"]) for item in items if isinstance(item, dict) and "version" in item]


@sensitive_variables()
def revoke(login_url: str, token: str) -> None:
    """Revoke a refresh token (and its access tokens) or an access token. HTTP 200 is success;
    400 ``invalid_token`` means it was already dead, which is success for us.
    Raises Unavailable or OAuthError.
    Reference: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_revoke_token.htm
    """
    response = http.send(
        "POST", f"{login_url}/services/oauth2/revoke", who=WHO, data={"token": token}
    )
    if response.status_code == 200:
        return
    if response.status_code in http.REDIRECT_STATUSES:
        location = response.headers.get("Location", "")
        raise http.redirect_refused("Salesforce redirected the revoke", location)
    if response.status_code >= 500 or response.status_code == 429:
        raise Unavailable(
            f"Salesforce answered HTTP {response.status_code}.", status=response.status_code
        )
    try:
        body = response.json()
    except ValueError:
        body = {}
    error = str(body.get("error", "")) if isinstance(body, dict) else ""
    if error == "invalid_token":
        return
    raise OAuthError(
        str(body.get("error_description", "")) if isinstance(body, dict) else "",
        error=error or f"HTTP {response.status_code}",
        status=response.status_code,
    ).redacted([token])


@sensitive_variables()
def forward(
    method: str, url: str, access_token: str, headers: dict[str, str], body=None
) -> requests.Response:
    """Send one REST request (the API proxy's) with the Bearer token and return Salesforce's
    answer unread (``stream=True``: read or close it). ``body``: bytes, or a file-like
    object with ``read()`` and ``__len__`` (sent with that Content-Length). Never follows a
    redirect (it would carry the token elsewhere); times out after SALESFORCE_HTTP_TIMEOUT.
    Raises Unavailable (no answer) or ApiError (``url`` isn't HTTPS).
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_resources.htm
    """
    http.check_token_destination(url)
    return http.send(
        method,
        url,
        who=WHO,
        headers={**headers, "Authorization": f"Bearer {access_token}"},
        data=body,
        stream=True,
    )
