"""The OAuth callback URL(s) admins register in their External Client App, and which one a
flow sends as ``redirect_uri``.

Salesforce compares ``redirect_uri`` with the app's registered Callback URLs, and the token
request must repeat the authorize request's value exactly (RFC 6749 §4.1.3). When Orgkeeper
runs on a domain name, admins register the callback on the domain and on the outbound IP
address, each on its own line (the setup checklist's step 3).
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

OAUTH_CALLBACK_PATH = "/api/connections/oauth/callback"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def public_callback_url() -> str:
    """``PUBLIC_BASE_URL`` + the callback path."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + OAUTH_CALLBACK_PATH


def outbound_ip_callback_url() -> str:
    """The callback on ``SERVER_OUTBOUND_IP`` (same scheme and port), or "" when
    PUBLIC_BASE_URL already uses an IP address or no outbound IP is configured."""
    ip = settings.SERVER_OUTBOUND_IP.strip()
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    if not ip or not parts.hostname or _is_ip(parts.hostname):
        return ""
    host = f"[{ip}]" if ":" in ip else ip
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{OAUTH_CALLBACK_PATH}"


def callback_urls() -> list[str]:
    """Every callback URL to register, the PUBLIC_BASE_URL one first."""
    return [url for url in (public_callback_url(), outbound_ip_callback_url()) if url]


def redirect_uri_for(request_host: str) -> str:
    """The registered callback whose host (and port) is the one the admin is using
    (``request.get_host()``), so the session cookie comes back with the callback; the
    PUBLIC_BASE_URL one otherwise."""
    wanted = request_host.lower()
    for url in callback_urls():
        if urlsplit(url).netloc.lower() == wanted:
            return url
    return public_callback_url()


def address_to_use(request_host: str, path: str) -> str:
    """ "" when the admin browses on a host (and port) that a callback URL uses; otherwise the
    PUBLIC_BASE_URL address of ``path``. Salesforce sends the browser back to a registered
    callback after Allow; on another host (localhost for 127.0.0.1) this browser's session
    cookie doesn't come along, and the sign-in is lost."""
    wanted = request_host.lower()
    if any(urlsplit(url).netloc.lower() == wanted for url in callback_urls()):
        return ""
    return settings.PUBLIC_BASE_URL.rstrip("/") + path
