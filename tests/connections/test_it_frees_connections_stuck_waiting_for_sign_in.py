"""Migration 0005: connections left "Waiting for sign-in" with no sign-in record (the kickoff
used to delete expired records without putting the connection back) go back to draft, or to
disconnected if they were connected before; others are untouched."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("connections", "0004_unbounded_salesforce_values")]
AFTER = [("connections", "0005_end_sign_ins_without_flows")]


@pytest.fixture
def old_apps(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    call_command("migrate", verbosity=0)


def test_it_puts_back_connections_waiting_without_a_sign_in(old_apps):
    Team = old_apps.get_model("accounts", "Team")
    Connection = old_apps.get_model("connections", "Connection")
    AuthorizationRequest = old_apps.get_model("connections", "AuthorizationRequest")
    User = old_apps.get_model("accounts", "User")
    team = Team.objects.create(name="Acme", slug="acme")
    user = User.objects.create(email="alice@example.com")

    def make(name, status="pending_authorization", org=""):
        return Connection.objects.create(
            team=team, name=name, status=status, organization_id=org, login_url="https://x"
        )

    stuck_draft = make("stuck draft")
    stuck_reauth = make("stuck re-authorization", org="00D5g000004XmplEAC")
    waiting = make("waiting")
    AuthorizationRequest.objects.create(
        connection=waiting,
        user=user,
        state="s",
        code_verifier="v",
        redirect_uri="https://x/cb",
        expires_at="2030-01-01T00:00:00Z",
    )
    connected = make("connected", status="connected", org="00D5g000004XmplEAC")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Connection = apps.get_model("connections", "Connection")
    ConnectionEvent = apps.get_model("connections", "ConnectionEvent")

    statuses = dict(Connection.objects.values_list("name", "status"))
    assert statuses == {
        stuck_draft.name: "draft",
        stuck_reauth.name: "disconnected",
        waiting.name: "pending_authorization",
        connected.name: "connected",
    }
    events = ConnectionEvent.objects.values_list("connection__name", "kind", "message")
    assert sorted(events) == [
        (
            name,
            "authorization_failed",
            "The sign-in to Salesforce expired: it wasn't finished within 10 minutes. Start again.",
        )
        for name in sorted([stuck_draft.name, stuck_reauth.name])
    ]
