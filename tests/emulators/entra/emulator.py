"""`Emulator`: the tests' Python API (start/stop, URLs, registry switches, clock, faults, logs)."""

from __future__ import annotations

import copy
from typing import Any

from ..serving import BackgroundServer
from . import browser, issue
from .app import EmulatorApp
from .config import apply_config, demo_config
from .faults import Fault
from .models import ACCESS_TOKEN_LIFETIME, App, Environment, Member, Tenant, User
from .snapshot import snapshot, token_log
from .store import Store


class Emulator:
    """A strict Microsoft Entra ID + Dataverse served over real HTTP on one origin.

    `config` None gives the demo tenant, users, app and two environments (README.md); else a dict
    in the format of `config.py`. URLs: `authority` (= `base_url`), `discovery_url`,
    `environment_url(name)`.
    """

    def __init__(self, config: dict[str, Any] | None = None, verbose: bool = False) -> None:
        self.config = copy.deepcopy(config) if config is not None else demo_config()
        self.verbose = verbose
        self.store = Store()
        self.wsgi_app = EmulatorApp(self)
        self._server: BackgroundServer | None = None
        apply_config(self.store, self.config)

    # Lifecycle ----------------------------------------------------------------------------------

    def start(
        self, host: str = "127.0.0.1", port: int = 0, base_url: str | None = None
    ) -> Emulator:
        """Serve on a background thread; port 0 picks a free port. Returns self."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._server = BackgroundServer(self.wsgi_app, host, port, verbose=self.verbose)
        self.store.base_url = (base_url or self._server.url).rstrip("/")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def wait(self) -> None:
        """Block until stopped or interrupted (the command line)."""
        if self._server is not None:
            self._server.wait()

    def __enter__(self) -> Emulator:
        return self if self._server else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        """The configured registry, clock offset and skew 0, no tokens, sessions, log or faults."""
        with self.store.lock:
            self.store.clear_activity()
            self.store.clock.reset()
            self.store.latency = 0.0
            self.store.access_token_lifetime = float(ACCESS_TOKEN_LIFETIME)
            apply_config(self.store, self.config)

    @property
    def port(self) -> int | None:
        return self._server.port if self._server else None

    # URLs ---------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.store.base_url

    @property
    def authority(self) -> str:
        """What DYNAMICS_AUTHORITY must be: `{authority}/{tenant}/oauth2/v2.0/authorize` etc."""
        return self.store.base_url

    @property
    def discovery_url(self) -> str:
        """Global Discovery's resource URL (instead of https://globaldisco.crm.dynamics.com)."""
        return self.store.discovery_url

    def environment_url(self, environment: Environment | str | None = None) -> str:
        """An environment's URL (instead of https://{org}.crm.dynamics.com): `{base}/env/{name}`."""
        return self.store.environment_url(self.store.get_environment(environment))

    def authorize_url(self, tenant: str = "organizations") -> str:
        return f"{self.authority}/{tenant}/oauth2/v2.0/authorize"

    def token_url(self, tenant: str = "organizations") -> str:
        return f"{self.authority}/{tenant}/oauth2/v2.0/token"

    def admin_consent_url(self, tenant: str = "organizations") -> str:
        return f"{self.authority}/{tenant}/adminconsent"

    # Registry -----------------------------------------------------------------------------------

    @property
    def demo_tenant(self) -> Tenant:
        return self.store.get_tenant(None)

    @property
    def demo_app(self) -> App:
        return self.store.get_app(None)

    @property
    def demo_user(self) -> User:
        return self.store.get_user(None)

    @property
    def demo_admin(self) -> User:
        return next(user for user in self.store.users.values() if user.admin)

    @property
    def environments(self) -> list[Environment]:
        return list(self.store.environments.values())

    def add_tenant(self, domain: str, **settings: Any) -> Tenant:
        return self.store.add_tenant(domain, **settings)

    def add_user(
        self,
        username: str,
        password: str,
        tenant: Tenant | str | None = None,
        environments: Any = (),
        **settings: Any,
    ) -> User:
        """A new Entra user, provisioned (enabled) in the named environments."""
        user = self.store.add_user(username, password, tenant, **settings)
        for environment in environments:
            self.provision(environment, user)
        return user

    def add_environment(self, unique_name: str, **settings: Any) -> Environment:
        return self.store.add_environment(unique_name, **settings)

    def provision(
        self, environment: Environment | str, user: User | str, enabled: bool = True
    ) -> Member:
        """Give the user an (enabled or disabled) Dataverse systemuser in the environment."""
        return self.store.provision(environment, user, enabled)

    def unprovision(self, environment: Environment | str, user: User | str) -> None:
        environment, user = self.store.get_environment(environment), self.store.get_user(user)
        with self.store.lock:
            environment.members.pop(user.oid, None)

    def set_user_consent(self, allowed: bool, tenant: Tenant | str | None = None) -> None:
        """The tenant setting "Users can consent to apps" (off: AADSTS90094 for non-admins)."""
        self.store.get_tenant(tenant).user_consent_allowed = allowed

    def revoke_consent(self, tenant: Tenant | str | None = None) -> None:
        """Remove the tenant's admin consent and every user consent of its users."""
        tenant = self.store.get_tenant(tenant)
        with self.store.lock:
            tenant.admin_consented.clear()
            for user in self.store.users.values():
                if user.tenant is tenant:
                    user.consented.clear()

    def revoke_sessions(self, user: User | str) -> None:
        """Revoke all the user's sessions: refresh tokens issued before now fail (AADSTS50173)."""
        user = self.store.get_user(user)
        user.tokens_valid_from = self.now() + 1e-3  # strictly after every token issued so far

    def require_interaction(self, user: User | str, required: bool = True) -> None:
        """Refreshes fail with interaction_required (AADSTS50079) until the user signs in again."""
        self.store.get_user(user).interaction_required = required

    # Clock, latency, faults ---------------------------------------------------------------------

    def advance(self, seconds: float = 0, days: float = 0) -> float:
        """Move the emulator clock forward; returns the total offset in seconds."""
        return self.store.clock.advance(seconds, days)

    def now(self) -> float:
        return self.store.clock.now()

    @property
    def latency(self) -> float:
        return self.store.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.store.latency = float(seconds)

    @property
    def clock_skew(self) -> float:
        return self.store.clock.skew

    @clock_skew.setter
    def clock_skew(self, seconds: float) -> None:
        self.store.clock.skew = float(seconds)

    def fail_next(
        self,
        count: int = 1,
        status: int | None = 503,
        target: str = "token",
        retry_after: int | None = None,
        body: Any = None,
        hang: float = 0.0,
        drop: bool = False,
    ) -> None:
        """The next `count` calls to `target` ("token", "dataverse" or "any") hang `hang` s, then
        drop the connection or answer `status` (429 gets `Retry-After`, default 1 s)."""
        fault = Fault(status, target, retry_after, body, float(hang), bool(drop))
        self.store.faults.add(count, fault)

    def clear_faults(self) -> None:
        self.store.faults.clear()

    # Observation --------------------------------------------------------------------------------

    def token_requests(self, grant_type: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """Token endpoint calls, oldest first; tokens appear as fingerprints only."""
        return token_log(self.store, grant_type, since)

    def refresh_log(self, since: int = 0) -> list[dict[str, Any]]:
        """Every refresh: which refresh token was presented (`presented`, `presented_generation`
        vs `newest_generation` of its chain), the outcome and the token answered (`issued`)."""
        return self.token_requests("refresh_token", since)

    def snapshot(self, limit: int = 1000) -> dict[str, Any]:
        return snapshot(self.store, limit)

    # Shortcuts ----------------------------------------------------------------------------------

    def sign_in(
        self,
        authorize_url: str,
        username: str | None = None,
        password: str | None = None,
        consent: bool = True,
        for_organization: bool = False,
    ) -> str:
        """Open the authorize URL, sign in (demo user by default), answer the consent or "Need
        admin approval" page; return the Location of the redirect to the app."""
        username, password = self._credentials(username, password)
        return browser.sign_in(authorize_url, username, password, consent, for_organization)

    def grant_admin_consent(
        self,
        admin_consent_url: str | None = None,
        username: str | None = None,
        password: str | None = None,
        accept: bool = True,
    ) -> str:
        """Open an adminconsent URL (default: the demo app's, first redirect URI), sign in as the
        admin, Accept; return the redirect Location."""
        if admin_consent_url is None:
            app = self.demo_app
            admin_consent_url = browser.with_query(
                self.admin_consent_url(),
                {"client_id": app.client_id, "redirect_uri": app.redirect_uris[0]},
            )
        if username is None:
            username, password = self.demo_admin.username, self.demo_admin.password
        username, password = self._credentials(username, password)
        return browser.sign_in(admin_consent_url, username, password, accept, False)

    def mint_tokens(
        self,
        user: User | str | None = None,
        resource: str | None = None,
        scopes: tuple[str, ...] = ("offline_access", "openid", "profile"),
        app: App | str | None = None,
    ) -> dict[str, Any]:
        """A token response as if the user had signed in and consented (no browser): for the
        first environment unless `resource` names another."""
        user, app = self.store.get_user(user), self.store.get_app(app)
        body, _refresh = issue.token_response(
            self.store, app, user, resource or self.environment_url(), tuple(scopes)
        )
        user.consented.add(app.client_id)
        return body

    def _credentials(self, username: str | None, password: str | None) -> tuple[str, str]:
        if username is None:
            return self.demo_user.username, self.demo_user.password
        if password is None:
            password = self.store.get_user(username).password
        return username, password
