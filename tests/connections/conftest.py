"""Connection fixtures: a connected ``connection`` and a ``draft`` (the ``responses`` mock
``rsps`` is in tests/conftest.py), both built by tests/connections/helpers.make_connection."""

import pytest
from django.utils import timezone

from connections.models import Connection
from tests.connections.helpers import (
    IDENTITY_URL,
    OLD_ACCESS_TOKEN,
    OLD_REFRESH_TOKEN,
    USER_ID,
    USERNAME,
    make_connection,
)


@pytest.fixture
def public_urls(settings):
    """The test settings' defaults, whatever the environment says."""
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8881"
    settings.SERVER_OUTBOUND_IP = ""


@pytest.fixture
def connection_factory(team, alice):
    """Build a connection created by alice: signed in just now, or with ``connected=False``
    a draft with credentials; ``fields`` override Connection fields."""

    def make(connected: bool = True, name: str = "Acme production", **fields) -> Connection:
        if not connected:
            draft = {"status": "draft", "organization_id": "", "instance_url": ""}
            return make_connection(
                team, name, tokens=False, created_by=alice, **{**draft, **fields}
            )
        now = timezone.now()
        signed_in = {
            "user_id": USER_ID,
            "username": USERNAME,
            "identity_url": IDENTITY_URL,
            "next_refresh_at": now,
        }
        return make_connection(
            team,
            name,
            last_used=now,
            refresh_token=OLD_REFRESH_TOKEN,
            access_token=OLD_ACCESS_TOKEN,
            created_by=alice,
            **{**signed_in, **fields},
        )

    return make


@pytest.fixture
def connection(connection_factory) -> Connection:
    return connection_factory()


@pytest.fixture
def draft(connection_factory) -> Connection:
    return connection_factory(connected=False)
