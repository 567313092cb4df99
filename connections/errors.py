"""What a failure means for a connection, in the provider's terms turned into Orgkeeper's.

Kinds:
- ``transient``: outage, timeout, HTTP 5xx/429, or a concurrent token request; retry with
  backoff, the connection stays connected.
- ``needs_reauthorization``: the refresh token (or its user/org) is dead; someone must sign
  in again. No retries.
- ``misconfigured``: the app registration or our server setup is wrong; retried slowly so
  the connection recovers by itself once an admin fixes it.

A provider raises the ProviderError types below; it maps them to a Classification
(``Provider.classify``), and a failed sign-in or check to a Guidance (what the page shows).
Reasons are plain words for the team and may quote the provider's error text (never a secret).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .secrets import redact


class ErrorKind(StrEnum):
    TRANSIENT = "transient"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"
    MISCONFIGURED = "misconfigured"


@dataclass(frozen=True)
class Classification:
    """``kind``; ``reason`` in plain words; ``step``: the number of the setup checklist's
    step that fixes it, or None; ``lost``: the refresh token was lost in flight (an earlier
    refresh rotated it and its answer was never stored), which monitoring counts apart."""

    kind: ErrorKind
    reason: str
    step: int | None = None
    lost: bool = False

    @property
    def retry(self) -> bool:
        return self.kind == ErrorKind.TRANSIENT


@dataclass(frozen=True)
class Guidance:
    """What went wrong and what to do. ``detail`` is the provider's own words (escape it
    when rendering), ``source`` names that provider; ``http_status`` is the status of the
    page that shows it. ``step`` is the provider's setup checklist step to fix;
    ``show_setup_values``: the page shows the values to paste into the provider's app
    registration (the provider's ``setup_values_template``) with that step."""

    title: str
    message: str
    step: int | None = None
    detail: str = ""
    http_status: int = 400
    source: str = ""
    show_setup_values: bool = False

    @property
    def summary(self) -> str:
        """One line for events and ``last_error``; never holds a secret."""
        text = f"{self.title} {self.message}"
        return f"{text} ({self.source or 'details'}: {self.detail})" if self.detail else text


# --- What a provider raises (connections.providers.base hands these on) -----------------


class ProviderError(Exception):
    """Base class. ``error`` and ``description`` are the provider's own words when it gave
    any; ``status`` is the HTTP status."""

    def __init__(self, description: str, error: str = "", status: int | None = None):
        super().__init__(f"{error}: {description}" if error else description)
        self.error = error
        self.description = description
        self.status = status

    def redacted(self, secrets: Iterable[str | None]) -> "ProviderError":
        """This error, with ``secrets`` (what Orgkeeper sent in the request) removed from
        the provider's words: an error text may echo them back."""
        secrets = list(secrets)
        self.error = redact(self.error, secrets)
        self.description = redact(self.description, secrets)
        self.args = tuple(redact(str(arg), secrets) for arg in self.args)
        return self


class Unavailable(ProviderError):
    """Network error, timeout, HTTP 5xx or 429, or a body that isn't the provider's JSON.
    Transient: retry later. ``sent`` is False only when the connection could not be opened
    (refused, unresolvable host, connect timeout): the request never left, so the provider
    can't have acted on it."""

    def __init__(
        self, description: str, error: str = "", status: int | None = None, sent: bool = True
    ):
        super().__init__(description, error=error, status=status)
        self.sent = sent


class OAuthError(ProviderError):
    """The token endpoint answered ``{"error": ..., "error_description": ...}``
    (RFC 6749 §5.2, https://www.rfc-editor.org/rfc/rfc6749#section-5.2)."""


class InvalidGrant(OAuthError):
    """``invalid_grant``: the code or refresh token is revoked, expired or rotated out."""


class SignatureMismatch(ProviderError):
    """A sign-in's token response failed the provider's integrity check (Salesforce: its
    signature doesn't match the client secret). ``grant`` is the refused response, so it
    can be revoked."""

    def __init__(self, description: str, grant=None):
        super().__init__(description)
        self.grant = grant


class SessionExpired(ProviderError):
    """The API answered 401: the access token is no longer valid."""


class SessionPolicyBlocked(SessionExpired):
    """The API refuses the app's sessions, fresh ones too (a session policy): a refresh
    can't fix it and the refresh token is fine. Being a SessionExpired, it still gets the
    one refresh a 401 gets (the admin may have just fixed the policy)."""


class ApiError(ProviderError):
    """Any other API error."""
