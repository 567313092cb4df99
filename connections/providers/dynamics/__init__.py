"""Microsoft Dynamics 365 / Dataverse, connected through the operator's one multi-tenant
Microsoft Entra ID app (DYNAMICS_CLIENT_ID, DYNAMICS_CLIENT_SECRET, DYNAMICS_AUTHORITY): the
``provider`` the registry (connections.providers) loads. Nothing is set up in the
environment: the user signs in and consents. The HTTP calls are in ``client``, the error table
in ``errors``, the admin's words in ``guidance``, the environment URLs in ``environments``,
the wizard's forms in ``forms`` and its pages in ``templates/``.
Protocol notes: docs/dynamics-protocol.md. References:
https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow,
https://learn.microsoft.com/en-us/power-apps/developer/data-platform/authenticate-oauth
"""

from dataclasses import dataclass

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from ...errors import Guidance
from ..base import Credentials, Grant, Identity, Policies, Provider, ProviderError, Target
from . import client, environments, errors, forms, guidance


@dataclass(frozen=True)
class OperatorApp:
    """The operator's Entra app registration, from settings (never stored per connection)."""

    consumer_key: str
    consumer_secret: str

    def __repr__(self) -> str:
        return f"<OperatorApp {self.consumer_key}>"


class Dynamics(Provider):
    """The Dynamics 365 provider (see connections.providers.base.Provider)."""

    name = "dynamics"
    label = "Microsoft Dynamics 365"
    app_label = "Microsoft Entra app"
    address_label = "environment URL"
    checklist_template = "connections/dynamics/_checklist.html"
    setup_template = "connections/dynamics/new.html"
    connect_template = "connections/dynamics/connect.html"
    facts_template = "connections/dynamics/_facts.html"
    disconnect_template = "connections/dynamics/_disconnect.html"
    forms = forms
    default_environment = "dataverse"
    environment_labels = {"dataverse": "Dataverse"}
    credentials_missing = (
        "Orgkeeper's Microsoft Entra app isn't configured: the operator sets DYNAMICS_CLIENT_ID "
        "and DYNAMICS_CLIENT_SECRET."
    )
    kept_on_failure = "tokens"
    deleted_with_connection = "settings"
    app_kept_hint = "The Microsoft Entra app stays: it is the operator's, for every connection."
    manual_revoke_hint = (
        "Microsoft Entra ID has no per-token revoke: Orgkeeper forgot the tokens. To end the "
        "app's access, a tenant administrator removes its consent in the Microsoft Entra "
        "admin center > Enterprise applications > Orgkeeper > Permissions (or deletes the "
        "enterprise application); the user can also remove it at https://myapps.microsoft.com."
    )
    policies = Policies(
        # Each refresh answers a new refresh token and the old one stays valid until its own
        # 90 days run out: https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens
        refresh_token_rotates=False,
        refresh_token_idle_ttl=90 * 24 * 3600,
        token_response_has_expires_in=True,
        has_per_token_revoke=False,
        approvals_per_user_limit=None,
    )
    # The API proxy forwards paths under {environment URL}/api/data/ (the Web API).
    proxy_prefix = "api/data/"
    proxy_header_prefixes = ("OData-", "Prefer", "MSCRM.", "Consistency")
    proxy_response_headers = ("OData-Version", "OData-EntityId", "Preference-Applied")
    api_base_url = staticmethod(client.api_base_url)
    forward = staticmethod(client.forward)

    def environment_label(self, environment: str) -> str:
        """Every Dynamics connection is a Dataverse environment."""
        return "Dataverse"

    def where(self, connection) -> str:
        """The connection's environment, for its history."""
        return f"environment {connection.instance_url}"

    @staticmethod
    def client_id() -> str:
        """The operator's app's client ID (DYNAMICS_CLIENT_ID), shown on the pages."""
        return settings.DYNAMICS_CLIENT_ID

    configured = staticmethod(environments.configured)

    def client_credentials(self, stored: Credentials | None) -> Credentials | None:
        """The operator's app from settings, whatever is stored; None while unset."""
        if not environments.configured():
            return None
        return OperatorApp(settings.DYNAMICS_CLIENT_ID, settings.DYNAMICS_CLIENT_SECRET)

    def login_url(self, environment: str, my_domain_url: str = "") -> str:
        """The authority's tenant-independent endpoint (``organizations``)."""
        return f"{environments.authority()}/{client.TENANT}"

    def authorization_url(
        self, target: Target, client_id: str, redirect_uri: str, state: str, code_verifier: str
    ) -> str:
        return client.authorization_url(
            target.instance_url, client_id, redirect_uri, state, code_verifier
        )

    @sensitive_variables()
    def exchange_code(
        self,
        target: Target,
        credentials: Credentials,
        code: str,
        redirect_uri: str,
        code_verifier: str,
    ) -> Grant:
        return client.exchange_code(
            target.instance_url,
            credentials.consumer_key,
            credentials.consumer_secret,
            code,
            redirect_uri,
            code_verifier,
        )

    @sensitive_variables()
    def identity(self, grant: Grant) -> Identity:
        return client.identity(grant)

    @sensitive_variables()
    def refresh(
        self, target: Target, credentials: Credentials, refresh_token: str, timeout: float
    ) -> Grant:
        return client.refresh(
            target.instance_url,
            credentials.consumer_key,
            credentials.consumer_secret,
            refresh_token,
            timeout=timeout,
        )

    def revoke(self, target: Target, token: str) -> None:
        """Entra ID has no per-token revoke (``policies.has_per_token_revoke``)."""

    @sensitive_variables()
    def probe(self, instance_url: str, access_token: str) -> object:
        """Test connection: ``GET {environment}/api/data/v9.2/WhoAmI``."""
        return client.who_am_i(instance_url, access_token)

    def classify(self, error: ProviderError, lost_in_flight: bool = False, org_id: str = ""):
        return errors.classify(error, lost_in_flight, org_id)

    def api_versions(self, body: object) -> list[str]:
        return [client.WEB_API_PATH.rsplit("/v", 1)[1]]

    explain = staticmethod(guidance.explain_exception)
    explain_redirect = staticmethod(guidance.explain)
    identity_failed = staticmethod(guidance.identity_failed)
    missing_refresh_token = staticmethod(guidance.missing_refresh_token)
    organization_mismatch = staticmethod(guidance.organization_mismatch)
    probe_passed = staticmethod(guidance.test_passed)
    probe_failed = staticmethod(guidance.test_failed)

    def unsolicited_callback(self, params) -> Guidance | None:
        """Entra's answer to the admin consent link (``admin_consent``, ``tenant``, or an
        ``error``), which no sign-in started: what the page says. None for other redirects.
        Reference: https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent
        """
        if "admin_consent" not in params:
            return None
        if params.get("admin_consent") == "True" and not params.get("error"):
            return Guidance(
                "Consent granted for your organization.",
                "Orgkeeper may now sign in the users of your tenant to Dynamics 365. The admin "
                "who asked for it can go back to the connection and click Re-authorize (or "
                "Continue setup) to sign in with Microsoft.",
                http_status=200,
            )
        return Guidance(
            "Consent was not granted.",
            "The administrator didn't accept the permissions, so users still can't consent. "
            "Open the admin consent link again and click Accept.",
        )


provider = Dynamics()
