"""A ``requests.Session`` for clients that only speak HTTPS to an instance URL, such as
simple-salesforce (its ``api.py`` builds every URL as ``https://{instance}/...``), pointed at
the emulator's plain-HTTP server: https requests for the emulator's host go out as http."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter


class PlainHTTPAdapter(HTTPAdapter):
    """Sends each request it gets over plain HTTP."""

    def send(self, request, *args, **kwargs):
        request.url = "http://" + request.url.removeprefix("https://")
        return super().send(request, *args, **kwargs)


def plain_http_session(base_url: str) -> requests.Session:
    """A session whose ``https://<base_url's host:port>`` requests use plain HTTP."""
    session = requests.Session()
    session.mount(f"https://{urlsplit(base_url).netloc}", PlainHTTPAdapter())
    return session
