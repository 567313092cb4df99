"""Connections holding emulator grants, as if the wizard had run (integration and reliability
tests, and the benchmarks)."""

from datetime import UTC, datetime

from django.utils import timezone

from connections.models import ClientCredentials, Connection, TokenSet


def rows_for_grant(
    emu, team, name: str, grant: dict, last_used: datetime, **connection_fields
) -> tuple[Connection, ClientCredentials, TokenSet]:
    """Unsaved Connection, ClientCredentials and TokenSet of a connected connection that holds
    ``grant`` (an emulator token response); ``connection_fields`` override Connection fields."""
    connection = Connection(
        team=team,
        name=name,
        environment="my_domain",
        my_domain_url=emu.base_url,
        login_url=emu.base_url,
        status=Connection.Status.CONNECTED,
        organization_id=grant["org_id"],
        user_id=grant["user_id"],
        username=grant["username"],
        instance_url=grant["instance_url"],
        identity_url=grant["id"],
        **connection_fields,
    )
    app = ClientCredentials(
        connection=connection,
        consumer_key=grant["consumer_key"],
        consumer_secret=grant["consumer_secret"],
    )
    tokens = TokenSet(
        connection=connection,
        access_token=grant["access_token"],
        refresh_token=grant["refresh_token"],
        instance_url=grant["instance_url"],
        scope=grant["scope"],
        issued_at=datetime.fromtimestamp(int(grant["issued_at"]) / 1000, tz=UTC),
        signature_verified=True,
        refresh_token_last_used_at=last_used,
    )
    return connection, app, tokens


def connect(emu, team, name: str = "Emulated org", grant: dict | None = None) -> Connection:
    """A connected Connection holding ``grant`` (by default a fresh emulator grant)."""
    connection, app, tokens = rows_for_grant(
        emu, team, name, grant or emu.mint_grant(), timezone.now()
    )
    connection.save()
    app.save()
    tokens.save()
    return connection
