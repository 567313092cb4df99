"""The canary flow (wizard, callback, pages, Test connection, rotating refresh, refresh after a
401, Disconnect) with LOG_FORMAT=json's formatter, which also prints each record's extra
fields: no canary in any JSON line. And none in any /metrics label or value, nor a
connection's name or code, even when a secret is sent in an API path; nor a webhook's URL
(which may carry a secret), signing secret, endpoint, delivery or team."""

import pytest

from monitoring import metrics
from tests.monitoring.helpers import TOKEN, samples, scrape
from tests.security.conftest import CANARY_REFRESH_TOKEN, MARKERS, assert_no_canary
from tests.security.test_it_keeps_secrets_out_of_the_whole_flow import connect, use
from tests.webhooks.helpers import Receiver
from webhooks import tasks
from webhooks.models import Endpoint

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
    alice_recorder.get(f"/api/v1/connections/{CANARY_REFRESH_TOKEN}/")
    alice_recorder.get("/api/v1/tokens/", {"refresh_token": CANARY_REFRESH_TOKEN})
    text = scrape(alice_recorder)
    assert_no_canary([text], "/metrics")
    labels = {value for (_, items), _ in samples(text).items() for _, value in items}
    assert not [label for label in labels if any(marker in label for marker in MARKERS)]
    assert connection.name not in text
    assert str(connection.code) not in text


def test_webhook_metrics_hold_no_url_secret_endpoint_or_team(client, settings, team, alice):
    settings.METRICS_TOKEN = TOKEN
    deliveries = []
    with Receiver() as ok, Receiver(statuses=[500]) as failing:
        for receiver in (ok, failing):
            url = f"{receiver.url}/{CANARY_REFRESH_TOKEN}?token={CANARY_REFRESH_TOKEN}"
            endpoint, _ = Endpoint.create(team, url, [], alice)
            deliveries.append(tasks.send_test_event(endpoint, alice))
            tasks.attempt_delivery(deliveries[-1].pk)
        assert (len(ok.received), len(failing.received)) == (1, 1)

    text = scrape(client)
    assert_no_canary([text], "/metrics")
    webhook_labels = {
        label
        for (name, items), _ in samples(text).items()
        if name.startswith("orgkeeper_webhook_")
        for label in items
        if label[0] != "le"  # histogram buckets
    }
    assert webhook_labels == {("outcome", outcome) for outcome in metrics.WEBHOOK_OUTCOMES} | {
        ("state", state) for state in metrics.ENDPOINT_STATES
    }
    for endpoint in Endpoint.objects.all():
        assert str(endpoint.code) not in text
        assert endpoint.secret not in text
        assert endpoint.secret.removeprefix("whsec_") not in text
    for delivery in deliveries:
        assert delivery.message_id not in text
        assert str(delivery.code) not in text
    assert team.slug not in text
    assert "127.0.0.1" not in text
