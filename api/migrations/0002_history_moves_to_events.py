from django.db import migrations


class Migration(migrations.Migration):
    """The API key history now lives in events.Event (copied by events 0002)."""

    dependencies = [
        ("api", "0001_initial"),
        ("events", "0002_copy_history"),
    ]

    operations = [migrations.DeleteModel(name="TeamEvent")]
