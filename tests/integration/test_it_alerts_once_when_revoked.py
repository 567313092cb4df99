"""The grant is revoked at Salesforce: the worker marks the connection needs_reauthorization
and the owners and admins get exactly one email, even when refreshes and sweeps repeat."""

import pytest

from connections import tasks
from connections.models import Connection, TokenSet
from tests.celery_worker import wait_for
from tests.integration.helpers import connect

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_a_revoked_grant_needs_reauthorization_and_emails_once(
    salesforce_emulator, worker, team, alice, bob, victor
):
    emu = salesforce_emulator
    connection = connect(emu, team, name="Revoked org")
    token = TokenSet.objects.get(connection=connection).refresh_token
    emu.revoke_grant(emu.grant_for_refresh_token(token))

    tasks.refresh_connection.apply_async((connection.pk,), {"force": True}, queue=worker.queue)
    wait_for(lambda: worker.emails(), what="the alert email")

    connection.refresh_from_db()
    assert connection.status == Connection.Status.NEEDS_REAUTHORIZATION
    assert "no longer accepts the refresh token" in connection.status_reason
    assert connection.next_refresh_at is None

    # More attempts and a sweep: still one email.
    tasks.refresh_connection.apply_async((connection.pk,), {"force": True}, queue=worker.queue)
    tasks.keepalive_kickoff.apply_async(queue=worker.queue)
    wait_for(
        lambda: len(emu.token_requests(grant_type="refresh_token")) == 2,
        what="the second refresh attempt",
    )
    [email] = worker.emails()
    assert 'Subject: Salesforce connection "Revoked org" needs you to sign in again' in email
    assert "alice@example.com" in email and "bob@example.com" in email
    assert "victor@example.com" not in email
