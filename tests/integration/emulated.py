"""Connections holding emulator grants, as if the wizard had run (integration and reliability)."""

from datetime import UTC, datetime

from django.utils import timezone

from connections.models import Connection, ExternalClientApp, TokenSet


def connect(emu, team, name: str = "Emulated org", grant: dict | None = None) -> Connection:
    """A connected Connection holding ``grant`` (by default a fresh emulator grant)."""
    grant = grant or emu.mint_grant()
    now = timezone.now()
    connection = Connection.objects.create(
        team=team,
        name=name,
        environment=Connection.Environment.MY_DOMAIN,
        my_domain_url=emu.base_url,
        status=Connection.Status.CONNECTED,
        organization_id=grant["org_id"],
        user_id=grant["user_id"],
        username=grant["username"],
        instance_url=grant["instance_url"],
        identity_url=grant["id"],
    )
    ExternalClientApp.objects.create(
        connection=connection,
        consumer_key=grant["consumer_key"],
        consumer_secret=grant["consumer_secret"],
    )
    TokenSet.objects.create(
        connection=connection,
        access_token=grant["access_token"],
        refresh_token=grant["refresh_token"],
        instance_url=grant["instance_url"],
        scope=grant["scope"],
        issued_at=datetime.fromtimestamp(int(grant["issued_at"]) / 1000, tz=UTC),
        signature_verified=True,
        refresh_token_last_used_at=now,
    )
    return connection
