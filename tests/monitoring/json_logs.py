"""Capture log records as LOG_FORMAT=json prints them (the settings' formatter and filter)."""

import io
import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from monitoring import logs
from monitoring.logs import JSON_FORMATTER, ContextFilter


class JsonLines(logging.StreamHandler):
    def __init__(self):
        super().__init__(io.StringIO())
        options = {key: value for key, value in JSON_FORMATTER.items() if key != "()"}
        self.setFormatter(JsonFormatter(**options))
        self.addFilter(ContextFilter())

    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict]:
        """Each line parsed on its own (fails on a line that isn't one JSON object)."""
        return [json.loads(line) for line in self.text().splitlines()]


# The HTTP and OAuth libraries log requests at DEBUG: record them too (as tests/security does).
LIBRARIES = ("oauthlib", "requests_oauthlib", "urllib3", "django", "connections", "axes")


@pytest.fixture
def json_logs():
    """Everything logged at DEBUG and above, libraries included, as JSON lines."""
    logs.clear()  # what earlier tests bound outside a request (direct keep-alive calls)
    handler = JsonLines()
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in (*LIBRARIES, None)}
    root.addHandler(handler)
    for name in (*LIBRARIES, None):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
