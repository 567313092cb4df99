"""What every provider gives the core: the Provider base class, its Policies, the Grant and
Identity it returns, the errors it raises, and PKCE helpers. Imports nothing from Orgkeeper's
models, so a provider (``connections/providers/<name>/``) can be written against this file
alone (see tests/providers/fake/ for the smallest one)."""

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from oauthlib.oauth2 import WebApplicationClient

from ..errors import (
    ApiError,
    Classification,
    ErrorKind,
    Guidance,
    InvalidGrant,
    OAuthError,
    ProviderError,
    SessionExpired,
    SessionPolicyBlocked,
    SignatureMismatch,
    Unavailable,
)

# What a provider package needs, in one place (the error types live in connections.errors,
# which connections.http uses too).
__all__ = [
    "ApiError",
    "Classification",
    "Credentials",
    "ErrorKind",
    "Grant",
    "Guidance",
    "Identity",
    "InvalidGrant",
    "OAuthError",
    "Policies",
    "Provider",
    "ProviderError",
    "SessionExpired",
    "SessionPolicyBlocked",
    "SignatureMismatch",
    "Unavailable",
    "code_challenge",
    "new_code_verifier",
    "new_state",
]

# --- PKCE and state (every provider's web server flow) --------------------------------


def new_code_verifier() -> str:
    """A PKCE ``code_verifier`` (RFC 7636 §4.1): 86 base64url characters. Salesforce rejects
    the ``~`` that RFC 7636 allows, so only ``[A-Za-z0-9_-]`` are used."""
    return secrets.token_urlsafe(64)


def code_challenge(code_verifier: str) -> str:
    """The S256 ``code_challenge`` for a verifier (RFC 7636 §4.2), computed by oauthlib."""
    return WebApplicationClient(None).create_code_challenge(code_verifier, "S256")


def new_state() -> str:
    """An unguessable ``state`` value (RFC 6749 §10.12)."""
    return secrets.token_urlsafe(32)


# --- What a provider returns --------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """A successful token response (RFC 6749 §5.1). ``refresh_token`` is None when the
    provider sent none or sent the presented one back (no rotation); ``instance_url`` None
    keeps the stored one. ``issued_at`` and ``expires_at`` are UTC; ``expires_at`` is None
    when the response has no ``expires_in``. ``problem``: the response was stored but points
    at a misconfiguration (Salesforce: a signature that doesn't match the client secret).
    ``identity_url``: where the provider says who signed in (OpenID Connect userinfo)."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    instance_url: str | None
    issued_at: datetime
    scope: str = ""
    expires_at: datetime | None = None
    identity_url: str = ""
    problem: Classification | None = None
    provider_data: dict[str, Any] = field(default_factory=dict)

    @property
    def scopes(self) -> set[str]:
        """The granted scopes: ``scope`` split on spaces (RFC 6749 §3.3)."""
        return set(self.scope.split())


@dataclass(frozen=True)
class Identity:
    """Who signed in, and to which organization (Salesforce org, Dataverse environment)."""

    organization_id: str
    user_id: str
    username: str
    display_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class Policies:
    """A provider's token rules, as data, so the core never branches on a provider's name.

    - ``refresh_token_rotates``: using a refresh token revokes it (a new one comes back).
      The keep-alive then commits an attempt mark before each refresh and can tell
      "refresh token lost"; without rotation neither is needed.
    - ``refresh_token_idle_ttl``: seconds a refresh token lives unused (None: a setting).
    - ``token_response_has_expires_in``: the token response says when the access token
      expires; otherwise ``access_token_lifetime`` seconds (None: a setting) are assumed.
    - ``has_per_token_revoke``: one refresh token can be revoked through the API.
    - ``approvals_per_user_limit``: grants the provider keeps per user and app (the oldest
      is revoked beyond it), or None.
    """

    refresh_token_rotates: bool
    refresh_token_idle_ttl: int | None = None
    token_response_has_expires_in: bool = True
    access_token_lifetime: int | None = None
    has_per_token_revoke: bool = True
    approvals_per_user_limit: int | None = None


class Credentials(Protocol):
    """A connection's client credentials (connections.models.ClientCredentials)."""

    consumer_key: str
    consumer_secret: str


@dataclass(frozen=True)
class Target:
    """What a provider's calls are about, derived from the connection by the core:
    ``login_url`` (Salesforce: the login host for authorize, token and revoke; a provider
    whose authority is a setting may ignore it) and ``instance_url`` (the API the tokens are
    for: a Salesforce instance, a Dataverse environment URL; empty when not known yet)."""

    login_url: str
    instance_url: str = ""


class Provider:
    """One identity provider: its policies, its HTTP calls and the words for its errors. A
    provider subclasses this, sets the class attributes and implements the HTTP calls; the
    other methods have provider-neutral defaults. ``target`` (a Target) says which
    connection a call is for. Every call raises ProviderError subclasses only, and never
    logs or raises a secret.

    The wizard's pages are the provider's too: ``forms``, ``setup_template`` (step 1's
    page), ``connect_template`` (step 2's: sign in, also Re-authorize), ``facts_template``
    (its lines of the connection page's facts), ``disconnect_template`` (what Disconnect
    does, as list items; with ``after`` what stays) and ``checklist_template``.
    """

    name: str  # the value stored in Connection.provider
    label: str  # shown to people: "Salesforce"
    app_label = "app registration"  # what an admin registers: "External Client App"
    policies: Policies
    checklist_template: str  # the setup checklist, included by the wizard's pages
    forms: Any  # a module with NewConnectionForm, ConnectionForm, ConnectForm, EditForm
    default_environment = ""
    environment_labels: dict[str, str] = {}  # Connection.environment values -> labels
    manual_revoke_hint = "Revoke it at the provider."
    reauthorize_hint = ""  # what the alert email adds after "sign in to <label>"
    kept_on_failure = "credentials and tokens"  # what a failed re-authorization leaves as it was
    setup_template = "connections/new.html"
    connect_template = "connections/credentials.html"
    facts_template = "connections/_facts.html"
    disconnect_template = "connections/_disconnect_steps.html"
    # The values to paste into the app registration, shown on the connection page and with
    # a Guidance whose ``show_setup_values`` is set; "" when the provider has none.
    setup_values_template = ""
    # What the misconfigured-connection email says about fixing it in Orgkeeper ("" none).
    misconfigured_hint = ""
    # What deleting a connection removes with it, and what stays behind at the provider.
    deleted_with_connection = "app registration credentials"
    app_kept_hint = "The app registration stays; delete it at the provider if nothing else uses it."
    address_label = "login URL"  # what check_login_url checks, in its errors
    credentials_missing = "The app registration's client ID and secret are missing."
    # The API proxy: the path it forwards under ({instance_url}/services/...), the request
    # header prefixes that go along, and the provider's response headers that come back.
    proxy_prefix = "services/"
    proxy_header_prefixes: tuple[str, ...] = ()
    proxy_response_headers: tuple[str, ...] = ()
    # The API's api_base_url when the provider's REST base is fixed: a function of the
    # instance URL (Dataverse's /api/data/v9.2); None: the API asks the instance.
    api_base_url = None
    # The classification of a refresh refused as revoked (what the approvals limit explains).
    revoked: Classification | None = None
    # What an API refusing fresh sessions means (a session policy), if the provider has one.
    session_policy_problem: Classification | None = None

    # --- The connection's environment ----------------------------------------------------

    def environment_label(self, environment: str) -> str:
        """The label of an ``environment`` value (a ``Connection.environment``, such as
        "production" -> "Production"); a value not in ``environment_labels`` as it is."""
        return self.environment_labels.get(environment, environment)

    def where(self, connection) -> str:
        """The connection's environment and login URL, for its history ("Production
        (https://login.salesforce.com)")."""
        return f"{connection.get_environment_display()} ({connection.login_url})"

    def login_url(self, environment: str, my_domain_url: str = "") -> str:
        """The URL authorize, token and revoke calls go to for a connection in
        ``environment`` (Salesforce: ``my_domain_url`` for the my_domain environment, else
        login.salesforce.com or test.salesforce.com). Stored as ``Connection.login_url``.
        Raises ValidationError for a URL the provider doesn't accept."""
        raise NotImplementedError

    def check_login_url(self, environment: str, my_domain_url: str) -> None:
        """Raise ValidationError when the connection's login URL isn't acceptable."""

    # --- HTTP calls ----------------------------------------------------------------------

    def client_credentials(self, stored: Credentials | None) -> Credentials | None:
        """The client ID and secret to use for a connection whose stored ones (or a flow's
        submitted ones) are ``stored``: by default those (per-connection app registrations);
        a provider with one app of the operator's (Dynamics) returns that. None when there
        are none."""
        return stored

    def is_expired_session(self, status: int, body: bytes) -> bool:
        """A proxied API answer (HTTP ``status``, raw ``body``) that says the access token is
        dead, so one refresh may help."""
        return status == 401

    def unsolicited_callback(self, params) -> Guidance | None:
        """The page for a redirect to the callback that no sign-in started (Entra's answer to
        an admin consent link), or None when it isn't this provider's."""
        return None

    def authorization_url(
        self, target: Target, client_id: str, redirect_uri: str, state: str, code_verifier: str
    ) -> str:
        """Where to send the admin (RFC 6749 §4.1.1, with an S256 PKCE challenge)."""
        raise NotImplementedError

    def exchange_code(
        self,
        target: Target,
        credentials: Credentials,
        code: str,
        redirect_uri: str,
        code_verifier: str,
    ) -> Grant:
        """Exchange an authorization code (RFC 6749 §4.1.3) with the PKCE ``code_verifier``
        (RFC 7636 §4.5); returns the Grant. Raises InvalidGrant or OAuthError (the token
        endpoint's error response, RFC 6749 §5.2), SignatureMismatch (Salesforce: a response
        not signed with the client secret) or Unavailable (no usable answer)."""
        raise NotImplementedError

    def identity(self, grant: Grant) -> Identity:
        """Who signed in, and to which organization, for a fresh ``grant`` (Salesforce: its
        identity URL; Dynamics: the ID token and WhoAmI). Raises a ProviderError (ApiError,
        Unavailable or a provider's own subclass), which the core hands to
        ``identity_failed``."""
        raise NotImplementedError

    def refresh(
        self, target: Target, credentials: Credentials, refresh_token: str, timeout: float
    ) -> Grant:
        """Use a refresh token (RFC 6749 §6); ``timeout`` in seconds. Returns the Grant;
        raises InvalidGrant, OAuthError, SignatureMismatch or Unavailable."""
        raise NotImplementedError

    def revoke(self, target: Target, token: str) -> None:
        """Revoke a token (RFC 7009); only called when ``policies.has_per_token_revoke``."""
        raise NotImplementedError

    def probe(self, instance_url: str, access_token: str) -> object:
        """One lightweight API call with ``access_token`` against ``instance_url`` (Test
        connection, the API's test); returns its parsed answer. Raises SessionExpired (the
        token is dead), SessionPolicyBlocked, ApiError (another refusal) or Unavailable."""
        raise NotImplementedError

    # --- Words -------------------------------------------------------------------------

    def classify(
        self, error: ProviderError, lost_in_flight: bool = False, org_id: str = ""
    ) -> Classification:
        """What a failed refresh means (``lost_in_flight``: an earlier attempt sent the same
        rotating refresh token and its answer was never stored). By default: invalid_grant
        needs a new sign-in, other OAuth errors are misconfiguration, the rest transient."""
        if isinstance(error, InvalidGrant):
            said = error.description or "invalid_grant"
            return Classification(
                ErrorKind.NEEDS_REAUTHORIZATION, f"{self.label} refused the refresh token: {said}."
            )
        if isinstance(error, OAuthError):
            return Classification(
                ErrorKind.MISCONFIGURED, f"{self.label} refused the refresh request: {error}."
            )
        return Classification(ErrorKind.TRANSIENT, str(error) or f"{self.label} didn't answer.")

    def explain(self, error: ProviderError, **about: str) -> Guidance:
        """Guidance for a failed code exchange or credentials check. ``about`` may hold
        ``redirect_uri`` (the flow's callback URL), ``org_id`` (the organization the
        connection is for, "" when new) and ``login_url`` (the connection's); a provider
        may name them in its words and must ignore keys it doesn't know."""
        if isinstance(error, Unavailable):
            return Guidance(
                f"{self.label} didn't answer.",
                "Nothing was saved. Try again in a few minutes.",
                detail=error.description,
                http_status=502,
                source=self.label,
            )
        return Guidance(
            f"{self.label} refused the sign-in.",
            "Nothing was saved. Check the app registration and start again.",
            detail=str(error),
            source=self.label,
        )

    def explain_redirect(self, error: str, description: str = "", **about: str) -> Guidance:
        """Guidance for an ``error`` the authorize redirect brought back (RFC 6749 §4.1.2.1),
        with its ``description``; ``about`` as for ``explain``."""
        detail = ": ".join(part for part in (error, description) if part)
        return Guidance(
            f"{self.label} refused the sign-in.",
            "Start again.",
            detail=detail or "no details",
            source=self.label,
        )

    def identity_failed(self, error: ProviderError) -> Guidance:
        """Guidance (HTTP 502) when ``identity`` raised ``error`` after a good exchange."""
        return Guidance(
            f"{self.label} didn't say who signed in.",
            "Nothing was saved. Try again.",
            detail=str(error),
            http_status=502,
            source=self.label,
        )

    def missing_refresh_token(self, scope: str) -> Guidance:
        """Guidance when the token response had no refresh token; ``scope`` is the granted
        scope string (RFC 6749 §5.1), named in the detail."""
        return Guidance(
            f"{self.label} gave no refresh token.",
            "Without one the connection can't be kept alive. Grant offline access to the app "
            "and start again.",
            detail=f"granted scopes: {scope or 'none'}",
        )

    def organization_mismatch(self, expected: str, received: str) -> Guidance:
        """Guidance when a re-authorization signed in to organization ``received`` (an ID)
        while the connection is for ``expected``; the old tokens stay."""
        return Guidance(
            "That is a different organization.",
            f"This connection is for {expected}, but the sign-in was for {received}. The old "
            "tokens are kept.",
        )

    def api_versions(self, body: object) -> list[str]:
        """The API versions a probe's answer lists (none by default)."""
        return []

    def probe_passed(self, body: object) -> str:
        """The message for a probe that answered ``body`` (its parsed answer)."""
        return f"{self.label} answered."

    def probe_failed(self, error: ProviderError) -> str:
        """The message for a probe that raised ``error``; never holds a secret."""
        return f"{self.label} refused the API call ({error}). Try again."

    def session_policy_blocks_api(self, status: int, body: object) -> bool:
        """True when an API answer means fresh sessions are refused too (see
        ``session_policy_problem``)."""
        return False
