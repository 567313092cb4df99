"""AuthorizationRequest.clear_expired deletes old sign-in records in small batches, and the
beat kickoff calls it."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from connections import tasks
from connections.models import AuthorizationRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_flow(connection, alice):
    def make(expired_ago: timedelta, used: bool = False) -> AuthorizationRequest:
        now = timezone.now()
        return AuthorizationRequest.objects.create(
            state=f"state-{AuthorizationRequest.objects.count()}",
            code_verifier="v" * 43,
            redirect_uri="http://127.0.0.1:8881/api/connections/oauth/callback",
            connection=connection,
            user=alice,
            expires_at=now - expired_ago,
            used_at=now - expired_ago - timedelta(minutes=5) if used else None,
        )

    return make


def test_it_deletes_used_and_unused_flows_expired_more_than_a_day_ago(make_flow):
    old_unused = make_flow(timedelta(days=2))
    old_used = make_flow(timedelta(days=1, minutes=1), used=True)
    recent_used = make_flow(timedelta(hours=2), used=True)
    recent_expired = make_flow(timedelta(hours=23))
    running = make_flow(-timedelta(minutes=5))

    assert AuthorizationRequest.clear_expired() == 2

    remaining = set(AuthorizationRequest.objects.values_list("pk", flat=True))
    assert remaining == {recent_used.pk, recent_expired.pk, running.pk}
    assert not {old_unused.pk, old_used.pk} & remaining


def test_it_works_in_bounded_batches(make_flow, django_assert_num_queries):
    for _ in range(7):
        make_flow(timedelta(days=3))

    # The UPDATE removing expired flows' secrets, then two batches of 3 (SELECT + DELETE
    # each), then stop: at most max_batches per call.
    with django_assert_num_queries(5):
        assert AuthorizationRequest.clear_expired(batch_size=3, max_batches=2) == 6
    assert AuthorizationRequest.objects.count() == 1

    assert AuthorizationRequest.clear_expired(batch_size=3) == 1
    assert not AuthorizationRequest.objects.exists()


def test_the_kickoff_clears_expired_flows(make_flow):
    make_flow(timedelta(days=2))
    kept = make_flow(timedelta(minutes=1))

    with (
        mock.patch.object(tasks.refresh_connection, "apply_async"),
        mock.patch.object(tasks.notify_connection, "apply_async"),
    ):
        summary = tasks.keepalive_kickoff()

    assert summary["cleared"] == 1
    assert list(AuthorizationRequest.objects.values_list("pk", flat=True)) == [kept.pk]
