"""All emulator state behind one lock: the registry (tenants, users, app, environments) and the
live OAuth objects (sign-ins, codes, refresh and access tokens, the token-request log).

URL scheme (one HTTP origin, `base_url`): the authority is `base_url`; Global Discovery is
`{base_url}/globaldisco`; environment `x` is `{base_url}/env/x`. The protocol rules live in
`authorize.py`, `token_flow.py` and `dataverse.py`.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections import deque
from typing import Any

from .clock import Clock
from .faults import Faults
from .models import (
    ACCESS_TOKEN_LIFETIME,
    AccessToken,
    App,
    AuthCode,
    Environment,
    Member,
    PendingSignIn,
    RefreshToken,
    Tenant,
    TokenRequest,
    User,
    new_guid,
)
from .signing import SigningKey

MAX_LOG = 100_000
DISCOVERY_PATH = "/globaldisco"
ENVIRONMENT_PREFIX = "/env/"


class Store:
    """The emulated Entra ID and Dataverse state; times are emulator-clock epoch seconds."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.faults = Faults()
        self.key = SigningKey()
        self.base_url = "http://127.0.0.1"
        self.latency = 0.0
        self.access_token_lifetime = float(ACCESS_TOKEN_LIFETIME)
        self.tenants: dict[str, Tenant] = {}
        self.users: dict[str, User] = {}
        self.apps: dict[str, App] = {}
        self.environments: dict[str, Environment] = {}
        self.clear_activity()

    def clear_activity(self) -> None:
        """Forget sign-ins, codes, tokens, sessions, the log and faults; keep the registry."""
        with self.lock:
            self.pending: dict[str, PendingSignIn] = {}
            self.sessions: dict[str, User] = {}
            self.codes: dict[str, AuthCode] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.newest_generation: dict[int, int] = {}  # session_id -> newest generation
            self.access_tokens: dict[str, AccessToken] = {}
            self.log: deque[TokenRequest] = deque(maxlen=MAX_LOG)
            self._seq = itertools.count(1)
            self._serials = itertools.count(1)
            self._sessions = itertools.count(1)
            self.faults.clear()

    def clear_registry(self) -> None:
        with self.lock:
            self.tenants.clear()
            self.users.clear()
            self.apps.clear()
            self.environments.clear()

    # URLs ---------------------------------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        return self.base_url + DISCOVERY_PATH

    def environment_url(self, environment: Environment | str) -> str:
        name = environment if isinstance(environment, str) else environment.unique_name
        return self.base_url + ENVIRONMENT_PREFIX + name

    def resolve_resource(self, resource: str) -> Environment | str | None:
        """The environment a resource URI names, "discovery" for Global Discovery, else None."""
        resource = resource.rstrip("/")
        if resource == self.discovery_url:
            return "discovery"
        prefix = self.base_url + ENVIRONMENT_PREFIX
        if resource.startswith(prefix):
            return self.environments.get(resource[len(prefix) :])
        return None

    # Registry -----------------------------------------------------------------------------------

    def add_tenant(self, domain: str, tenant_id: str | None = None, **settings: Any) -> Tenant:
        tenant_id = str(uuid.UUID(tenant_id)) if tenant_id else new_guid()
        with self.lock:
            if self.find_tenant(tenant_id) or self.find_tenant(domain):
                raise ValueError(f"tenant {domain} ({tenant_id}) already exists")
            tenant = Tenant(tenant_id=tenant_id, domain=domain.lower(), **settings)
            self.tenants[tenant_id] = tenant
            return tenant

    def find_tenant(self, key: str) -> Tenant | None:
        """By tenant ID or verified domain (case-insensitive)."""
        key = key.lower()
        with self.lock:
            return self.tenants.get(key) or next(
                (tenant for tenant in self.tenants.values() if tenant.domain == key), None
            )

    def get_tenant(self, tenant: Tenant | str | None) -> Tenant:
        if isinstance(tenant, Tenant):
            return tenant
        if tenant is None:
            return next(iter(self.tenants.values()))
        found = self.find_tenant(tenant)
        if found is None:
            raise LookupError(f"tenant {tenant}")
        return found

    def add_user(
        self,
        username: str,
        password: str,
        tenant: Tenant | str | None = None,
        oid: str | None = None,
        **settings: Any,
    ) -> User:
        tenant = self.get_tenant(tenant)
        oid = str(uuid.UUID(oid)) if oid else new_guid()
        with self.lock:
            if oid in self.users or self.find_user(username):
                raise ValueError(f"user {username} ({oid}) already exists")
            settings.setdefault("display_name", username.split("@")[0])
            user = User(oid=oid, tenant=tenant, username=username, password=password, **settings)
            self.users[oid] = user
            return user

    def find_user(self, key: str) -> User | None:
        """By object ID or user principal name (case-insensitive)."""
        key = key.lower()
        with self.lock:
            return self.users.get(key) or next(
                (user for user in self.users.values() if user.username.lower() == key), None
            )

    def get_user(self, user: User | str | None) -> User:
        if isinstance(user, User):
            return user
        if user is None:
            return next(iter(self.users.values()))
        found = self.find_user(user)
        if found is None:
            raise LookupError(f"user {user}")
        return found

    def add_app(
        self,
        client_id: str,
        client_secret: str,
        name: str,
        redirect_uris: list[str],
        **settings: Any,
    ) -> App:
        if not isinstance(redirect_uris, list) or not redirect_uris:
            raise ValueError("redirect_uris must be a non-empty list of URLs")
        client_id = str(uuid.UUID(client_id))
        with self.lock:
            if client_id in self.apps:
                raise ValueError(f"app {client_id} already exists")
            app = App(client_id, client_secret, name, list(redirect_uris), **settings)
            self.apps[client_id] = app
            return app

    def get_app(self, app: App | str | None) -> App:
        if isinstance(app, App):
            return app
        if app is None:
            return next(iter(self.apps.values()))
        return self.apps[app]

    def add_environment(
        self, unique_name: str, tenant: Tenant | str | None = None, **settings: Any
    ) -> Environment:
        if not unique_name or not unique_name.replace("-", "").isalnum():
            raise ValueError(f"unique_name must be letters, digits and hyphens: {unique_name!r}")
        tenant = self.get_tenant(tenant)
        with self.lock:
            if unique_name in self.environments:
                raise ValueError(f"environment {unique_name} already exists")
            for key in ("organization_id", "environment_id", "business_unit_id"):
                settings[key] = str(uuid.UUID(settings[key])) if settings.get(key) else new_guid()
            settings.setdefault("friendly_name", unique_name)
            environment = Environment(unique_name=unique_name, tenant=tenant, **settings)
            self.environments[unique_name] = environment
            return environment

    def get_environment(self, environment: Environment | str | None) -> Environment:
        if isinstance(environment, Environment):
            return environment
        if environment is None:
            return next(iter(self.environments.values()))
        return self.environments[environment]

    def provision(
        self,
        environment: Environment | str,
        user: User | str,
        enabled: bool = True,
        system_user_id: str | None = None,
    ) -> Member:
        """Add (or enable/disable) the user's Dataverse systemuser in the environment."""
        environment, user = self.get_environment(environment), self.get_user(user)
        with self.lock:
            member = environment.members.get(user.oid)
            if member is None:
                member = Member(str(uuid.UUID(system_user_id)) if system_user_id else new_guid())
                environment.members[user.oid] = member
            member.enabled = enabled
            return member

    # Activity -----------------------------------------------------------------------------------

    def record(self) -> TokenRequest:
        with self.lock:
            entry = TokenRequest(seq=next(self._seq), time=self.clock.now())
            self.log.append(entry)
            return entry

    def new_refresh_token(
        self,
        token: str,
        app: App,
        user: User,
        scopes: tuple[str, ...],
        previous: RefreshToken | None = None,
    ) -> RefreshToken:
        """Issue the next link of `previous`'s chain, or the first of a new sign-in."""
        with self.lock:
            if previous is None:
                session_id, generation = next(self._sessions), 1
            else:
                session_id = previous.session_id
                generation = self.newest_generation[session_id] + 1
            self.newest_generation[session_id] = generation
            refresh = RefreshToken(
                token=token,
                serial=next(self._serials),
                session_id=session_id,
                generation=generation,
                app=app,
                user=user,
                scopes=scopes,
                issued_at=self.clock.now(),
            )
            self.refresh_tokens[token] = refresh
            return refresh
