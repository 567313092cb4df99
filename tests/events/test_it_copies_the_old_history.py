"""Migration events 0002: every connection history row and API key history row moves into
the one event stream, keeping its text, actor and time; none of them is published."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("connections", "0008_duplicates_and_submissions"),
    ("api", "0001_initial"),
    ("events", None),
]
AFTER = [("connections", "0009_history_moves_to_events"), ("api", "0002_history_moves_to_events")]


@pytest.fixture
def old_apps(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE[:2]).apps
    call_command("migrate", verbosity=0)


def test_it_keeps_every_row(old_apps):
    team = old_apps.get_model("accounts", "Team").objects.create(name="Acme", slug="acme")
    user = old_apps.get_model("accounts", "User").objects.create(email="alice@example.com")
    acme = old_apps.get_model("connections", "Connection").objects.create(
        team=team, name="Acme production", login_url="https://login.salesforce.com"
    )
    old_event = old_apps.get_model("connections", "ConnectionEvent").objects.create(
        connection=acme, kind="refreshed", message="Token refreshed (generation 2).", actor=user
    )
    old_apps.get_model("api", "TeamEvent").objects.create(
        team=team, kind="api_key_created", message="API key ETL (okk_AbCd1234…) created."
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Event = executor.loader.project_state(AFTER).apps.get_model("events", "Event")

    rows = Event.objects.order_by("id").values_list(
        "team__slug", "connection_name", "connection_code", "kind", "type", "message", "actor_id"
    )
    assert list(rows) == [
        ("acme", "Acme production", acme.code, "refreshed", "", old_event.message, user.pk),
        ("acme", "", None, "api_key_created", "", "API key ETL (okk_AbCd1234…) created.", None),
    ]
    assert Event.objects.get(kind="refreshed").created == old_event.created
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
