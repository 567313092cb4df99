"""A real Celery worker (prefork) with prometheus-client's multiprocess directory and JSON
logs: /metrics, answered by this process, adds up the refreshes its pool processes counted,
across a restart (new process IDs), and the webhook deliveries they attempted; every line
the worker logs is a JSON object carrying the task ID and the connection's code."""

import json
from collections import Counter

import pytest

from connections import tasks
from connections.models import TokenSet
from tests.celery_worker import CeleryWorker, wait_for, worker_database_url
from tests.integration.helpers import connect
from tests.monitoring.helpers import TOKEN, scrape, value
from tests.webhooks.helpers import Receiver
from webhooks import tasks as webhook_tasks
from webhooks.models import Endpoint

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def observed_worker(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    worker = CeleryWorker(
        "tests.integration.worker_settings",
        tmp_path,
        worker_database_url(),
        "orgkeeper-obs",
    )
    worker.env.update(
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        LOG_FORMAT="json",
        # Celery warns on stderr, before logging starts, when it runs as root as tests here
        # may (the Docker image runs as a user).
        PYTHONWARNINGS="ignore:You're running the worker with superuser privileges",
    )
    worker.metrics_dir = metrics_dir
    with worker:
        yield worker


def refresh_all(worker, connections, generation: int) -> None:
    for connection in connections:
        tasks.refresh_connection.apply_async((connection.pk,), {"force": True}, queue=worker.queue)
    wait_for(
        lambda: TokenSet.objects.filter(generation=generation).count() == len(connections),
        what=f"{len(connections)} refreshes",
    )


def test_metrics_add_up_the_refreshes_of_every_worker_process(
    salesforce_emulator, observed_worker, team, client, settings
):
    settings.METRICS_TOKEN = TOKEN
    settings.PROMETHEUS_MULTIPROC_DIR = str(observed_worker.metrics_dir)
    connections = [connect(salesforce_emulator, team, f"org {n}") for n in range(4)]

    refresh_all(observed_worker, connections, generation=2)
    observed_worker.stop()  # its pool processes are gone; their counts must stay
    observed_worker.start()
    refresh_all(observed_worker, connections, generation=3)

    def successes():
        # The counter and the histogram are two writes in the worker: a scrape may fall
        # between them, so wait for both (counted after the commit).
        text = scrape(client)
        return [
            value(text, "orgkeeper_keepalive_refreshes_total", outcome="success"),
            value(text, "orgkeeper_keepalive_refresh_duration_seconds_count", outcome="success"),
        ]

    wait_for(lambda: successes() == [8, 8], what="8 counted and timed refreshes")
    text = scrape(client)
    counter_files = list(observed_worker.metrics_dir.glob("counter_*.db"))
    assert len(counter_files) >= 2, counter_files  # at least one process per worker run
    for connection in connections:
        assert connection.name not in text
        assert str(connection.code) not in text


def test_metrics_count_the_webhook_deliveries_of_worker_processes(
    observed_worker, team, alice, client, settings, monkeypatch
):
    settings.METRICS_TOKEN = TOKEN
    settings.PROMETHEUS_MULTIPROC_DIR = str(observed_worker.metrics_dir)
    deliver = webhook_tasks.deliver
    monkeypatch.setattr(
        deliver, "delay", lambda pk: deliver.apply_async((pk,), queue=observed_worker.queue)
    )
    with Receiver() as ok, Receiver(statuses=[500, 204]) as failing_once:
        for receiver in (ok, failing_once):
            endpoint, _ = Endpoint.create(team, receiver.url, [], alice)
            webhook_tasks.send_test_event(endpoint, alice)  # enqueued at once (autocommit)

        def counted(outcome):
            return value(scrape(client), "orgkeeper_webhook_deliveries_total", outcome=outcome)

        # The failed attempt is retried 5 s later, by whichever pool process.
        wait_for(lambda: (counted("success"), counted("failure")) == (2, 1), what="3 attempts")
        assert (len(ok.received), len(failing_once.received)) == (1, 2)
    text = scrape(client)
    timed = "orgkeeper_webhook_delivery_duration_seconds_count"
    assert (value(text, timed, outcome="success"), value(text, timed, outcome="failure")) == (2, 1)
    assert ok.url not in text


def test_worker_logs_are_json_lines_with_task_id_and_connection_code(
    salesforce_emulator, observed_worker, team
):
    connection = connect(salesforce_emulator, team, "Logged org")

    result = tasks.refresh_connection.apply_async(
        (connection.pk,), {"force": True}, queue=observed_worker.queue
    )
    wait_for(
        lambda: (
            TokenSet.objects.filter(generation=2).exists()
            and "succeeded" in observed_worker.log_text()
        ),
        what="the refresh",
    )

    lines = observed_worker.log_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]  # every line is JSON
    assert Counter(record["level"] for record in records)["INFO"] >= 3
    assert all({"timestamp", "level", "logger", "message"} <= record.keys() for record in records)
    assert any(record["message"].endswith(" ready.") for record in records)
    refreshed = [record for record in records if "Token refreshed" in record["message"]]
    assert refreshed, lines
    assert refreshed[0]["task_id"] == result.id
    assert refreshed[0]["connection_code"] == str(connection.code)
    assert refreshed[0]["logger"] == "connections.keepalive"
