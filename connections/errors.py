"""What a failure means for a connection, in the provider's terms turned into Orgkeeper's.

Kinds:
- ``transient``: outage, timeout, HTTP 5xx/429, or a concurrent token request; retry with
  backoff, the connection stays connected.
- ``needs_reauthorization``: the refresh token (or its user/org) is dead; someone must sign
  in again. No retries.
- ``misconfigured``: the app registration or our server setup is wrong; retried slowly so
  the connection recovers by itself once an admin fixes it.

Each provider maps its own errors to a Classification (``Provider.classify``), and a failed
sign-in or check to a Guidance (what the page shows); reasons are plain words for the team and
may quote the provider's error text (never a secret).
"""

from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    TRANSIENT = "transient"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"
    MISCONFIGURED = "misconfigured"


@dataclass(frozen=True)
class Classification:
    """``kind``; ``reason`` in plain words; ``step``: the number of the setup checklist's
    step that fixes it, or None."""

    kind: ErrorKind
    reason: str
    step: int | None = None

    @property
    def retry(self) -> bool:
        return self.kind == ErrorKind.TRANSIENT


@dataclass(frozen=True)
class Guidance:
    """What went wrong and what to do. ``detail`` is the provider's own words (escape it
    when rendering), ``source`` names that provider; ``http_status`` is the status of the
    page that shows it."""

    title: str
    message: str
    step: int | None = None
    detail: str = ""
    http_status: int = 400
    source: str = ""

    @property
    def summary(self) -> str:
        """One line for events and ``last_error``; never holds a secret."""
        text = f"{self.title} {self.message}"
        return f"{text} ({self.source or 'details'}: {self.detail})" if self.detail else text
