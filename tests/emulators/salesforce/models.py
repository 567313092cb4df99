"""In-memory records of the emulated orgs, users, External Client Apps, grants and tokens.

Plain dataclasses with no locking of their own: `store.Store` owns them and holds the lock.
Times are emulator-clock epoch seconds (see `clock.Clock`).
"""

from __future__ import annotations

import functools
import ipaddress
import secrets
import string
from dataclasses import dataclass, field

ID_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
REFRESH_SCOPES = frozenset({"refresh_token", "offline_access"})
IDENTITY_SCOPES = frozenset({"id", "openid", "profile", "email", "address", "phone", "full"})


def salesforce_id(id15: str) -> str:
    """The 18-char case-insensitive form of a 15-char Salesforce ID (adds 3 checksum chars).

    Each 5-char chunk gives one suffix char whose bits mark the upper-case letters in the chunk.
    """
    if len(id15) != 15 or not id15.isalnum():
        raise ValueError(f"expected 15 alphanumeric characters, got {id15!r}")
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        suffix += ID_SUFFIX_ALPHABET[bits]
    return id15 + suffix


def check_id(value: str, prefix: str, kind: str) -> str:
    """Validate an 18-char ID with the key prefix of its object type (00D org, 005 user)."""
    if not (isinstance(value, str) and len(value) == 18 and value.isalnum()):
        raise ValueError(f"{kind} ID must be 18 alphanumeric characters, got {value!r}")
    if not value.startswith(prefix):
        raise ValueError(f"{kind} ID must start with {prefix!r}, got {value!r}")
    return value


def parse_scopes(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Accept scopes as a space-separated string or a list; keep order, drop duplicates."""
    if value is None:
        return ()
    items = value.split() if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(item for item in items if item))


def string_list(value: object, name: str) -> list[str]:
    """A list of strings from config or the control API. A lone string is refused: iterated, it
    would give one callback URL (or CIDR) per character."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{name} must be a list of strings, got {value!r}")
    return list(value)


@functools.lru_cache(maxsize=256)
def parse_networks(
    cidrs: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Parse an allowlist once per distinct value (it is checked on every token request)."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


@dataclass(eq=False)
class Org:
    """A Salesforce org reached through its My Domain (docs/salesforce-protocol.md, "Hosts")."""

    org_id: str
    my_domain: str
    sandbox: bool = False
    active: bool = True
    name: str = ""
    api_calls: int = 0

    @property
    def my_domain_host(self) -> str:
        if self.sandbox:
            return f"{self.my_domain}.sandbox.my.salesforce.com"
        return f"{self.my_domain}.my.salesforce.com"

    def __str__(self) -> str:
        return self.name or self.my_domain


@dataclass(eq=False)
class User:
    """A user of one org; usernames are unique across all orgs, as in Salesforce."""

    user_id: str
    org: Org
    username: str
    password: str
    active: bool = True
    display_name: str = ""
    email: str = ""
    # "Approve Uninstalled Connected Apps" or "Use Any API Client" (either lets the user
    # approve an app under the uninstalled-app restriction).
    approve_uninstalled_apps: bool = False

    def __str__(self) -> str:
        return self.username


@dataclass(eq=False)
class App:
    """A Local External Client App: Settings (developer) and Policies (org admin),
    docs/salesforce-protocol.md, "Local External Client Apps".

    All policy attributes can be changed at run time; every request reads the current value.
    `idle_refresh_token_ttl` None = valid until revoked; `ip_allowlist` None or [] = not enforced.
    """

    org: Org
    consumer_key: str
    consumer_secret: str
    callback_urls: list[str]
    scopes: tuple[str, ...] = ("id", "api", "refresh_token")
    name: str = "Orgkeeper"
    require_pkce: bool = True
    require_secret_web_server: bool = True
    require_secret_refresh: bool = True
    refresh_token_rotation: bool = True
    idle_refresh_token_ttl: float | None = 30 * 86400
    ip_allowlist: list[str] | None = None
    session_timeout: float = 2 * 3600
    # Field failures, off by default (README.md "Field failures"):
    installed: bool = True  # False: OAUTH_EC_APP_NOT_FOUND after sign-in and at the token endpoint
    uninstalled_app_restricted: bool = False  # new approvals need the user's permission
    high_assurance_required: bool = False  # REST refuses the app's sessions, even fresh ones

    def allows_ip(self, address: str) -> bool:
        """Refresh Token IP Allowlist check (docs/salesforce-protocol.md, "IP allowlist")."""
        if not self.ip_allowlist:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in parse_networks(tuple(self.ip_allowlist)))

    def allows_scopes(self, requested: tuple[str, ...]) -> bool:
        """Requested scopes must be on the app; refresh_token and offline_access are synonyms."""
        configured = set(self.scopes)
        if configured & REFRESH_SCOPES:
            configured |= REFRESH_SCOPES
        return set(requested) <= configured

    def __str__(self) -> str:
        return f"{self.name} ({self.org})"


@dataclass(eq=False)
class AccessToken:
    """An access token (session id); dies after `app.session_timeout` seconds without use
    (docs/salesforce-protocol.md, "Access-token lifetime")."""

    token: str
    grant: Grant
    issued: float
    last_activity: float
    api_calls: int = 0
    revoked: bool = False

    def is_expired(self, now: float) -> bool:
        return now - self.last_activity > self.grant.app.session_timeout


@dataclass(eq=False)
class Grant:
    """One approval of an app by a user: its refresh-token chain and access tokens."""

    grant_id: int
    user: User
    app: App
    scopes: tuple[str, ...]
    created: float
    last_used: float
    refresh_token: str | None = None
    rotation_count: int = 0
    revoked: bool = False
    revoked_reason: str = ""
    access_tokens: list[AccessToken] = field(default_factory=list)
    retired_refresh_tokens: list[str] = field(default_factory=list)
    processing: bool = False

    @property
    def has_refresh_token(self) -> bool:
        return bool(set(self.scopes) & REFRESH_SCOPES)

    def idle_expires_at(self) -> float | None:
        ttl = self.app.idle_refresh_token_ttl
        if ttl is None or self.refresh_token is None:
            return None
        return self.last_used + ttl

    def is_idle_expired(self, now: float) -> bool:
        expires_at = self.idle_expires_at()
        return expires_at is not None and now > expires_at

    def __str__(self) -> str:
        return f"grant {self.grant_id} of {self.user} for {self.app.name}"


@dataclass(eq=False)
class AuthCode:
    """An authorization code: single use, 15 minutes (docs/salesforce-protocol.md, "Token
    requests")."""

    code: str
    app: App
    user: User
    redirect_uri: str
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    created: float
    used: bool = False
    grant: Grant | None = None


@dataclass(eq=False)
class PendingAuthorization:
    """A validated authorize request awaiting sign-in and Allow/Deny (named in a hidden field)."""

    pending_id: str
    app: App
    redirect_uri: str
    state: str | None
    scopes: tuple[str, ...]
    code_challenge: str | None
    code_challenge_method: str | None
    created: float
    user: User | None = None


@dataclass
class RequestRecord:
    """What the emulator saw on a token, revoke or API call; never holds a secret or token."""

    seq: int
    time: float
    method: str
    path: str
    remote_addr: str
    status: int = 0
    grant_type: str | None = None
    client_id: str | None = None
    outcome: str = "ok"
    error_description: str | None = None
    fault: str | None = None


def new_token(prefix: str, nbytes: int) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


CONSUMER_KEY_ALPHABET = string.ascii_letters + string.digits + "._"
CONSUMER_KEY_LENGTH = 85


def new_consumer_key() -> str:
    """A consumer key shaped like Salesforce's: ``3MVG`` and letters, digits, ``.`` and ``_``,
    85 characters in all, starting and ending with a letter or digit (never ``-``, which
    Orgkeeper's credentials form rightly refuses)."""
    alphanumeric = string.ascii_letters + string.digits
    middle = "".join(secrets.choice(CONSUMER_KEY_ALPHABET) for _ in range(CONSUMER_KEY_LENGTH - 6))
    return f"3MVG{secrets.choice(alphanumeric)}{middle}{secrets.choice(alphanumeric)}"


def new_consumer_secret() -> str:
    """A consumer secret shaped like a current Salesforce one: 64 upper-case hex digits."""
    return secrets.token_hex(32).upper()
