"""The canary flow (wizard, callback, pages, Test connection, rotating refresh, refresh after a
401, Disconnect) with LOG_FORMAT=json's formatter, which also prints each record's extra
fields: no canary in any JSON line. And none in any /metrics label or value, nor a
connection's name or code, even when a secret is sent in an API path."""

import pytest

from tests.monitoring.metrics_support import TOKEN, samples, scrape
from tests.security.conftest import MARKERS, REFRESH_TOKEN, assert_no_canary
from tests.security.test_it_keeps_secrets_out_of_the_whole_flow import connect, use

pytestmark = pytest.mark.usefixtures("public_urls", "canary_verifier")


def test_json_logs_and_metrics_hold_no_canary(alice_recorder, team, rsps, json_logs, settings):
    settings.METRICS_TOKEN = TOKEN
    connection = connect(alice_recorder, team, rsps)
    use(alice_recorder, team, connection, rsps)

    records = json_logs.records()  # every line parses
    assert len(records) > 10
    assert any(record["connection_code"] == str(connection.code) for record in records)
    assert_no_canary(json_logs.text().splitlines(), "a JSON log line")

    # A client that puts a secret in an API path: the path is never a label.
    alice_recorder.get(f"/api/v1/connections/{REFRESH_TOKEN}/")
    alice_recorder.get("/api/v1/tokens/", {"refresh_token": REFRESH_TOKEN})
    text = scrape(alice_recorder)
    assert_no_canary([text], "/metrics")
    labels = {value for (_, items), _ in samples(text).items() for _, value in items}
    assert not [label for label in labels if any(marker in label for marker in MARKERS)]
    assert connection.name not in text
    assert str(connection.code) not in text
