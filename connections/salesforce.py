"""All HTTP to Salesforce: the OAuth web server flow with PKCE, refresh, identity, revoke and
one lightweight REST call. Small functions that validate response shapes and raise typed
errors. Protocol facts: shared/salesforce-oauth.md and the references above each call.

Nothing here logs or puts a secret (consumer secret, tokens, code verifier) in an exception;
Salesforce's error texts are redacted of the secrets sent, and the public functions are
``@sensitive_variables()``, so Django's error reports hide the local variables of their frames
and of every frame below them (requests, requests-oauthlib).
"""

import base64
import hashlib
import hmac
import logging
import os
import secrets
import threading
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import requests
from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from oauthlib.common import urldecode
from oauthlib.oauth2 import (
    InsecureTransportError,
    OAuth2Error,
    WebApplicationClient,
    is_secure_transport,
)
from requests_oauthlib import OAuth2Session
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
)

SCOPES = ["id", "api", "refresh_token"]
REST_PROBE_PATH = "/services/data/"
MAX_REDIRECTS = 3
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
REDACTED = "[redacted]"
# Shorter values are not redacted: replacing them would garble ordinary words.
MIN_REDACTED_LENGTH = 8
# requests-oauthlib logs token request bodies (client_secret, code_verifier, refresh_token)
# and token responses at DEBUG; oauthlib can too.
CHATTY_LIBRARIES = ("requests_oauthlib", "oauthlib")


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` (Salesforce's words, a callback parameter) with each of ``secrets`` that
    Orgkeeper sent or stores replaced by REDACTED, also where it appears URL-encoded."""
    for secret in secrets:
        if not secret or len(secret) < MIN_REDACTED_LENGTH:
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, REDACTED)
    return text


class _DropDebugRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def silence_library_debug_logs() -> None:
    """Drop the DEBUG records of the OAuth libraries at their source, whatever the logging
    configuration (LOG_LEVEL=DEBUG included): they print secrets. Called at startup."""
    drop = _DropDebugRecords()
    names = [
        name for name in logging.Logger.manager.loggerDict if name.split(".")[0] in CHATTY_LIBRARIES
    ]
    for name in {*CHATTY_LIBRARIES, *names}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropDebugRecords) for f in logger.filters):
            logger.addFilter(drop)


class SalesforceError(Exception):
    """Base class. ``error`` and ``description`` are Salesforce's own words when it gave any."""

    def __init__(self, description: str, error: str = "", status: int | None = None):
        super().__init__(f"{error}: {description}" if error else description)
        self.error = error
        self.description = description
        self.status = status

    def redacted(self, secrets: Iterable[str | None]) -> "SalesforceError":
        """This error, with ``secrets`` (what Orgkeeper sent in the request) removed from
        Salesforce's words: an error text may echo them back."""
        secrets = list(secrets)
        self.error = redact(self.error, secrets)
        self.description = redact(self.description, secrets)
        self.args = tuple(redact(str(arg), secrets) for arg in self.args)
        return self


class SalesforceUnavailable(SalesforceError):
    """Network error, timeout, HTTP 5xx or 429, or a body that isn't Salesforce's JSON.
    Transient: retry later. ``sent`` is False only when the connection could not be opened
    (refused, unresolvable host, connect timeout): the request never left, so Salesforce
    can't have acted on it."""

    def __init__(
        self, description: str, error: str = "", status: int | None = None, sent: bool = True
    ):
        super().__init__(description, error=error, status=status)
        self.sent = sent


def unreachable(error: requests.RequestException) -> SalesforceUnavailable:
    """The SalesforceUnavailable for a request that got no usable HTTP answer: which host, and
    why in plain words. Names no URL path or parameter, so no secret."""
    request = getattr(error, "request", None)
    host = urlsplit(request.url).netloc if request is not None and request.url else ""
    where = f"Salesforce at {host}" if host else "Salesforce"
    reason = (
        error.args[0].reason if error.args and isinstance(error.args[0], MaxRetryError) else None
    )
    if isinstance(error, requests.TooManyRedirects):
        response = error.response
        location = response.headers.get("Location", "") if response is not None else ""
        return _redirect_refused(f"{where} redirected the request", location)
    if isinstance(error, requests.exceptions.ProxyError):
        return SalesforceUnavailable(f"Could not reach {where} through the proxy (*_PROXY).")
    if isinstance(error, requests.exceptions.SSLError):
        return SalesforceUnavailable(
            f"The TLS connection to {where} failed (certificate or handshake)."
        )
    if isinstance(error, requests.ConnectTimeout) or isinstance(reason, ConnectTimeoutError):
        # urllib3's NewConnectionError (refused, unreachable, DNS) is a ConnectTimeoutError.
        if isinstance(reason, NameResolutionError):
            why = "its host name doesn't resolve (DNS)"
        elif isinstance(reason, NewConnectionError):
            why = "the connection was refused or the network is unreachable"
        else:
            why = "no connection within the timeout"
        return SalesforceUnavailable(f"Could not reach {where}: {why}.", sent=False)
    if isinstance(error, requests.ReadTimeout):
        return SalesforceUnavailable(f"{where} didn't answer within the timeout.")
    if isinstance(error, requests.ConnectionError):
        return SalesforceUnavailable(f"The connection to {where} broke before an answer.")
    if isinstance(
        error, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return SalesforceUnavailable(f"The answer from {where} was cut off or unreadable.")
    return SalesforceUnavailable(f"Could not reach {where} ({type(error).__name__}).")


def _redirect_refused(what: str, location: str) -> SalesforceUnavailable:
    """``what`` ("<who> redirected the <request>") was not followed: a redirect would re-send
    the credentials in the body to another host. Names only the redirect's host."""
    target = urlsplit(location).netloc or "another address"
    return SalesforceUnavailable(
        f"{what} to {target}; Orgkeeper doesn't follow redirects with credentials. Check the "
        "connection's login URL (My Domain)."
    )


class OAuthError(SalesforceError):
    """The token endpoint answered ``{"error": ..., "error_description": ...}`` (HTTP 400).
    Reference: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_oauth_flow_errors.htm
    """


class InvalidGrant(OAuthError):
    """``invalid_grant``: revoked, expired, rotated-out, ip restricted, bad code verifier..."""


class SignatureMismatch(SalesforceError):
    """The token response's ``signature`` doesn't match HMAC-SHA256(consumer secret, id +
    issued_at): the response was tampered with or the consumer secret is wrong. Raised by
    ``exchange_code`` only; ``token`` is the refused response (so it can be revoked)."""

    def __init__(self, description: str, token: "TokenResponse | None" = None):
        super().__init__(description)
        self.token = token


class SessionExpired(SalesforceError):
    """REST answered 401 ``INVALID_SESSION_ID``: the access token is no longer valid.
    ``description`` is Salesforce's ``message``."""


class SessionPolicyBlocked(SessionExpired):
    """REST answered 401 ``INVALID_SESSION_ID`` / "This session is not valid for use with the
    REST API": the External Client App's session policy (High Assurance session required, or
    sessions locked to the IP they started from) refuses the app's sessions, fresh ones too.
    A refresh can't fix it and the refresh token is fine. Being a SessionExpired, it still
    gets the one refresh a 401 gets (the admin may have just fixed the policy).
    Reference: https://github.com/jsforce/jsforce/pull/1301, https://github.com/NangoHQ/nango/issues/4344
    """


# REST's and SOAP's wording ("...for use with the REST API" / "...with the API").
_SESSION_POLICY_TEXTS = (
    "not valid for use with the rest api",
    "not valid for use with the api",
)


def session_policy_blocks_api(status: int, body: object) -> bool:
    """True when a REST answer (HTTP ``status``; ``body`` parsed JSON, text or bytes) is the
    401 a session policy causes (see SessionPolicyBlocked), not an ordinary expired session.
    For callers that read Salesforce's answers themselves, such as a proxy."""
    if status != 401:
        return False
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    if not isinstance(body, str):
        body = _rest_message(body)
    return any(text in body.lower() for text in _SESSION_POLICY_TEXTS)


class ApiError(SalesforceError):
    """Any other REST API error."""


@dataclass(frozen=True)
class TokenResponse:
    """A successful token response. ``refresh_token`` is None when Salesforce sent none (a
    refresh without rotation). ``issued_at`` is UTC; ``issued_at_raw`` is Salesforce's string
    of epoch milliseconds, needed to verify the signature."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    instance_url: str | None
    identity_url: str
    issued_at: datetime
    issued_at_raw: str
    signature: str = field(repr=False)
    scope: str
    signature_verified: bool = False

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())


@dataclass(frozen=True)
class Identity:
    """Who and which org a token belongs to, from the identity URL."""

    organization_id: str
    user_id: str
    username: str
    display_name: str = ""
    email: str = ""


def _timeout() -> float:
    return settings.SALESFORCE_HTTP_TIMEOUT


def new_code_verifier() -> str:
    """A PKCE ``code_verifier`` (RFC 7636 §4.1): 86 base64url characters. Salesforce rejects
    the ``~`` that RFC 7636 allows, so only ``[A-Za-z0-9_-]`` are used."""
    return secrets.token_urlsafe(64)


def code_challenge(code_verifier: str) -> str:
    """The S256 ``code_challenge`` for a verifier (RFC 7636 §4.2), computed by oauthlib."""
    return WebApplicationClient(None).create_code_challenge(code_verifier, "S256")


def new_state() -> str:
    """An unguessable ``state`` value (RFC 6749 §10.12)."""
    return secrets.token_urlsafe(32)


@sensitive_variables()
def authorization_url(
    login_url: str, consumer_key: str, redirect_uri: str, state: str, code_verifier: str
) -> str:
    """The URL to send the admin to: ``<login_url>/services/oauth2/authorize`` with
    ``response_type=code``, the scopes ``id api refresh_token``, ``state``, the S256
    ``code_challenge`` and ``prompt=login consent`` (pick the Salesforce user deliberately).
    Reference: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm
    """
    session = OAuth2Session(consumer_key, redirect_uri=redirect_uri, scope=SCOPES)
    url, _ = session.authorization_url(
        f"{login_url}/services/oauth2/authorize",
        state=state,
        code_challenge=code_challenge(code_verifier),
        code_challenge_method="S256",
        prompt="login consent",
    )
    return url


def _check_token_http_status(response: requests.Response) -> requests.Response:
    """requests-oauthlib compliance hook: 5xx, 429 and non-JSON bodies are outages, not
    OAuth errors; Salesforce's OAuth errors are JSON with HTTP 400 (or 401)."""
    if response.status_code >= 500 or response.status_code == 429:
        raise SalesforceUnavailable(
            f"Salesforce answered HTTP {response.status_code}.", status=response.status_code
        )
    try:
        body = response.json()
    except ValueError:
        raise SalesforceUnavailable(
            f"Salesforce answered HTTP {response.status_code} without a JSON body.",
            status=response.status_code,
        ) from None
    if not isinstance(body, dict):
        raise SalesforceUnavailable("Salesforce answered an unexpected JSON shape.")
    if "error" in body:
        error, description = str(body["error"]), str(body.get("error_description", ""))
        kind = InvalidGrant if error == "invalid_grant" else OAuthError
        raise kind(description, error=error, status=response.status_code)
    return response


def _token_session(consumer_key: str, redirect_uri: str | None = None) -> OAuth2Session:
    session = OAuth2Session(consumer_key, redirect_uri=redirect_uri)
    # A 307/308 would re-send the client secret and the code or refresh token to the
    # redirect's host: raise TooManyRedirects before following any (see ``unreachable``).
    session.max_redirects = 0
    session.register_compliance_hook("access_token_response", _check_token_http_status)
    session.register_compliance_hook("refresh_token_response", _check_token_http_status)
    return session


_pool = threading.local()
_rest_pool = threading.local()


def _pooled_session(pool: threading.local = _pool, max_redirects: int = 0) -> requests.Session:
    """This thread's ``requests.Session`` for refreshes (new after a fork): its connection
    pool keeps the token endpoint's connection open between refreshes (one TLS handshake per
    host, not per refresh), and it is built once instead of one ``OAuth2Session`` per call.
    Per thread because a Session isn't thread-safe; per process because a forked child must
    not share its parent's sockets."""
    session = getattr(pool, "session", None)
    if session is None or pool.pid != os.getpid():
        pool.session, pool.pid = _new_session(max_redirects), os.getpid()
        session = pool.session
    return session


def _new_session(max_redirects: int = 0) -> requests.Session:
    """A Session that reads the environment once instead of on every request. Without a
    proxy in the environment (``*_proxy``), requests' per-request look-up only scans
    ``os.environ`` twice (about 1 ms per refresh in a worker with 100+ variables), so it is
    turned off and the CA bundle variables it would read (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE)
    are applied here; ~/.netrc credentials, which it would add, are never wanted on a token
    request. With a proxy configured, requests' own handling (no_proxy per host) stays."""
    session = requests.Session()
    # 0, as in _token_session: never re-send credentials elsewhere. REST calls pass
    # allow_redirects=False instead and get the redirect back (requests raises
    # TooManyRedirects even then when the limit is 0).
    session.max_redirects = max_redirects
    # No cookie jar: a cookie one org's answer sets must never ride on another's request.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    if not urllib.request.getproxies():
        session.trust_env = False
        session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
    return session


def _post_refresh(
    token_url: str, consumer_key: str, consumer_secret: str, refresh_token: str, timeout: float
) -> dict:
    """What ``OAuth2Session(consumer_key).refresh_token(...)`` does, on the pooled session:
    oauthlib builds the form body (``grant_type=refresh_token``, the refresh token,
    ``client_id``, ``client_secret``; no ``scope``) and parses the response; the compliance
    hook's checks run in between. Unlike requests-oauthlib, a response without a
    ``refresh_token`` stays without one."""
    if not is_secure_transport(token_url):
        raise InsecureTransportError()
    client = WebApplicationClient(consumer_key)
    body = client.prepare_refresh_body(
        refresh_token=refresh_token, client_id=consumer_key, client_secret=consumer_secret
    )
    response = _pooled_session().post(
        token_url,
        data=dict(urldecode(body)),
        timeout=timeout,
        headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
    )
    _check_token_http_status(response)
    return client.parse_request_body_response(response.text)


def _parse_token(token: dict, consumer_secret: str) -> TokenResponse:
    """The token response, with ``signature_verified`` telling whether its signature matches
    ``consumer_secret``."""
    try:
        issued_at_raw = str(token["issued_at"])
        issued_at = datetime.fromtimestamp(int(issued_at_raw) / 1000, tz=UTC)
        identity_url = str(token["id"])
        access_token = str(token["access_token"])
    except (KeyError, TypeError, ValueError):
        raise SalesforceUnavailable(
            "Salesforce's token response is missing id, issued_at or access_token."
        ) from None
    signature = str(token.get("signature", ""))
    response = TokenResponse(
        access_token=access_token,
        refresh_token=str(token.get("refresh_token") or "") or None,
        instance_url=str(token.get("instance_url") or "") or None,
        identity_url=identity_url,
        issued_at=issued_at,
        issued_at_raw=issued_at_raw,
        signature=signature,
        scope=" ".join(token.get("scope") or [])
        if isinstance(token.get("scope"), list)
        else str(token.get("scope") or ""),
    )
    return replace(response, signature_verified=verify_signature(response, consumer_secret))


def verify_signature(token: TokenResponse, consumer_secret: str) -> bool:
    """True when ``signature`` is Base64(HMAC-SHA256(consumer secret, id + issued_at)).
    Reference: shared/salesforce-oauth.md §1.5 (Database.com REST API guide)."""
    expected = base64.b64encode(
        hmac.new(
            consumer_secret.encode(),
            (token.identity_url + token.issued_at_raw).encode(),
            hashlib.sha256,
        ).digest()
    ).decode()
    return hmac.compare_digest(expected, token.signature)


def _request_token(call, *sent: str | None) -> dict:
    """``call()``; Salesforce's error texts are redacted of the secrets ``sent``."""
    try:
        return call()
    except SalesforceError as error:
        raise error.redacted(sent) from None
    except requests.RequestException as error:
        raise unreachable(error) from None
    except OAuth2Error as error:  # a 200 whose body oauthlib rejects
        raise SalesforceUnavailable(
            f"Salesforce's token response was not understood ({error.error})."
        ) from None


@sensitive_variables()
def exchange_code(
    login_url: str,
    consumer_key: str,
    consumer_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> TokenResponse:
    """Exchange an authorization code (RFC 6749 §4.1.3) with ``client_secret`` and the PKCE
    ``code_verifier`` in the form body, and verify the signature.
    Raises OAuthError/InvalidGrant, SignatureMismatch or SalesforceUnavailable.
    Reference: https://developer.salesforce.com/docs/atlas.en-us.packagingGuide.meta/packagingGuide/secure_code_ac_eca.htm
    """
    session = _token_session(consumer_key, redirect_uri)
    token = _request_token(
        lambda: session.fetch_token(
            f"{login_url}/services/oauth2/token",
            code=code,
            include_client_id=True,
            client_secret=consumer_secret,
            code_verifier=code_verifier,
            timeout=_timeout(),
        ),
        consumer_secret,
        code_verifier,
        code,
    )
    response = _parse_token(dict(token), consumer_secret)
    if not response.signature_verified:
        # Nothing is stored yet, so refusing loses nothing; the caller may revoke ``token``.
        raise SignatureMismatch(
            "The signature of Salesforce's token response doesn't match the consumer secret.",
            token=response,
        )
    return response


@sensitive_variables()
def refresh(
    login_url: str,
    consumer_key: str,
    consumer_secret: str,
    refresh_token: str,
    timeout: float | None = None,
) -> TokenResponse:
    """Use a refresh token (RFC 6749 §6): ``client_id`` and ``client_secret`` in the body and
    no ``scope``. With refresh token rotation the response carries a new ``refresh_token``
    and the presented one is dead at once; without it ``refresh_token`` is None.
    A signature that doesn't match ``consumer_secret`` doesn't raise: the presented refresh
    token may already be dead, so the caller must store the response and check
    ``signature_verified``. Raises OAuthError/InvalidGrant or SalesforceUnavailable.
    Reference: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_oauth_refresh_token_flow_ca.htm
    """
    token = _request_token(
        lambda: _post_refresh(
            f"{login_url}/services/oauth2/token",
            consumer_key,
            consumer_secret,
            refresh_token,
            timeout or _timeout(),
        ),
        consumer_secret,
        refresh_token,
    )
    token = dict(token)
    # Salesforce echoing the presented token back is no rotation either.
    if token.get("refresh_token") == refresh_token:
        token.pop("refresh_token")
    return _parse_token(token, consumer_secret)


def _may_send_token(url: str, previous: str | None) -> bool:
    """The access token goes only to https URLs, or to http ones while insecure login hosts
    are allowed (the local emulator), and never to http after a redirect from https."""
    scheme = urlsplit(url).scheme
    if scheme == "https":
        return True
    if scheme != "http" or not settings.ALLOW_INSECURE_LOGIN_HOSTS:
        return False
    return previous is None or urlsplit(previous).scheme == "http"


def _get(url: str, access_token: str) -> requests.Response:
    """GET with the Bearer token, following up to MAX_REDIRECTS redirects here: requests
    drops the Authorization header when a redirect changes host, and Salesforce may redirect
    the identity URL (salesforce-oauth.md §1.2)."""
    previous = None
    for _ in range(MAX_REDIRECTS + 1):
        if not _may_send_token(url, previous):
            parts = urlsplit(url)
            raise ApiError(
                f"Orgkeeper doesn't send the access token to {parts.scheme}://{parts.netloc}: "
                "only HTTPS is allowed."
            )
        try:
            response = requests.get(
                url,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=_timeout(),
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise unreachable(error) from None
        location = response.headers.get("Location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return response
        previous, url = url, urljoin(url, location)
    raise ApiError(f"Salesforce redirected more than {MAX_REDIRECTS} times.")


def _get_json(url: str, access_token: str) -> object:
    try:
        return _read_json(_get(url, access_token))
    except SalesforceError as error:
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
        raise SalesforceUnavailable(
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
    """Read the identity URL (GET with Bearer token; a few redirects followed, see ``_get``).
    Reference: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_using_openid.htm
    """
    body = _get_json(identity_url, access_token)
    if not isinstance(body, dict):
        raise SalesforceUnavailable("The identity URL answered an unexpected JSON shape.")
    try:
        return Identity(
            organization_id=str(body["organization_id"]),
            user_id=str(body["user_id"]),
            username=str(body["username"]),
            display_name=str(body.get("display_name", "")),
            email=str(body.get("email", "")),
        )
    except KeyError as error:
        raise SalesforceUnavailable(f"The identity URL's answer lacks {error.args[0]}.") from None


@sensitive_variables()
def api_probe(instance_url: str, access_token: str) -> object:
    """One lightweight REST call (``GET /services/data/``, the API versions list).
    Raises SessionExpired on 401 INVALID_SESSION_ID (SessionPolicyBlocked when the app's
    session policy refuses API use), ApiError or SalesforceUnavailable.
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
    Raises SalesforceUnavailable or OAuthError.
    Reference: https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_revoke_token.htm
    """
    try:
        response = requests.post(
            f"{login_url}/services/oauth2/revoke",
            data={"token": token},
            timeout=_timeout(),
            allow_redirects=False,  # never re-send the token to a redirect's host
        )
    except requests.RequestException as error:
        raise unreachable(error) from None
    if response.status_code == 200:
        return
    if response.status_code in REDIRECT_STATUSES:
        location = response.headers.get("Location", "")
        raise _redirect_refused("Salesforce redirected the revoke", location)
    if response.status_code >= 500 or response.status_code == 429:
        raise SalesforceUnavailable(
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
    Raises SalesforceUnavailable (no answer) or ApiError (``url`` isn't HTTPS).
    Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_resources.htm
    """
    if not _may_send_token(url, None):
        parts = urlsplit(url)
        raise ApiError(
            f"Orgkeeper doesn't send the access token to {parts.scheme}://{parts.netloc}: "
            "only HTTPS is allowed."
        )
    try:
        return _pooled_session(_rest_pool, max_redirects=1).request(
            method,
            url,
            headers={**headers, "Authorization": f"Bearer {access_token}"},
            data=body,
            timeout=_timeout(),
            allow_redirects=False,
            stream=True,
        )
    except requests.RequestException as error:
        raise unreachable(error) from None
