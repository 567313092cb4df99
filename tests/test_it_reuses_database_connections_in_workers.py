"""Celery workers keep their database connection between tasks (CONN_MAX_AGE), as the
benchmark found they didn't (benchmarks/RESULTS.md): Celery's Django fixup closed it around
every task."""

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from config.celery import app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _run_task_hooks(fixup: DjangoWorkerFixup) -> None:
    """What a worker runs before and after each task (the fixup, then our handlers)."""
    fixup.close_database()
    signals.task_prerun.send(sender=None)
    connection.ensure_connection()
    fixup.close_database()
    signals.task_postrun.send(sender=None)


def test_a_worker_reuses_its_database_connection_between_tasks(settings):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    first = connection.connection

    for _ in range(3):
        _run_task_hooks(fixup)

    assert connection.connection is first


def test_a_worker_drops_an_expired_connection(settings):
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    first = connection.connection
    connection.close_at = 0  # older than CONN_MAX_AGE

    _run_task_hooks(fixup)

    assert connection.connection is not first
