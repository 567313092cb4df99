"""Salesforce, connected through a per-org External Client App: the ``provider`` the registry
(connections.providers) loads. The HTTP calls are in ``client``, the error table in
``errors``, the admin's words in ``guidance``, the wizard's forms in ``forms``, the login
hosts in ``login_hosts`` and the setup checklist in ``templates/``.
Protocol notes: docs/salesforce-protocol.md.
"""

from django.views.decorators.debug import sensitive_variables

from ..base import Credentials, Grant, Identity, Policies, Provider, ProviderError, Target
from . import client, errors, forms, guidance, login_hosts


class Salesforce(Provider):
    """The Salesforce provider."""

    name = "salesforce"
    label = "Salesforce"
    # What the admin creates in the org, and what its client ID and secret are called.
    app_label = "External Client App"
    checklist_template = "connections/salesforce/_checklist.html"
    setup_template = "connections/new.html"
    connect_template = "connections/credentials.html"
    disconnect_template = "connections/salesforce/_disconnect.html"
    setup_values_template = "connections/_setup_values.html"
    misconfigured_hint = (
        'A wrong Consumer Secret is replaced under "Edit"; another Consumer Key needs '
        '"Re-authorize". '
    )
    deleted_with_connection = "External Client App credentials"
    app_kept_hint = (
        "The app in Salesforce stays; delete it in Salesforce Setup if nothing else uses it."
    )
    # The API proxy forwards paths under {instance_url}/services/ (the REST API).
    proxy_prefix = "services/"
    proxy_header_prefixes = ("Sforce-",)
    proxy_response_headers = ("Sforce-Limit-Info",)
    forms = forms
    address_label = "My Domain URL"  # what check_login_url checks, in its errors
    credentials_missing = "The External Client App is missing."
    manual_revoke_hint = "Revoke it in Salesforce Setup > Connected Apps OAuth Usage."
    kept_on_failure = "Consumer Key, Consumer Secret and tokens"
    # What the alert email adds to "click Re-authorize and sign in to Salesforce".
    reauthorize_hint = (
        " (the Consumer Key is filled in; leave the Consumer Secret empty to keep the saved "
        "one, or paste new ones)"
    )
    policies = Policies(
        # Refresh Token Rotation: each refresh returns a new refresh token and revokes the
        # presented one (docs/salesforce-protocol.md, "Refresh token rotation").
        refresh_token_rotates=True,
        refresh_token_idle_ttl=None,  # REFRESH_TOKEN_IDLE_TTL: the app's policy, 30 days
        token_response_has_expires_in=False,
        access_token_lifetime=None,  # ACCESS_TOKEN_LIFETIME: the session timeout
        has_per_token_revoke=True,
        approvals_per_user_limit=5,
    )
    # The refresh errors that mean "revoked" and may be the approvals limit's doing.
    revoked = errors.REVOKED
    session_policy_blocks_api = staticmethod(client.session_policy_blocks_api)
    api_versions = staticmethod(client.api_versions)
    forward = staticmethod(client.forward)

    default_environment = login_hosts.PRODUCTION
    environment_labels = login_hosts.ENVIRONMENTS

    def login_url(self, environment: str, my_domain_url: str = "") -> str:
        """The login URL (authorize, token and revoke) of an environment."""
        return login_hosts.login_url_for(environment, my_domain_url)

    def check_login_url(self, environment: str, my_domain_url: str) -> None:
        """Raise ValidationError when a My Domain URL isn't one the wizard accepts (saved
        before the admin checked it, or http:// since ALLOW_INSECURE_LOGIN_HOSTS went off)."""
        if environment == login_hosts.MY_DOMAIN:
            login_hosts.normalize_my_domain_url(my_domain_url)

    def client_credentials(self, stored: Credentials | None) -> Credentials | None:
        """The connection's own External Client App: its consumer key and secret."""
        return stored

    def is_expired_session(self, status: int, body: bytes) -> bool:
        """A proxied REST answer that says the token is dead: 401 INVALID_SESSION_ID."""
        return client.is_invalid_session(status, body)

    def authorization_url(
        self, target: Target, client_id: str, redirect_uri: str, state: str, code_verifier: str
    ) -> str:
        return client.authorization_url(
            target.login_url, client_id, redirect_uri, state, code_verifier
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
            target.login_url,
            credentials.consumer_key,
            credentials.consumer_secret,
            code,
            redirect_uri,
            code_verifier,
        )

    @sensitive_variables()
    def identity(self, grant: Grant) -> Identity:
        return client.identity(grant.identity_url, grant.access_token)

    @sensitive_variables()
    def refresh(
        self, target: Target, credentials: Credentials, refresh_token: str, timeout: float
    ) -> Grant:
        return client.refresh(
            target.login_url,
            credentials.consumer_key,
            credentials.consumer_secret,
            refresh_token,
            timeout=timeout,
        )

    @sensitive_variables()
    def revoke(self, target: Target, token: str) -> None:
        client.revoke(target.login_url, token)

    @sensitive_variables()
    def probe(self, instance_url: str, access_token: str) -> object:
        return client.api_probe(instance_url, access_token)

    def classify(self, error: ProviderError, lost_in_flight: bool = False, org_id: str = ""):
        return errors.classify(error, lost_in_flight, org_id)

    explain = staticmethod(guidance.explain_exception)
    explain_redirect = staticmethod(guidance.explain)
    identity_failed = staticmethod(guidance.identity_failed)
    missing_refresh_token = staticmethod(guidance.missing_refresh_token)
    organization_mismatch = staticmethod(guidance.organization_mismatch)

    def probe_passed(self, body: object) -> str:
        """What Test connection says when the REST probe answered ``body``."""
        return guidance.test_passed(client.api_versions(body))

    probe_failed = staticmethod(guidance.test_failed)
    session_policy_problem = errors.SESSION_POLICY_BLOCKS_API


provider = Salesforce()
