"""What binds the log context besides the request middleware: Celery tasks (their ID, and
nothing left over for the next task of the process), the keep-alive (the connection's code)
and API URLs naming a connection."""

import logging
import uuid

import pytest
import responses
from celery import signals

from connections import keepalive
from monitoring import logs
from tests.connections.helpers import add_token_response, make_connection


def log_line(json_logs, message: str = "line") -> dict:
    logging.getLogger("tests").info(message)
    return json_logs.records()[-1]


def test_a_task_binds_its_id_and_leaves_nothing_behind(json_logs):
    signals.task_prerun.send(sender=None, task_id="task-1", task=None, args=(), kwargs={})
    logs.bind(connection_code="code-1")
    inside = log_line(json_logs)
    signals.task_postrun.send(sender=None, task_id="task-1", task=None, args=(), kwargs={})

    assert (inside["task_id"], inside["connection_code"]) == ("task-1", "code-1")
    after = log_line(json_logs)
    assert (after["task_id"], after["connection_code"]) == (None, None)


def test_an_eager_task_inside_a_request_keeps_the_request_id(json_logs):
    token = logs.bind(request_id="req-1")
    signals.task_prerun.send(sender=None, task_id="task-2", task=None, args=(), kwargs={})
    inside = log_line(json_logs)
    signals.task_postrun.send(sender=None, task_id="task-2", task=None, args=(), kwargs={})
    after = log_line(json_logs)
    logs.reset(token)

    assert (inside["request_id"], inside["task_id"]) == ("req-1", "task-2")
    assert (after["request_id"], after["task_id"]) == ("req-1", None)


@pytest.mark.django_db
@responses.activate
def test_a_refresh_binds_the_connection_code(team, json_logs):
    connection = make_connection(team)
    add_token_response(responses)
    token = logs.bind()
    keepalive.refresh_connection(connection.pk)
    assert log_line(json_logs)["connection_code"] == str(connection.code)
    logs.reset(token)


@pytest.mark.urls("tests.monitoring.api_urls")
def test_an_api_url_naming_a_connection_binds_its_code(client, json_logs):
    code = uuid.uuid4()
    client.get(f"/api/v1/connections/{code}/")
    client.get("/api/v1/connections/not-a-code/")

    probes = [record for record in json_logs.records() if record["logger"] == "tests.probe"]
    assert [record["connection_code"] for record in probes] == [str(code), None]
