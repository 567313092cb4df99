"""Drive the emulator's sign-in and Allow/Deny pages over real HTTP, like a browser."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class SignInFailed(Exception):
    """The authorize flow stopped on a page instead of redirecting to the callback."""


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.errors: list[str] = []
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.hidden[values.get("name", "")] = values.get("value", "")
        elif tag == "p" and "error" in values.get("class", "").split():
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error and data.strip():
            self.errors.append(data.strip())


def _parse(response: requests.Response) -> _FormParser:
    parser = _FormParser()
    parser.feed(response.text)
    if response.status_code != 200 or parser.action is None:
        detail = " ".join(parser.errors) or response.text[:300]
        raise SignInFailed(f"HTTP {response.status_code} at {response.url}: {detail}")
    return parser


def sign_in_and_allow(
    authorize_url: str, username: str, password: str, allow: bool = True, timeout: float = 10
) -> str:
    """Open `authorize_url`, sign in, press Allow (or Deny); return the callback Location."""
    with requests.Session() as session:
        response = session.get(authorize_url, allow_redirects=False, timeout=timeout)
        if response.is_redirect:
            return response.headers["Location"]
        login_form = _parse(response)
        response = session.post(
            urljoin(response.url, login_form.action),
            data={**login_form.hidden, "username": username, "password": password},
            allow_redirects=False,
            timeout=timeout,
        )
        if response.is_redirect:
            return response.headers["Location"]
        consent_form = _parse(response)
        if (
            consent_form.errors
            or "pending" not in consent_form.hidden
            or "/login" in consent_form.action
        ):
            raise SignInFailed(" ".join(consent_form.errors) or "sign-in was not accepted")
        response = session.post(
            urljoin(response.url, consent_form.action),
            data={**consent_form.hidden, "decision": "allow" if allow else "deny"},
            allow_redirects=False,
            timeout=timeout,
        )
        if not response.is_redirect:
            raise SignInFailed(
                f"HTTP {response.status_code} after Allow/Deny: {response.text[:300]}"
            )
        return response.headers["Location"]
