"""Keep-alive with Entra ID's semantics against the emulator: every refresh answers a new
refresh token and the old one stays valid until its own 90 days run out, so Orgkeeper must
always present the newest one (https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from connections import keepalive
from connections.models import Connection, TokenSet
from tests.emulators.entra import fingerprint
from tests.providers.dynamics.helpers import callback, connect, sign_in_url

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("public_urls", "dynamics_settings"),
]


def _connected(client, team, emulator) -> Connection:
    connection, response = connect(client, team, emulator)
    assert response.status_code == 302
    return connection


def test_it_stays_connected_for_200_days_presenting_the_newest_token(
    alice_client,
    team,
    entra_emulator,
):
    emulator = entra_emulator
    connection = _connected(alice_client, team, emulator)
    since = emulator.refresh_log()[-1]["seq"]
    for _ in range(200):
        emulator.advance(days=1)
        result = keepalive.refresh_connection(connection.pk, force=True)
        assert result.outcome == keepalive.Outcome.REFRESHED, result
    log = emulator.refresh_log(since)
    assert len(log) == 200
    assert all(entry["status"] == 200 for entry in log)
    # Never an older link of the chain: always the newest refresh token.
    assert all(entry["presented_generation"] == entry["newest_generation"] for entry in log)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert fingerprint(TokenSet.objects.get().refresh_token) == log[-1]["issued"]


def test_it_never_presents_an_old_refresh_token_again(alice_client, team, entra_emulator):
    """Two workers that read the same refresh token: the second refresh, run after the
    first committed, re-reads the row under the lock and presents the new token."""
    emulator = entra_emulator
    connection = _connected(alice_client, team, emulator)
    since = emulator.refresh_log()[-1]["seq"]
    held = TokenSet.objects.get(connection=connection)
    first = keepalive.refresh_connection(connection.pk, if_generation=held.generation)
    assert first.outcome == keepalive.Outcome.REFRESHED
    second = keepalive.refresh_connection(connection.pk, force=True)
    assert second.outcome == keepalive.Outcome.REFRESHED
    presented = [entry["presented"] for entry in emulator.refresh_log(since)]
    assert len(presented) == len(set(presented)) == 2
    assert fingerprint(held.refresh_token) == presented[0]
    emulator.advance(days=91)  # the first refresh token is dead by now; it is never sent
    assert keepalive.refresh_connection(connection.pk, force=True).outcome == "failed"
    assert fingerprint(held.refresh_token) not in [
        entry["presented"] for entry in emulator.refresh_log(since)[2:]
    ]


def test_it_needs_reauthorization_after_90_idle_days(alice_client, team, entra_emulator):
    emulator = entra_emulator
    connection = _connected(alice_client, team, emulator)
    emulator.advance(days=91)
    result = keepalive.refresh_connection(connection.pk, force=True)
    assert result.outcome == keepalive.Outcome.FAILED
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert "AADSTS700082" in connection.status_reason
    assert "sign in with Microsoft again" in connection.status_reason
    assert emulator.refresh_log()[-1]["error_code"] == 700082
    (email,) = mail.outbox
    assert email.subject == (
        'Microsoft Dynamics 365 connection "Contoso sales" needs you to sign in again'
    )
    assert "Consumer" not in email.body
    assert "sign in to Microsoft Dynamics 365:" in email.body

    # Re-authorize: a new sign-in (the consent is remembered) connects it again.
    location = emulator.sign_in(sign_in_url(alice_client, connection))
    assert callback(alice_client, location).status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert keepalive.refresh_connection(connection.pk, force=True).outcome == "refreshed"


def test_it_names_the_fix_for_revoked_sessions(alice_client, team, entra_emulator):
    emulator = entra_emulator
    connection = _connected(alice_client, team, emulator)
    emulator.revoke_sessions(emulator.demo_user)
    keepalive.refresh_connection(connection.pk, force=True)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert "AADSTS50173" in connection.status_reason


def test_it_rides_out_a_429(alice_client, team, entra_emulator):
    emulator = entra_emulator
    connection = _connected(alice_client, team, emulator)
    emulator.fail_next(1, status=429, retry_after=5)
    result = keepalive.refresh_connection(connection.pk, force=True)
    assert result.retry
    connection.refresh_from_db()
    assert connection.status == Connection.Status.CONNECTED
    assert keepalive.refresh_connection(connection.pk, force=True).outcome == "refreshed"


def test_the_sweep_keeps_it_alive_past_90_days(alice_client, team, entra_emulator):
    """The beat sweep's path (claim the due connections, refresh each unforced), one day at a
    time for 120 days: both clocks (Orgkeeper's and the emulator's) move together."""
    emulator = entra_emulator
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        connection = _connected(alice_client, team, emulator)
        since = emulator.refresh_log()[-1]["seq"]
        for _ in range(120):
            traveller.shift(timedelta(days=1))
            for connection_id in keepalive.claim_due_connections():
                keepalive.refresh_connection(connection_id)
        connection.refresh_from_db()
        assert connection.status == Connection.Status.CONNECTED
        log = emulator.refresh_log(since)
        assert len(log) >= 60  # KEEPALIVE_INTERVAL ± jitter, swept once a simulated day
        assert all(entry["status"] == 200 for entry in log)
        assert all(entry["presented_generation"] == entry["newest_generation"] for entry in log)
        tokens = TokenSet.objects.get()
        assert tokens.refresh_token_expires_at > timezone.now() + timedelta(days=88)


def test_it_needs_reauthorization_after_the_emulator_restarts(alice_client, team, entra_emulator):
    # A restarted emulator knows none of its refresh tokens (AADSTS9002313), as the README says.
    connection = _connected(alice_client, team, entra_emulator)
    entra_emulator.reset()
    result = keepalive.refresh_connection(connection.pk, force=True)
    assert result.outcome == keepalive.Outcome.FAILED
    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert "sign in with Microsoft again" in connection.status_reason
