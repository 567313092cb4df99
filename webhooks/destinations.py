"""Where a webhook may be sent. In production only https URLs whose host resolves to public
addresses: loopback, private, link-local and other non-global addresses are refused (SSRF).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES and WEBHOOK_ALLOW_HTTP relax this for development and tests.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class RefusedDestination(Exception):
    """The URL may not receive webhooks; the message says why (shown to the team)."""


def check_url(url: str) -> None:
    """Raise RefusedDestination unless ``url`` is an acceptable webhook URL (scheme, host,
    credentials); no DNS lookup here."""
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise RefusedDestination("The URL must start with https://.")
    if not parts.hostname:
        raise RefusedDestination("The URL has no host.")
    if parts.username or parts.password:
        raise RefusedDestination("The URL may not contain a user name or password.")


def check_destination(url: str) -> None:
    """Raise RefusedDestination unless every address the URL's host resolves to may receive
    webhooks (the resolved addresses are checked, not the host name)."""
    check_url(url)
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedDestination(f"The host {parts.hostname} doesn't resolve.") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise RefusedDestination(
                f"The host {parts.hostname} resolves to {address}, a loopback, private or "
                "link-local address: webhooks go to public addresses only."
            )
