"""Drive the emulator's sign-in, consent and admin-consent pages over real HTTP, like a browser
(with a cookie jar, so a later `prompt=none` request finds the single sign-on session)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import requests


class SignInFailed(Exception):
    """The flow stopped on a page (an error page, or the sign-in form with an error)."""


class _Page(HTMLParser):
    """The first form: its action, hidden fields, `decision` buttons; and any error text."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.decisions: list[str] = []
        self.has_password = False
        self.error = ""
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.hidden[values.get("name", "")] = values.get("value", "")
        elif tag == "input" and values.get("type") == "password":
            self.has_password = True
        elif tag == "button" and values.get("name") == "decision":
            self.decisions.append(values.get("value", ""))
        elif tag == "p" and "error" in values.get("class", "").split():
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.error += data.strip()


def with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


class Browser:
    """One cookie jar across sign-ins. `open()` returns the Location of the redirect to the app."""

    def __init__(self, timeout: float = 10) -> None:
        self.session = requests.Session()
        self.timeout = timeout

    def _read(self, response: requests.Response) -> _Page:
        page = _Page()
        page.feed(response.text)
        if response.status_code != 200 or page.action is None:
            raise SignInFailed(f"HTTP {response.status_code} at {response.url}: {page.error}")
        return page

    def _post(self, base: str, page: _Page, data: dict[str, str]) -> requests.Response:
        return self.session.post(
            urljoin(base, page.action or ""),
            data={**page.hidden, **data},
            allow_redirects=False,
            timeout=self.timeout,
        )

    def open(
        self,
        url: str,
        username: str,
        password: str,
        consent: bool = True,
        for_organization: bool = False,
    ) -> str:
        """Sign in; on a consent page Accept (or Cancel); on "Need admin approval" return to
        the app; on the admin-consent page Accept (or Cancel)."""
        response = self.session.get(url, allow_redirects=False, timeout=self.timeout)
        for _step in range(4):
            if response.is_redirect:
                return response.headers["Location"]
            page = self._read(response)
            if page.has_password:
                if page.error:
                    raise SignInFailed(page.error)
                response = self._post(url, page, {"username": username, "password": password})
                username = ""  # a second sign-in form means the first was refused
                continue
            if "blocked" in page.decisions:
                decision = {"decision": "blocked"}
            else:
                decision = {"decision": "accept" if consent else "cancel"}
                if for_organization:
                    decision["for_organization"] = "1"
            response = self._post(url, page, decision)
        raise SignInFailed("the flow did not end in a redirect")


def sign_in(
    url: str, username: str, password: str, consent: bool = True, for_organization: bool = False
) -> str:
    """`Browser().open(...)` with a fresh cookie jar."""
    return Browser().open(url, username, password, consent, for_organization)
