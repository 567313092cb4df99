"""Keeping secrets (consumer secrets, tokens, code verifiers) out of what Orgkeeper shows and
logs: redaction of a provider's words, and a filter for the OAuth libraries' DEBUG logs."""

import logging
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
# Shorter values are not redacted: replacing them would garble ordinary words.
MIN_REDACTED_LENGTH = 8
# requests-oauthlib logs token request bodies (client_secret, code_verifier, refresh_token)
# and token responses at DEBUG; oauthlib can too.
CHATTY_LIBRARIES = ("requests_oauthlib", "oauthlib")


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` (a provider's words, a callback parameter) with each of ``secrets`` that
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
