"""A strict, standalone Salesforce emulator for Orgkeeper's tests, benchmarks and demos.

Independent of Orgkeeper's code (no Django): it checks our OAuth client against the rules of
docs/salesforce-protocol.md,  README.md lists the demo credentials, the config format and
the control API.
"""

from .browser import SignInFailed
from .config import (
    DEMO_CALLBACK_URLS,
    DEMO_CONSUMER_KEY,
    DEMO_CONSUMER_SECRET,
    DEMO_MY_DOMAIN,
    DEMO_ORG_ID,
    DEMO_PASSWORD,
    DEMO_USER_ID,
    DEMO_USERNAME,
    demo_config,
)
from .emulator import Emulator
from .models import AccessToken, App, Grant, Org, RequestRecord, User

__all__ = [
    "DEMO_CALLBACK_URLS",
    "DEMO_CONSUMER_KEY",
    "DEMO_CONSUMER_SECRET",
    "DEMO_MY_DOMAIN",
    "DEMO_ORG_ID",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "DEMO_USER_ID",
    "AccessToken",
    "App",
    "Emulator",
    "Grant",
    "Org",
    "RequestRecord",
    "SignInFailed",
    "User",
    "demo_config",
]
