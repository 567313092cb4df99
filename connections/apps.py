import os

from django.apps import AppConfig
from django.conf import settings


class ConnectionsConfig(AppConfig):
    name = "connections"
    verbose_name = "Salesforce connections"

    def ready(self) -> None:
        # oauthlib refuses http:// endpoints unless this is set. Only the local emulator is
        # served over http, and Connection validation refuses http:// login URLs unless
        # ALLOW_INSECURE_LOGIN_HOSTS is on (never in production).
        if settings.ALLOW_INSECURE_LOGIN_HOSTS:
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
        # Salesforce may list the granted scopes in another order or grant fewer; we check
        # the granted scopes ourselves (connections.oauth) instead of oauthlib raising.
        os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")

        from . import checks  # noqa: F401  (registers the keep-alive settings checks)
        from .secrets import silence_library_debug_logs

        silence_library_debug_logs()
