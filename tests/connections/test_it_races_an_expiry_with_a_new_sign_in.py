"""Ending an expired sign-in (Connection.end_expired_sign_ins) while the admin starts a new
one never leaves the new sign-in's connection out of "Waiting for sign-in": both take the
connection's row lock. Needs PostgreSQL (SQLite serializes the writers by itself)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection as database
from django.db import transaction
from django.utils import timezone

from connections import oauth
from connections.models import AuthorizationRequest, Connection

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

Status = Connection.Status


@pytest.fixture
def waiting(connection_factory, alice, public_urls) -> Connection:
    """A connection still waiting for a sign-in that expired half an hour ago."""
    draft = connection_factory(connected=False, status=Status.PENDING_AUTHORIZATION)
    AuthorizationRequest.objects.create(
        state="expired-state",
        code_verifier="v" * 43,
        redirect_uri="http://127.0.0.1:8881/api/connections/oauth/callback",
        connection=draft,
        user=alice,
        expires_at=timezone.now() - timedelta(minutes=30),
    )
    return draft


@pytest.mark.parametrize("first", ["start", "end"])
def test_the_new_sign_in_keeps_the_connection_waiting(waiting, alice, first):
    locked = threading.Event()
    errors = []

    def start() -> None:
        with transaction.atomic():
            oauth.start(Connection.objects.get(pk=waiting.pk), alice, "127.0.0.1:8881", "k")
            locked.set()
            time.sleep(0.5)  # the other side now waits for the row lock

    def end() -> None:
        with transaction.atomic():
            Connection.objects.select_for_update().get(pk=waiting.pk)
            locked.set()
            time.sleep(0.5)  # the other side inserts its flow and waits for the row lock
            Connection.end_expired_sign_ins([waiting.pk])

    def run(work) -> None:
        try:
            work()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            database.close()

    sides = {"start": start, "end": end}
    leader = threading.Thread(target=run, args=(sides.pop(first),))
    leader.start()
    assert locked.wait(10)
    follower = threading.Thread(target=run, args=(sides.popitem()[1],))
    follower.start()
    leader.join(30)
    follower.join(30)

    assert errors == []
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING_AUTHORIZATION
    assert AuthorizationRequest.objects.filter(expires_at__gt=timezone.now()).count() == 1
