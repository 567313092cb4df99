"""A strict, standalone Microsoft Entra ID + Dataverse emulator for Orgkeeper's Dynamics tests
and demos. It imports nothing from Orgkeeper. README.md lists the URL scheme, the demo values,
what it enforces and the control API.
"""

from .browser import Browser, SignInFailed
from .config import (
    DEMO_ADMIN_PASSWORD,
    DEMO_ADMIN_USERNAME,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_ENVIRONMENTS,
    DEMO_PASSWORD,
    DEMO_REDIRECT_URIS,
    DEMO_TENANT_DOMAIN,
    DEMO_TENANT_ID,
    DEMO_USERNAME,
    demo_config,
)
from .emulator import Emulator
from .models import fingerprint

__all__ = [
    "DEMO_ADMIN_PASSWORD",
    "DEMO_ADMIN_USERNAME",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_ENVIRONMENTS",
    "DEMO_PASSWORD",
    "DEMO_REDIRECT_URIS",
    "DEMO_TENANT_DOMAIN",
    "DEMO_TENANT_ID",
    "DEMO_USERNAME",
    "Browser",
    "Emulator",
    "SignInFailed",
    "demo_config",
    "fingerprint",
]
