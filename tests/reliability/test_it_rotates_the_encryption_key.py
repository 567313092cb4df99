"""CRYPTOGRAPHY_KEY rotation: A → B → C with ``manage.py rotate_encryption_key`` after each
switch, every connection still refreshing; values under a dropped key reported, not fatal;
resumable after a crash; and a refresh racing the rotation keeps its new token."""

import threading
import time
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import override_settings

from connections import encryption, keepalive, oauth
from connections.models import AuthorizationRequest, ClientCredentials, TokenSet
from tests.connections.helpers import CONSUMER_SECRET, add_token_response, make_connection

KEY_A, KEY_B, KEY_C = (f"rotation-test-key-{name}-0123456789abcdef" for name in "ABC")
CANARY = "RT-canary-never-printed"


def rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_encryption_key", stdout=out, stderr=out, **options)
    return out.getvalue()


def refresh_all(connection_ids, round_: int) -> None:
    responses.reset()
    for index, connection_id in enumerate(connection_ids):
        add_token_response(
            responses, access_token=f"AT-{round_}-{index}", refresh_token=f"RT-{round_}-{index}"
        )
        result = keepalive.refresh_connection(connection_id, force=True)
        assert result.outcome == keepalive.Outcome.REFRESHED, result
        tokens = TokenSet.objects.get(connection_id=connection_id)
        assert tokens.refresh_token == f"RT-{round_}-{index}"


@pytest.mark.django_db
@responses.activate
def test_rotation_twice_keeps_every_connection_refreshing(team, alice):
    with override_settings(CRYPTOGRAPHY_KEY=KEY_A):
        ids = [
            make_connection(team, name=f"Org {i}", refresh_token=f"RT-0-{i}").pk for i in range(3)
        ]
        flow = oauth.start(
            make_connection(team, name="Signing in", tokens=False),
            alice,
            "testserver",
            "key",
            "pending-secret",
        )
        assert flow

    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[KEY_A]):
        refresh_all(ids, 1)  # readable before the rotation ran; new tokens under B
        output = rotate(batch_size=2)
        # 4 apps, 3 token sets (refreshed: already on B), 1 sign-in flow.
        assert "Rows checked: 8; re-encrypted: 5; already current: 3; unreadable: 0." in output
        assert "Rows checked: 8; re-encrypted: 0; already current: 8" in rotate()  # idempotent

    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[]):
        refresh_all(ids, 2)  # A is gone: everything must be on B already
        assert AuthorizationRequest.objects.get().consumer_secret == "pending-secret"

    with override_settings(CRYPTOGRAPHY_KEY=KEY_C, CRYPTOGRAPHY_OLD_KEYS=[KEY_B]):
        assert "re-encrypted: 8; already current: 0; unreadable: 0." in rotate()

    with override_settings(CRYPTOGRAPHY_KEY=KEY_C, CRYPTOGRAPHY_OLD_KEYS=[]):
        refresh_all(ids, 3)
        assert {app.consumer_secret for app in ClientCredentials.objects.all()} == {CONSUMER_SECRET}
        assert AuthorizationRequest.objects.get().code_verifier


@pytest.mark.django_db
def test_a_value_under_a_dropped_key_is_reported_not_fatal(team):
    with override_settings(CRYPTOGRAPHY_KEY=KEY_A):
        lost = make_connection(team, name="Lost", refresh_token=CANARY)
    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[KEY_A]):
        kept = make_connection(team, name="Kept")
    with override_settings(CRYPTOGRAPHY_KEY=KEY_C, CRYPTOGRAPHY_OLD_KEYS=[KEY_B]):
        out = StringIO()
        with pytest.raises(CommandError, match="2 rows hold unreadable values"):
            call_command("rotate_encryption_key", stdout=out, stderr=out)
        output = out.getvalue()
        assert "Rows checked: 4; re-encrypted: 2; already current: 0; unreadable: 2." in output
        assert f"connections.TokenSet pk={lost.tokens.pk} field access_token" in output
        assert f"connections.TokenSet pk={lost.tokens.pk} field refresh_token" in output
        assert (
            f"connections.ClientCredentials pk={lost.client_credentials.pk} field consumer_secret"
            in output
        )
        assert CANARY not in output
        # The readable connection was re-encrypted all the same.
        assert TokenSet.objects.get(pk=kept.tokens.pk).refresh_token
        with pytest.raises(encryption.UnreadableSecret):
            TokenSet.objects.get(pk=lost.tokens.pk)


@pytest.mark.django_db
def test_a_crashed_rotation_resumes(team, monkeypatch):
    with override_settings(CRYPTOGRAPHY_KEY=KEY_A):
        for i in range(5):
            make_connection(team, name=f"Org {i}")
    real_batch, calls = encryption._rotate_batch, []

    def crash_on_the_third_batch(*args):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a killed process
        return real_batch(*args)

    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[KEY_A]):
        monkeypatch.setattr(encryption, "_rotate_batch", crash_on_the_third_batch)
        with pytest.raises(KeyboardInterrupt):
            rotate(batch_size=2)
        monkeypatch.setattr(encryption, "_rotate_batch", real_batch)
        output = rotate(batch_size=2)
        # The first two batches (4 apps) committed before the crash.
        assert "Rows checked: 10; re-encrypted: 6; already current: 4; unreadable: 0." in output
    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[]):
        assert "already current: 10; unreadable: 0." in rotate()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@responses.activate
def test_a_refresh_racing_the_rotation_keeps_its_new_token(team, monkeypatch):
    """The rotation reads and rewrites each value under its row lock, so the refresh (which
    locks the same TokenSet row) stores its rotated token after the batch, never before a
    stale write-back."""
    with override_settings(CRYPTOGRAPHY_KEY=KEY_A):
        connection = make_connection(team, refresh_token="RT-old")
    add_token_response(responses, access_token="AT-new", refresh_token="RT-new")
    real_decrypt, started, results = encryption.decrypt, [], []

    def refresh_in_another_thread():
        try:
            with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[KEY_A]):
                results.append(keepalive.refresh_connection(connection.pk, force=True))
        finally:
            connections.close_all()

    def decrypt_while_a_refresh_starts(value, ttl=None):
        if not started:
            thread = threading.Thread(target=refresh_in_another_thread)
            started.append(thread)
            thread.start()
            time.sleep(1)  # the refresh is now waiting for the batch's row locks
        return real_decrypt(value, ttl)

    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[KEY_A]):
        monkeypatch.setattr(encryption, "decrypt", decrypt_while_a_refresh_starts)
        rotate(batch_size=10)
        started[0].join(30)
        assert results and results[0].outcome == keepalive.Outcome.REFRESHED
        tokens = TokenSet.objects.get(connection=connection)
        assert (tokens.refresh_token, tokens.generation) == ("RT-new", 2)
    with override_settings(CRYPTOGRAPHY_KEY=KEY_B, CRYPTOGRAPHY_OLD_KEYS=[]):
        assert TokenSet.objects.get(connection=connection).refresh_token == "RT-new"
