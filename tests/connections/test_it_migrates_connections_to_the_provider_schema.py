"""Migrating a populated database from the last Salesforce-only schema (connections 0009) to
the provider schema keeps every connection (production, sandbox, My Domain, disconnected),
its client credentials, its tokens, its events and an unfinished sign-in, with their
encrypted values readable, and a migrated connection is still claimed and refreshed by the
keep-alive."""

from datetime import timedelta

import pytest
import responses
from django.core.management import call_command
from django.db import connection as database
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.writer import MigrationWriter
from django.utils import timezone

from connections import keepalive
from connections.models import (
    AuthorizationRequest,
    ClientCredentials,
    Connection,
    ConnectionEvent,
    TokenSet,
)
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


MY_DOMAIN_URL = "https://acme.my.salesforce.com"
# name: (environment, login URL, status, signature_verified; None: no tokens)
CONNECTIONS = {
    "Acme production": ("production", LOGIN_URL, "connected", True),
    "Acme sandbox": ("sandbox", "https://test.salesforce.com", "connected", False),
    "Acme My Domain": ("my_domain", MY_DOMAIN_URL, "connected", True),
    "Acme retired": ("production", LOGIN_URL, "disconnected", None),
}
LABELS = {"production": "Production", "sandbox": "Sandbox", "my_domain": "My Domain"}
FLOW = {"state": "state-0009-in-flight", "code_verifier": "verifier-0009-" + "v" * 60}
FLOW_SECRET = "PendingSecretFromTheOldSchema0123456789"


def _access_token(name: str) -> str:
    return "00D5g000004XmplEAC!AQ0AQFakeAccessToken." + name.replace(" ", "_")


def _populate(apps, team_id: int, user_id: int) -> dict[str, int]:
    """The connections of CONNECTIONS as the old schema stored them, each with its app, its
    tokens (connected ones) and an event, and an unfinished sign-in for the My Domain one;
    returns their pks by name. Only production is due for a refresh."""
    now = timezone.now()
    model = apps.get_model
    pks = {}
    for name, (environment, login_url, status, signature_verified) in CONNECTIONS.items():
        connected = signature_verified is not None
        old = model("connections", "Connection").objects.create(
            team_id=team_id,
            name=name,
            environment=environment,
            my_domain_url=MY_DOMAIN_URL if environment == "my_domain" else "",
            login_url=login_url,
            status=status,
            organization_id="00D5g000004XmplEAC",
            user_id="0055g00000AbCdEAAV",
            username="admin@acme.example",
            instance_url=INSTANCE_URL,
            identity_url=f"{login_url}/id/00D5g000004XmplEAC/0055g00000AbCdEAAV",
            next_refresh_at=(now if name == "Acme production" else now + timedelta(hours=12))
            if connected
            else None,
        )
        pks[name] = old.pk
        model("connections", "ExternalClientApp").objects.create(
            connection=old, consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET
        )
        if connected:
            model("connections", "TokenSet").objects.create(
                connection=old,
                access_token=_access_token(name),
                refresh_token=REFRESH_TOKEN,
                instance_url=INSTANCE_URL,
                scope="refresh_token id api",
                issued_at=now - timedelta(hours=25),
                signature_verified=signature_verified,
                refresh_token_last_used_at=now - timedelta(hours=25),
                generation=3,
            )
        model("events", "Event").objects.create(
            team_id=team_id, connection=old, kind="authorized", message="Authorized.", data={}
        )
    model("connections", "AuthorizationRequest").objects.create(
        connection_id=pks["Acme My Domain"],
        user_id=user_id,
        redirect_uri="http://127.0.0.1:8881/api/connections/oauth/callback",
        consumer_key=CONSUMER_KEY,
        consumer_secret=FLOW_SECRET,
        expires_at=now + timedelta(minutes=10),
        **FLOW,
    )
    return pks


def _counts() -> dict[str, int]:
    return {
        "connections": Connection.objects.count(),
        "tokens": TokenSet.objects.count(),
        "events": ConnectionEvent.objects.count(),
        "credentials": ClientCredentials.objects.count(),
        "sign-ins": AuthorizationRequest.objects.count(),
    }


def _old_counts(apps) -> dict[str, int]:
    model = apps.get_model
    return {
        "connections": model("connections", "Connection").objects.count(),
        "tokens": model("connections", "TokenSet").objects.count(),
        "events": model("events", "Event").objects.count(),
        "credentials": model("connections", "ExternalClientApp").objects.count(),
        "sign-ins": model("connections", "AuthorizationRequest").objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_populated_database_migrates_and_still_refreshes(team, alice):
    latest = MigrationExecutor(database).loader.graph.leaf_nodes()
    executor = _migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    pks = _populate(old_apps, team.pk, alice.pk)
    before = _old_counts(old_apps)
    assert before == {"connections": 4, "tokens": 3, "events": 4, "credentials": 4, "sign-ins": 1}

    _migrate(latest)

    assert _counts() == before
    for name, (environment, login_url, status, signature_verified) in CONNECTIONS.items():
        connection = Connection.objects.select_related("client_credentials").get(pk=pks[name])
        assert (connection.provider, connection.environment, connection.login_url) == (
            "salesforce",
            environment,
            login_url,
        ), name
        assert (connection.status, connection.get_environment_display()) == (
            status,
            LABELS[environment],
        )
        credentials = connection.client_credentials
        assert (credentials.consumer_key, credentials.consumer_secret) == (
            CONSUMER_KEY,
            CONSUMER_SECRET,
        )
        assert ConnectionEvent.objects.filter(connection=connection, kind="authorized").exists()
        tokens = TokenSet.objects.filter(connection=connection).first()
        if signature_verified is None:
            assert tokens is None
            continue
        assert (tokens.access_token, tokens.refresh_token, tokens.generation) == (
            _access_token(name),
            REFRESH_TOKEN,
            3,
        )
        assert (tokens.signature_verified, tokens.expires_at, tokens.provider_data) == (
            signature_verified,
            None,
            {},
        )
    flow = AuthorizationRequest.objects.get()
    assert (flow.connection_id, flow.state, flow.code_verifier) == (
        pks["Acme My Domain"],
        FLOW["state"],
        FLOW["code_verifier"],
    )
    assert (flow.consumer_key, flow.consumer_secret) == (CONSUMER_KEY, FLOW_SECRET)

    # The sweep claims the due one, and its (non-forced) refresh goes through.
    assert keepalive.claim_due_connections() == [pks["Acme production"]]
    with responses.RequestsMock() as rsps:
        add_token_response(rsps, refresh_token="5Aep861FakeRefreshTokenValueForTestsOnly.NEW1")
        result = keepalive.refresh_connection(pks["Acme production"])
    assert result.outcome == keepalive.Outcome.REFRESHED, result
    tokens = TokenSet.objects.get(connection_id=pks["Acme production"])
    assert (tokens.refresh_token, tokens.generation) == (
        "5Aep861FakeRefreshTokenValueForTestsOnly.NEW1",
        4,
    )


def test_a_new_provider_needs_no_migration(settings, db):
    # Connection.provider's choices are a callable (providers.choices), serialised as such.
    field, _imports = MigrationWriter.serialize(Connection._meta.get_field("provider"))
    assert "choices=connections.providers.choices" in field
    settings.CONNECTION_PROVIDERS = ["tests.providers.fake"]
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits 1 on changes
