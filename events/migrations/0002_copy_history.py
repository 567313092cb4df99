"""Copy the connection history (connections.ConnectionEvent) and the API key history
(api.TeamEvent) into the one event stream, keeping every row. Copied rows have no public
type: they were never published, so webhooks and the events feed don't replay them."""

from django.db import migrations

BATCH = 2000


def copy(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    ConnectionEvent = apps.get_model("connections", "ConnectionEvent")
    TeamEvent = apps.get_model("api", "TeamEvent")
    rows = ConnectionEvent.objects.select_related("connection").order_by("pk").iterator(BATCH)
    batch = []
    for old in rows:
        batch.append(
            Event(
                team_id=old.connection.team_id,
                connection_id=old.connection_id,
                connection_code=old.connection.code,
                connection_name=old.connection.name,
                actor_id=old.actor_id,
                kind=old.kind,
                message=old.message,
                created=old.created,
                dispatched_at=old.created,
            )
        )
        if len(batch) == BATCH:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)
    Event.objects.bulk_create(
        Event(
            team_id=old.team_id,
            actor_id=old.actor_id,
            kind=old.kind,
            message=old.message,
            created=old.created,
            dispatched_at=old.created,
        )
        for old in TeamEvent.objects.order_by("pk").iterator(BATCH)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("connections", "0007_token_generation_high_water"),
        ("api", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
