"""Connections left "Waiting for sign-in" after their expired sign-in records were deleted
(before Connection.end_expired_sign_ins existed, nothing put them back) go back to draft, or
to disconnected if they were connected before, with an event saying why."""

from django.db import migrations
from django.utils import timezone

PENDING = "pending_authorization"
MESSAGE = "The sign-in to Salesforce expired: it wasn't finished within 10 minutes. Start again."


def end_sign_ins_without_flows(apps, schema_editor):
    Connection = apps.get_model("connections", "Connection")
    ConnectionEvent = apps.get_model("connections", "ConnectionEvent")
    stuck = list(
        Connection.objects.filter(status=PENDING, authorization_requests__isnull=True).only(
            "pk", "organization_id"
        )
    )
    now = timezone.now()
    for status, with_org in (("disconnected", True), ("draft", False)):
        ids = [c.pk for c in stuck if bool(c.organization_id) == with_org]
        Connection.objects.filter(pk__in=ids).update(status=status, updated=now)
    ConnectionEvent.objects.bulk_create(
        ConnectionEvent(connection_id=c.pk, kind="authorization_failed", message=MESSAGE)
        for c in stuck
    )


class Migration(migrations.Migration):
    dependencies = [("connections", "0004_unbounded_salesforce_values")]

    operations = [migrations.RunPython(end_sign_ins_without_flows, migrations.RunPython.noop)]
