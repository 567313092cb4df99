"""In-memory records of the emulated tenants, users, app, Dataverse environments and tokens.

Plain dataclasses; `store.Store` owns them and holds the lock. Times are emulator-clock epoch
seconds (`clock.Clock`). Tokens and secrets are random strings looked up in the store's dicts.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field

# Refresh tokens live 90 days and that can't be configured; the 24 h SPA and shorter Conditional
# Access variants exist (https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens).
REFRESH_TOKEN_LIFETIME = 90 * 86400
CODE_LIFETIME = (
    10 * 60
)  # https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
ACCESS_TOKEN_LIFETIME = 3600
PERMISSIONS = ("user_impersonation", ".default")
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})


def new_guid() -> str:
    return str(uuid.uuid4())


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(48)


def fingerprint(token: str) -> str:
    """A stable, non-secret name for a token in logs and the control API (SHA-256, 16 hex)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass
class Tenant:
    tenant_id: str
    domain: str
    name: str = ""
    # "Users can consent to apps" in Enterprise applications > Consent and permissions.
    user_consent_allowed: bool = True
    admin_consented: set[str] = field(default_factory=set)  # client IDs consented tenant-wide
    refresh_token_lifetime: float = REFRESH_TOKEN_LIFETIME


@dataclass
class User:
    oid: str
    tenant: Tenant
    username: str
    password: str
    display_name: str = ""
    admin: bool = False  # may grant admin consent for the whole tenant
    account_enabled: bool = True
    interaction_required: bool = False  # e.g. MFA registration required (AADSTS50079)
    tokens_valid_from: float = 0.0  # "revoke sessions" moves it to now (AADSTS50173)
    consented: set[str] = field(default_factory=set)  # client IDs this user consented to


@dataclass
class App:
    """The operator's multi-tenant app registration ("Accounts in any organizational directory")."""

    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str]
    require_pkce: bool = True


@dataclass
class Member:
    """A Dataverse systemuser row for an Entra user in one environment."""

    system_user_id: str
    enabled: bool = True


@dataclass
class Environment:
    unique_name: str
    tenant: Tenant
    friendly_name: str
    organization_id: str
    environment_id: str
    business_unit_id: str
    purpose: str = "Production"
    region: str = "NA"
    version: str = "9.2.24111.00000"
    members: dict[str, Member] = field(default_factory=dict)  # by user oid


@dataclass
class PendingSignIn:
    """An authorize (or adminconsent) request between the sign-in form and the redirect."""

    pending_id: str
    kind: str  # "authorize" | "adminconsent"
    app: App
    tenant_path: str
    redirect_uri: str
    state: str | None
    params: dict[str, str]
    resource: str | None = None
    scopes: tuple[str, ...] = ()
    user: User | None = None


@dataclass
class AuthCode:
    code: str
    app: App
    user: User
    redirect_uri: str
    resource: str
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    issued_at: float
    used: bool = False


@dataclass
class RefreshToken:
    """One link of a sign-in's chain. Each has its own lifetime from its own issue time; using it
    doesn't revoke it (https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens)."""

    token: str
    serial: int
    session_id: int
    generation: int
    app: App
    user: User
    scopes: tuple[str, ...]  # the OIDC scopes of the sign-in (openid, offline_access, ...)
    issued_at: float
    uses: int = 0

    def expires_at(self) -> float:
        return self.issued_at + self.user.tenant.refresh_token_lifetime


@dataclass
class AccessToken:
    token: str
    app: App
    user: User
    resource: str
    expires_at: float


@dataclass
class TokenRequest:
    """One call to the token endpoint, without secrets: tokens are named by fingerprint."""

    seq: int
    time: float
    grant_type: str | None = None
    client_id: str | None = None
    resource: str | None = None
    status: int = 0
    error_code: int | None = None
    fault: str | None = None
    presented: str | None = None  # fingerprint of the refresh token sent
    presented_serial: int | None = None
    presented_generation: int | None = None
    newest_generation: int | None = None  # the newest generation of that chain at the time
    issued: str | None = None  # fingerprint of the refresh token answered
