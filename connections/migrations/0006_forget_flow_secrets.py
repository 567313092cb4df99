"""A sign-in record's code verifier and submitted consumer secret are removed once the flow is
used or has expired; records kept from before lose theirs now."""

import django_cryptography.fields
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone


def forget_secrets_of_ended_flows(apps, schema_editor):
    AuthorizationRequest = apps.get_model("connections", "AuthorizationRequest")
    AuthorizationRequest.objects.filter(
        Q(used_at__isnull=False) | Q(expires_at__lte=timezone.now())
    ).update(code_verifier=None, consumer_secret=None)


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0005_end_sign_ins_without_flows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="authorizationrequest",
            name="code_verifier",
            field=django_cryptography.fields.encrypt(
                models.CharField(blank=True, max_length=128, null=True)
            ),
        ),
        migrations.RunPython(forget_secrets_of_ended_flows, migrations.RunPython.noop),
    ]
