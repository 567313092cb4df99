"""Where a webhook may be sent. In production only https URLs whose host resolves to public
addresses: loopback, private, link-local and other non-global addresses are refused (SSRF).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES and WEBHOOK_ALLOW_HTTP relax this for development and tests.

The host's addresses are checked before the request (a clear error), and ``session()``
checks the address each connection actually reached before a byte is sent, so a name that
resolves differently the second time (DNS rebinding) is refused too.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .deadline import Deadline


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
        check_address(info[4][0], parts.hostname)


def check_address(text: str, host: str) -> None:
    """Raise RefusedDestination unless ``text`` (an IP address ``host`` resolved to) is a
    public address, or WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on."""
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    address = ipaddress.ip_address(text.split("%")[0])
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast:
        raise RefusedDestination(
            f"The host {host} resolves to {address}, a loopback, private or link-local "
            "address: webhooks go to public addresses only."
        )


class _PeerChecked:
    """Checks the address the socket connected to before anything is sent on it, and puts
    the socket under the attempt's deadline (webhooks.deadline)."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        try:
            check_address(sock.getpeername()[0], self.host)
            Deadline.watch(self, sock)
        except (RefusedDestination, TimeoutError):
            sock.close()
            raise
        return sock


class _HTTPConnection(_PeerChecked, HTTPConnection):
    pass


class _HTTPSConnection(_PeerChecked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _PeerCheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def session() -> requests.Session:
    """A requests session whose connections are refused when they reach a non-public
    address; no proxy from the environment (its address would be the one checked)."""
    checked = requests.Session()
    checked.trust_env = False
    adapter = _PeerCheckedAdapter()
    checked.mount("http://", adapter)
    checked.mount("https://", adapter)
    return checked
