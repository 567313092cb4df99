from django.db import migrations


class Migration(migrations.Migration):
    """The connection history now lives in events.Event (copied by events 0002)."""

    dependencies = [
        ("connections", "0008_duplicates_and_submissions"),
        ("events", "0002_copy_history"),
    ]

    operations = [migrations.DeleteModel(name="ConnectionEvent")]
