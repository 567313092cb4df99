"""API fixtures: ``make_key`` creates team API keys; ``api`` is DRF's test client. The
connection fixtures come from tests/connections."""

import pytest
from rest_framework.test import APIClient

from api.models import APIKey
from tests.connections.conftest import connection_factory, public_urls  # noqa: F401


@pytest.fixture
def make_key(team, alice):
    """``make_key(scopes=..., team=..., connections=..., expires_at=...) -> (APIKey, raw)``."""

    def make(scopes=tuple(APIKey.Scope.values), key_team=None, **options):
        return APIKey.create(key_team or team, "Test key", scopes, created_by=alice, **options)

    return make


@pytest.fixture
def connection(connection_factory):  # noqa: F811
    return connection_factory()


@pytest.fixture
def api():
    return APIClient()


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
