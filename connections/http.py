"""Orgkeeper's one way out to a provider: ``send()`` on a pooled, per-thread session, with
timeouts, redirects never followed with credentials, and failures mapped once to the
provider error types (connections.errors). Names no URL path or parameter in an
error, so no secret."""

import os
import threading
import urllib.request
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
)

from .errors import ApiError, Unavailable

MAX_REDIRECTS = 3
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class _Pool:
    """Per-thread sessions of one kind. ``max_redirects`` 0 (token requests): a redirect
    raises TooManyRedirects before anything is re-sent; 1 (everything else, sent with
    ``allow_redirects=False``): the redirect comes back as the answer (requests raises
    TooManyRedirects even then when the limit is 0)."""

    max_redirects: int
    local: threading.local


TOKENS = _Pool(0, threading.local())
REST = _Pool(1, threading.local())


def timeout() -> float:
    """Seconds a request may take (SALESFORCE_HTTP_TIMEOUT; the setting's name predates
    other providers)."""
    return settings.SALESFORCE_HTTP_TIMEOUT


def pooled_session(pool: _Pool = TOKENS) -> requests.Session:
    """This thread's ``requests.Session`` of ``pool`` (new after a fork): its connection pool
    keeps a host's connection open between requests (one TLS handshake per host, not per
    refresh), and it is built once instead of once per call. Per thread because a Session
    isn't thread-safe; per process because a forked child must not share its parent's
    sockets."""
    local = pool.local
    session = getattr(local, "session", None)
    if session is None or local.pid != os.getpid():
        local.session, local.pid = new_session(pool.max_redirects), os.getpid()
        session = local.session
    return session


def new_session(max_redirects: int = 0) -> requests.Session:
    """A Session that reads the environment once instead of on every request. Without a
    proxy in the environment (``*_proxy``), requests' per-request look-up only scans
    ``os.environ`` twice (about 1 ms per refresh in a worker with 100+ variables), so it is
    turned off and the CA bundle variables it would read (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE)
    are applied here; ~/.netrc credentials, which it would add, are never wanted on a token
    request. With a proxy configured, requests' own handling (no_proxy per host) stays."""
    session = requests.Session()
    session.max_redirects = max_redirects
    # No cookie jar: a cookie one org's answer sets must never ride on another's request.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    if not urllib.request.getproxies():
        session.trust_env = False
        session.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
    return session


def send(
    method: str,
    url: str,
    *,
    who: str,
    pool: _Pool = REST,
    timeout_seconds: float | None = None,
    **kwargs,
) -> requests.Response:
    """Send one request on ``pool``'s session, never following a redirect (the answer is
    the redirect; on TOKENS a redirect raises, see ``unreachable``). ``who`` names the
    provider in errors ("Salesforce"). ``timeout_seconds``: default ``timeout()``.
    ``kwargs`` go to ``requests.Session.request``. Raises Unavailable when no usable HTTP
    answer came back."""
    try:
        return pooled_session(pool).request(
            method,
            url,
            timeout=timeout_seconds or timeout(),
            allow_redirects=False,
            **kwargs,
        )
    except requests.RequestException as error:
        raise unreachable(error, who) from None


def may_send_token(url: str, previous: str | None = None) -> bool:
    """An access token goes only to https URLs, or to http ones while insecure login hosts
    are allowed (the local emulator), and never to http after a redirect from https."""
    scheme = urlsplit(url).scheme
    if scheme == "https":
        return True
    if scheme != "http" or not settings.ALLOW_INSECURE_LOGIN_HOSTS:
        return False
    return previous is None or urlsplit(previous).scheme == "http"


def check_token_destination(url: str, previous: str | None = None) -> None:
    """Raise ApiError unless ``may_send_token(url, previous)``."""
    if not may_send_token(url, previous):
        parts = urlsplit(url)
        raise ApiError(
            f"Orgkeeper doesn't send the access token to {parts.scheme}://{parts.netloc}: "
            "only HTTPS is allowed."
        )


def get_with_token(url: str, access_token: str, *, who: str) -> requests.Response:
    """GET with the Bearer token, following up to MAX_REDIRECTS redirects here: requests
    drops the Authorization header when a redirect changes host, and an identity URL may
    redirect. Each hop must pass ``may_send_token``. Raises ApiError or Unavailable."""
    previous = None
    for _ in range(MAX_REDIRECTS + 1):
        check_token_destination(url, previous)
        response = send("GET", url, who=who, headers={"Authorization": f"Bearer {access_token}"})
        location = response.headers.get("Location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return response
        previous, url = url, urljoin(url, location)
    raise ApiError(f"{who} redirected more than {MAX_REDIRECTS} times.")


def unreachable(error: requests.RequestException, who: str) -> Unavailable:
    """The Unavailable for a request that got no usable HTTP answer: which host, and why in
    plain words. ``who`` names the provider ("Salesforce")."""
    request = getattr(error, "request", None)
    host = urlsplit(request.url).netloc if request is not None and request.url else ""
    where = f"{who} at {host}" if host else who
    reason = (
        error.args[0].reason if error.args and isinstance(error.args[0], MaxRetryError) else None
    )
    if isinstance(error, requests.TooManyRedirects):
        response = error.response
        location = response.headers.get("Location", "") if response is not None else ""
        return redirect_refused(f"{where} redirected the request", location)
    if isinstance(error, requests.exceptions.ProxyError):
        return Unavailable(f"Could not reach {where} through the proxy (*_PROXY).")
    if isinstance(error, requests.exceptions.SSLError):
        return Unavailable(f"The TLS connection to {where} failed (certificate or handshake).")
    if isinstance(error, requests.ConnectTimeout) or isinstance(reason, ConnectTimeoutError):
        # urllib3's NewConnectionError (refused, unreachable, DNS) is a ConnectTimeoutError.
        if isinstance(reason, NameResolutionError):
            why = "its host name doesn't resolve (DNS)"
        elif isinstance(reason, NewConnectionError):
            why = "the connection was refused or the network is unreachable"
        else:
            why = "no connection within the timeout"
        return Unavailable(f"Could not reach {where}: {why}.", sent=False)
    if isinstance(error, requests.ReadTimeout):
        return Unavailable(f"{where} didn't answer within the timeout.")
    if isinstance(error, requests.ConnectionError):
        return Unavailable(f"The connection to {where} broke before an answer.")
    if isinstance(
        error, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return Unavailable(f"The answer from {where} was cut off or unreadable.")
    return Unavailable(f"Could not reach {where} ({type(error).__name__}).")


def redirect_refused(what: str, location: str) -> Unavailable:
    """``what`` ("<who> redirected the <request>") was not followed: a redirect would re-send
    the credentials in the body to another host. Names only the redirect's host."""
    target = urlsplit(location).netloc or "another address"
    return Unavailable(
        f"{what} to {target}; Orgkeeper doesn't follow redirects with credentials. Check the "
        "connection's login URL (My Domain)."
    )


def json_object(response: requests.Response, who: str) -> dict:
    """The JSON object of a token endpoint's answer (it may hold an OAuth ``error``). HTTP 5xx
    and 429, and a body that isn't a JSON object, raise Unavailable: an outage, not an OAuth
    error (RFC 6749 §5.2 errors are JSON objects with HTTP 400 or 401)."""
    status = response.status_code
    if status >= 500 or status == 429:
        raise Unavailable(f"{who} answered HTTP {status}.", status=status)
    try:
        body = response.json()
    except ValueError:
        raise Unavailable(
            f"{who} answered HTTP {status} without a JSON body.", status=status
        ) from None
    if not isinstance(body, dict):
        raise Unavailable(f"{who} answered an unexpected JSON shape.", status=status)
    return body
