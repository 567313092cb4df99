"""ExternalClientApp becomes ClientCredentials (any provider's OAuth client); the rows, their
table's data and the encrypted secrets are kept: a rename, not a copy."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0011_environment_is_the_providers"),
    ]

    operations = [
        migrations.RenameModel(old_name="ExternalClientApp", new_name="ClientCredentials"),
        migrations.AlterModelOptions(
            name="clientcredentials",
            options={
                "verbose_name": "client credentials",
                "verbose_name_plural": "client credentials",
            },
        ),
        migrations.AlterField(
            model_name="clientcredentials",
            name="connection",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="client_credentials",
                to="connections.connection",
            ),
        ),
    ]
