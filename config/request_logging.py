"""Keeping the OAuth callback's ``code`` and ``state`` out of Orgkeeper's own request logs.

Salesforce sends the admin back to the callback with the authorization code and ``state`` in
the query string (RFC 6749 §4.1.2). The query string of a callback URL is replaced by
``[redacted]`` in runserver's access log (the ``django.server`` logger) and the console log
(``RedactCallbackQuery``), gunicorn's access log (config/gunicorn_logging.py) and Django's
error reports (``RedactingExceptionReporter``).
"""

import logging
import re
from functools import cache

from django.views.debug import ExceptionReporter

REDACTED = "[redacted]"


@cache
def _callback_path() -> str:
    from connections.callback_urls import OAUTH_CALLBACK_PATH

    return OAUTH_CALLBACK_PATH


@cache
def _callback_url() -> re.Pattern:
    # Also URL-encoded, as in the sign-in page's ?next= after a lost session: the path's
    # slashes as / or %2F, then ?... or %3F... up to the next parameter.
    path = "(?:/|%2F)".join(re.escape(part) for part in _callback_path().split("/"))
    return re.compile(rf"({path})(?:\?[^\s\"'<>]*|%3F[^\s\"'<>&]*)", re.IGNORECASE)


def redact_callback_query(text: str) -> str:
    """``text`` with the query string of every callback URL in it (plain or URL-encoded)
    replaced by [redacted]."""
    return _callback_url().sub(rf"\1?{REDACTED}", text)


def is_callback(path: str | None) -> bool:
    return path == _callback_path()


class RedactCallbackQuery(logging.Filter):
    """A handler filter: a record whose message holds a callback URL's query string gets the
    redacted message instead (its arguments merged into it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_callback_query(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingExceptionReporter(ExceptionReporter):
    """Django's error report (the email to ADMINS, the DEBUG page) without the callback's
    query: its URL, GET parameters and the request headers that repeat them."""

    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        if self.request is None:
            return data
        on_callback = is_callback(self.request.path_info)
        query = self.request.META.get("QUERY_STRING") if on_callback else None
        data["request_GET_items"] = [
            (key, REDACTED if on_callback else _redact(value))
            for key, value in self.request.GET.items()
        ]
        data["request_insecure_uri"] = _redact(data.get("request_insecure_uri", ""))
        data["request_meta"] = {
            key: REDACTED if query and value == query else _redact(value)
            for key, value in data.get("request_meta", {}).items()
        }
        return data


def _redact(value):
    return redact_callback_query(value) if isinstance(value, str) else value
