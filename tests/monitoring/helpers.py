"""The helpers of the monitoring tests: log records captured as LOG_FORMAT=json prints them
(the settings' formatter and filter), and /metrics read in tests."""

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pythonjsonlogger.json import JsonFormatter

from monitoring import logs
from monitoring.logs import JSON_FORMATTER, ContextFilter

TOKEN = "metrics-token-for-tests"


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    return response.content.decode()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """``{(sample name, sorted label items): value}``."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


def increase(before: dict, after: dict) -> dict[str, int]:
    """How much each outcome's count (the first value of its tuple) rose between two readings
    ``{outcome: (count, ...)}``; outcomes that didn't change are left out."""
    return {
        outcome: int(after[outcome][0] - before[outcome][0])
        for outcome in before
        if after[outcome][0] != before[outcome][0]
    }


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
