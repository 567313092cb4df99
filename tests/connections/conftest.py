"""Connection fixtures: a connected ``connection`` and a ``draft`` (the ``responses`` mock
``rsps`` is in tests/conftest.py)."""

import pytest
from django.utils import timezone

from connections.models import ClientCredentials, Connection, TokenSet
from tests.connections.helpers import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    IDENTITY_URL,
    INSTANCE_URL,
    OLD_ACCESS_TOKEN,
    OLD_REFRESH_TOKEN,
    ORG_ID,
    USER_ID,
    USERNAME,
)


@pytest.fixture
def public_urls(settings):
    """The test settings' defaults, whatever the environment says."""
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8881"
    settings.SERVER_OUTBOUND_IP = ""


@pytest.fixture
def connection_factory(team, alice):
    """Build a connection: ``connected=False`` is a draft with credentials."""

    def make(connected: bool = True, name: str = "Acme production", **fields) -> Connection:
        defaults = {"status": Connection.Status.CONNECTED if connected else "draft"}
        if connected:
            defaults.update(
                organization_id=ORG_ID,
                user_id=USER_ID,
                username=USERNAME,
                instance_url=INSTANCE_URL,
                identity_url=IDENTITY_URL,
                next_refresh_at=timezone.now(),
            )
        connection = Connection.objects.create(
            team=team, name=name, created_by=alice, **{**defaults, **fields}
        )
        ClientCredentials.objects.create(
            connection=connection, consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET
        )
        if connected:
            TokenSet.objects.create(
                connection=connection,
                access_token=OLD_ACCESS_TOKEN,
                refresh_token=OLD_REFRESH_TOKEN,
                instance_url=INSTANCE_URL,
                scope="refresh_token id api",
                issued_at=timezone.now(),
                signature_verified=True,
                refresh_token_last_used_at=timezone.now(),
            )
        return connection

    return make


@pytest.fixture
def connection(connection_factory) -> Connection:
    return connection_factory()


@pytest.fixture
def draft(connection_factory) -> Connection:
    return connection_factory(connected=False)
