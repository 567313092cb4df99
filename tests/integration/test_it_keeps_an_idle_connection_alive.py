"""29 days without use at the emulator: the beat sweep (run by the real worker) refreshes the
connection, and it is still alive on day 31."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections import keepalive, tasks
from connections.models import Connection, TokenSet
from connections.providers.salesforce import client as salesforce
from tests.celery_worker import wait_for
from tests.integration.helpers import connect

pytestmark = [
    pytest.mark.services,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_the_sweep_keeps_an_idle_connection_alive(salesforce_emulator, worker, team):
    emu = salesforce_emulator
    connection = connect(emu, team)
    first_token = TokenSet.objects.get(connection=connection).refresh_token

    # 29 days pass at Salesforce and here (our side: last use and schedule moved back).
    emu.advance(days=29)
    TokenSet.objects.filter(connection=connection).update(
        refresh_token_last_used_at=timezone.now() - timedelta(days=29)
    )
    Connection.objects.filter(pk=connection.pk).update(
        next_refresh_at=timezone.now() - timedelta(minutes=1)
    )
    assert emu.is_refresh_token_live(first_token)

    tasks.keepalive_kickoff.apply_async(queue=worker.queue)

    tokens = wait_for(
        lambda: TokenSet.objects.filter(connection=connection, generation=2).first(),
        what="the sweep's refresh",
    )
    assert tokens.refresh_token != first_token
    assert not emu.is_refresh_token_live(first_token)  # rotated out
    connection.refresh_from_db()
    assert connection.next_refresh_at > timezone.now() + timedelta(hours=20)

    emu.advance(days=2)  # day 31: alive only because the sweep used it on day 29
    assert emu.is_refresh_token_live(tokens.refresh_token)
    assert keepalive.refresh_connection(connection.pk, force=True).outcome == "refreshed"
    assert keepalive.call_api(connection, salesforce.api_probe)
