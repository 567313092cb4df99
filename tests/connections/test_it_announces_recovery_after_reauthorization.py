"""A successful Re-authorize of a connection the team was alerted about sends the "works
again" email once, after commit, and records the status change."""

import pytest
from django.core import mail

from connections import alerts
from connections.models import Connection, ConnectionEvent
from tests.connections.helpers import finish_flow, reauthorize, register_success, start_flow

pytestmark = pytest.mark.usefixtures("public_urls")


@pytest.mark.parametrize(
    ("status", "label"),
    [("needs_reauthorization", "Needs re-authorization"), ("misconfigured", "Misconfigured")],
)
def test_it_emails_the_recovery_once(
    alice_client, alice, bob, connection, rsps, django_capture_on_commit_callbacks, status, label
):
    Connection.objects.filter(pk=connection.pk).update(
        status=status, status_reason="Broken.", alerted_for=status
    )

    reauthorize(alice_client, connection, rsps, django_capture_on_commit_callbacks)

    assert [m.subject for m in mail.outbox] == [
        'Salesforce connection "Acme production" works again'
    ]
    assert sorted(mail.outbox[0].to) == ["alice@example.com", "bob@example.com"]
    connection.refresh_from_db()
    assert (connection.status, connection.alerted_for) == ("connected", "")
    change = connection.events.get(kind=ConnectionEvent.Kind.STATUS_CHANGED)
    assert change.message == f"{label} → Connected: re-authorized."
    assert change.actor == alice
    assert connection.events.filter(kind=ConnectionEvent.Kind.ALERT_SENT).count() == 1
    assert alerts.notify(connection.pk) == ""
    assert len(mail.outbox) == 1


def test_it_sends_the_email_only_after_commit(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    Connection.objects.filter(pk=connection.pk).update(
        status="needs_reauthorization", alerted_for="needs_reauthorization"
    )
    params = start_flow(alice_client, connection)
    register_success(rsps)
    with django_capture_on_commit_callbacks(execute=False):
        finish_flow(alice_client, {"code": "c", "state": params["state"]})
    assert mail.outbox == []
    connection.refresh_from_db()
    assert connection.alerted_for == "needs_reauthorization"


def test_it_sends_nothing_when_no_alert_was_sent(
    alice_client, connection, rsps, django_capture_on_commit_callbacks
):
    Connection.objects.filter(pk=connection.pk).update(status="needs_reauthorization")

    reauthorize(alice_client, connection, rsps, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert connection.events.filter(kind=ConnectionEvent.Kind.STATUS_CHANGED).count() == 1
