"""Dynamics 365 fixtures: ``dynamics_settings`` (Orgkeeper configured for the Entra emulator),
the emulator (``entra_emulator``) and the connection fixtures of tests/connections."""

import pytest

from tests.connections.conftest import public_urls  # noqa: F401
from tests.emulators.entra.fixtures import entra_emulator  # noqa: F401


@pytest.fixture
def dynamics_settings(settings, entra_emulator):  # noqa: F811
    """Orgkeeper configured for the emulator's demo app, tenant and environments."""
    app = entra_emulator.demo_app
    settings.DYNAMICS_CLIENT_ID = app.client_id
    settings.DYNAMICS_CLIENT_SECRET = app.client_secret
    settings.DYNAMICS_AUTHORITY = entra_emulator.authority
    settings.DYNAMICS_DISCOVERY_URL = ""
    settings.DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES = [f"{entra_emulator.authority}/env/"]
    return settings
