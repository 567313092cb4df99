"""A sign-in record (AuthorizationRequest) keeps its PKCE code verifier and the submitted
consumer secret only while the flow can still be used: they are removed when the callback
claims it (whatever the outcome) and when it expires; migration 0006 removes those of records
kept from before."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection as db
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from connections.models import AuthorizationRequest
from tests.connections.helpers import (
    CONSUMER_SECRET,
    TOKEN_URL,
    finish_flow,
    oauth_error,
    register_success,
    start_flow,
)

pytestmark = pytest.mark.usefixtures("public_urls")


def secrets() -> tuple:
    flow = AuthorizationRequest.objects.get()
    return flow.code_verifier, flow.consumer_secret


def test_a_flow_in_progress_keeps_them(alice_client, draft):
    start_flow(alice_client, draft, secret=CONSUMER_SECRET)
    verifier, secret = secrets()
    assert len(verifier) >= 43 and secret == CONSUMER_SECRET


def test_a_completed_sign_in_forgets_them(alice_client, draft, rsps):
    params = start_flow(alice_client, draft, secret=CONSUMER_SECRET)
    register_success(rsps)
    assert finish_flow(alice_client, {"code": "c", "state": params["state"]}).status_code == 302
    assert draft.client_credentials.consumer_secret == CONSUMER_SECRET  # saved where it belongs
    assert secrets() == (None, None)


@pytest.mark.parametrize("outcome", ["denied", "refused"])
def test_a_failed_sign_in_forgets_them(alice_client, draft, rsps, outcome):
    params = start_flow(alice_client, draft, secret=CONSUMER_SECRET)
    if outcome == "denied":
        callback = {"error": "access_denied", "state": params["state"]}
    else:
        rsps.post(TOKEN_URL, **oauth_error("invalid_grant", "authentication failure"))
        callback = {"code": "c", "state": params["state"]}
    response = finish_flow(alice_client, callback)
    assert response.status_code >= 400
    assert secrets() == (None, None)


def test_an_expired_flow_forgets_them_at_the_next_sweep(alice_client, draft):
    start_flow(alice_client, draft, secret=CONSUMER_SECRET)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        AuthorizationRequest.clear_expired()
    assert AuthorizationRequest.objects.exists()  # kept a day, to say "expired"
    assert secrets() == (None, None)


def test_an_expired_flow_forgets_them_when_its_callback_comes(alice_client, draft):
    params = start_flow(alice_client, draft, secret=CONSUMER_SECRET)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert "took more than 10 minutes" in response.content.decode()
    assert secrets() == (None, None)


BEFORE = [("connections", "0005_end_sign_ins_without_flows")]
AFTER = [("connections", "0006_forget_flow_secrets")]


@pytest.fixture
def old_apps(transactional_db):
    executor = MigrationExecutor(db)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    call_command("migrate", verbosity=0)


def test_the_migration_forgets_them_for_ended_flows_only(old_apps):
    Team = old_apps.get_model("accounts", "Team")
    User = old_apps.get_model("accounts", "User")
    Connection = old_apps.get_model("connections", "Connection")
    OldFlow = old_apps.get_model("connections", "AuthorizationRequest")
    team = Team.objects.create(name="Acme", slug="acme")
    user = User.objects.create(email="alice@example.com")
    connection = Connection.objects.create(team=team, name="c", login_url="https://x")
    now = timezone.now()
    for state, expires_at, used_at in [
        ("used", now + timedelta(minutes=5), now),
        ("expired", now - timedelta(minutes=1), None),
        ("live", now + timedelta(minutes=5), None),
    ]:
        OldFlow.objects.create(
            connection=connection,
            user=user,
            state=state,
            code_verifier="v" * 43,
            consumer_secret=CONSUMER_SECRET,
            redirect_uri="https://x/cb",
            expires_at=expires_at,
            used_at=used_at,
        )

    executor = MigrationExecutor(db)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Flow = apps.get_model("connections", "AuthorizationRequest")
    kept = {flow.state: (flow.code_verifier, flow.consumer_secret) for flow in Flow.objects.all()}
    assert kept == {
        "used": (None, None),
        "expired": (None, None),
        "live": ("v" * 43, CONSUMER_SECRET),
    }
