"""What every provider gives the core: the Provider protocol, its Policies, the Grant and
Identity it returns, and the errors it raises. Imports nothing from Orgkeeper's models, so
a provider (``connections/providers/<name>/``) can be written against this file alone."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from oauthlib.oauth2 import WebApplicationClient

from ..secrets import redact

if TYPE_CHECKING:
    from ..errors import Classification
    from ..guidance import Guidance


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


# --- Errors -------------------------------------------------------------------------------


class ProviderError(Exception):
    """Base class. ``error`` and ``description`` are the provider's own words when it gave
    any; ``status`` is the HTTP status."""

    def __init__(self, description: str, error: str = "", status: int | None = None):
        super().__init__(f"{error}: {description}" if error else description)
        self.error = error
        self.description = description
        self.status = status

    def redacted(self, secrets: Iterable[str | None]) -> "ProviderError":
        """This error, with ``secrets`` (what Orgkeeper sent in the request) removed from
        the provider's words: an error text may echo them back."""
        secrets = list(secrets)
        self.error = redact(self.error, secrets)
        self.description = redact(self.description, secrets)
        self.args = tuple(redact(str(arg), secrets) for arg in self.args)
        return self


class Unavailable(ProviderError):
    """Network error, timeout, HTTP 5xx or 429, or a body that isn't the provider's JSON.
    Transient: retry later. ``sent`` is False only when the connection could not be opened
    (refused, unresolvable host, connect timeout): the request never left, so the provider
    can't have acted on it."""

    def __init__(
        self, description: str, error: str = "", status: int | None = None, sent: bool = True
    ):
        super().__init__(description, error=error, status=status)
        self.sent = sent


class OAuthError(ProviderError):
    """The token endpoint answered ``{"error": ..., "error_description": ...}``
    (RFC 6749 §5.2, https://www.rfc-editor.org/rfc/rfc6749#section-5.2)."""


class InvalidGrant(OAuthError):
    """``invalid_grant``: the code or refresh token is revoked, expired or rotated out."""


class SignatureMismatch(ProviderError):
    """A sign-in's token response failed the provider's integrity check (Salesforce: its
    signature doesn't match the client secret). ``grant`` is the refused response, so it
    can be revoked."""

    def __init__(self, description: str, grant: "Grant | None" = None):
        super().__init__(description)
        self.grant = grant


class SessionExpired(ProviderError):
    """The API answered 401: the access token is no longer valid."""


class SessionPolicyBlocked(SessionExpired):
    """The API refuses the app's sessions, fresh ones too (a session policy): a refresh
    can't fix it and the refresh token is fine. Being a SessionExpired, it still gets the
    one refresh a 401 gets (the admin may have just fixed the policy)."""


class ApiError(ProviderError):
    """Any other API error."""


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
    problem: "Classification | None" = None
    provider_data: dict[str, Any] = field(default_factory=dict)

    @property
    def scopes(self) -> set[str]:
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
    """A client ID and secret (connections.models.ExternalClientApp, or a provider's own
    app from settings)."""

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


class Provider(Protocol):
    """One identity provider: its policies, its HTTP calls and the words for its errors.
    ``target`` says which connection a call is for (see Target). Every call raises
    ProviderError subclasses only.

    The wizard's pages are the provider's too: ``forms`` (a module with NewConnectionForm,
    ConnectionForm, ConnectForm, EditForm), ``setup_template`` (step 1's page) and
    ``connect_template`` (step 2's: sign in, also Re-authorize), ``facts_template`` (its
    lines of the connection page's facts) and ``checklist_template`` (the setup steps that
    guidance may point to).

    Optional: ``api_base_url(instance_url) -> str`` when the provider's REST base is fixed
    (otherwise the API asks the instance for its versions); ``proxy_prefix`` (the path the
    API proxy forwards under, such as ``"services/"``)."""

    name: str  # the value stored in Connection.provider
    label: str  # "Salesforce"
    policies: Policies

    def client_credentials(self, stored: Credentials | None) -> Credentials | None:
        """The client ID and secret to use for a connection whose stored ones (or a flow's
        submitted ones) are ``stored``: those (Salesforce's per-org apps), or the operator's
        one app (Dynamics). None when there are none."""
        ...

    def authorization_url(
        self, target: Target, client_id: str, redirect_uri: str, state: str, code_verifier: str
    ) -> str: ...

    def exchange_code(
        self,
        target: Target,
        credentials: Credentials,
        code: str,
        redirect_uri: str,
        code_verifier: str,
    ) -> Grant: ...

    def identity(self, grant: Grant) -> Identity: ...

    def refresh(
        self, target: Target, credentials: Credentials, refresh_token: str, timeout: float
    ) -> Grant: ...

    def revoke(self, target: Target, token: str) -> None: ...

    def probe(self, instance_url: str, access_token: str) -> object: ...

    def classify(
        self, error: ProviderError, lost_in_flight: bool = False, org_id: str = ""
    ) -> "Classification": ...

    def explain(self, error: ProviderError, **about: str) -> "Guidance": ...
