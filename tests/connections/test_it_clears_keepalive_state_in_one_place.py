"""A sign-in, a duplicate's choice and a disconnect clear the keep-alive's state through
connections.tokens (one list of fields), so a new keep-alive field can't be missed by one."""

from django.utils import timezone

from connections import tokens
from connections.models import Connection


def test_cleared_fields_are_every_keepalive_field():
    when = timezone.now()

    fields = tokens.cleared_fields(Connection.Status.DISCONNECTED, when)

    assert sorted(fields) == sorted(tokens.KEEPALIVE_FIELDS)
    assert fields == {
        "status": "disconnected",
        "status_reason": "",
        "next_refresh_at": when,
        "consecutive_failures": 0,
        "failing_since": None,
        "last_error": "",
        "last_error_at": None,
    }


def test_mark_cleared_applies_them():
    failed = Connection(
        status="misconfigured", status_reason="bad", consecutive_failures=3, last_error="x"
    )
    failed.failing_since = failed.last_error_at = timezone.now()

    tokens.mark_cleared(failed, Connection.Status.CONNECTED, None)

    assert (failed.status, failed.status_reason, failed.consecutive_failures) == (
        "connected",
        "",
        0,
    )
    assert (failed.failing_since, failed.last_error, failed.last_error_at) == (None, "", None)


def test_one_copy_of_the_refresh_result_labels():
    from connections import guidance, keepalive

    assert not hasattr(guidance, "_RESULT_LABELS")
    assert keepalive.RESULT_LABELS is guidance.RESULT_LABELS
