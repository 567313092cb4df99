"""Migrating a populated database from the last Salesforce-only schema (connections 0009) to
the provider schema keeps every connection, its client credentials, its tokens and its
events, and the migrated connection still refreshes."""

from datetime import timedelta

import pytest
import responses
from django.db import connection as database
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from connections import keepalive
from connections.models import Connection, ConnectionEvent, TokenSet
from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    INSTANCE_URL,
    LOGIN_URL,
    add_token_response,
)

BEFORE = [("connections", "0009_history_moves_to_events")]
REFRESH_TOKEN = "5Aep861FakeRefreshTokenValueForTestsOnly.OLD1"


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(database)
    executor.migrate(targets)
    executor.loader.build_graph()  # see the migrations just applied
    return executor


def _populate(apps, team_id: int) -> int:
    """A connected Salesforce connection as the old schema stored it; returns its pk."""
    now = timezone.now()
    old = apps.get_model("connections", "Connection").objects.create(
        team_id=team_id,
        name="Acme production",
        environment="production",
        login_url=LOGIN_URL,
        status="connected",
        organization_id="00D5g000004XmplEAC",
        user_id="0055g00000AbCdEAAV",
        username="admin@acme.example",
        instance_url=INSTANCE_URL,
        identity_url=f"{LOGIN_URL}/id/00D5g000004XmplEAC/0055g00000AbCdEAAV",
        next_refresh_at=now,
    )
    apps.get_model("connections", "ExternalClientApp").objects.create(
        connection=old, consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET
    )
    apps.get_model("connections", "TokenSet").objects.create(
        connection=old,
        access_token="00D5g000004XmplEAC!AQ0AQFakeAccessTokenValue.OLD1",
        refresh_token=REFRESH_TOKEN,
        instance_url=INSTANCE_URL,
        scope="refresh_token id api",
        issued_at=now - timedelta(hours=25),
        signature_verified=True,
        refresh_token_last_used_at=now - timedelta(hours=25),
        generation=3,
    )
    apps.get_model("events", "Event").objects.create(
        team_id=team_id, connection=old, kind="authorized", message="Authorized.", data={}
    )
    return old.pk


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_migrates_and_still_refreshes(team):
    latest = MigrationExecutor(database).loader.graph.leaf_nodes()
    executor = _migrate(BEFORE)
    pk = _populate(executor.loader.project_state(BEFORE).apps, team.pk)

    _migrate(latest)

    connection = Connection.objects.select_related("client_credentials", "tokens").get(pk=pk)
    assert (connection.provider, connection.environment, connection.login_url) == (
        "salesforce",
        "production",
        LOGIN_URL,
    )
    assert connection.get_environment_display() == "Production"
    credentials = connection.client_credentials
    assert (credentials.consumer_key, credentials.consumer_secret) == (
        CONSUMER_KEY,
        CONSUMER_SECRET,
    )
    tokens = connection.tokens
    assert (tokens.refresh_token, tokens.generation) == (REFRESH_TOKEN, 3)
    assert (tokens.expires_at, tokens.provider_data) == (None, {})
    assert ConnectionEvent.objects.filter(connection=connection, kind="authorized").exists()

    with responses.RequestsMock() as rsps:
        add_token_response(rsps, refresh_token="5Aep861FakeRefreshTokenValueForTestsOnly.NEW1")
        result = keepalive.refresh_connection(pk, force=True)
    assert result.outcome == keepalive.Outcome.REFRESHED, result
    tokens = TokenSet.objects.get(connection_id=pk)
    assert (tokens.refresh_token, tokens.generation) == (
        "5Aep861FakeRefreshTokenValueForTestsOnly.NEW1",
        4,
    )
