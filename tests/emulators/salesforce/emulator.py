"""`Emulator`: the Python API tests code against (start/stop, clock, faults, grants, policies)."""

from __future__ import annotations

import copy
from typing import Any

from ..serving import BackgroundServer
from . import admin, browser
from .app import EmulatorApp
from .config import DEMO_CALLBACK_URLS, apply_config, demo_config
from .faults import Fault
from .models import (
    App,
    Grant,
    Org,
    RequestRecord,
    User,
    new_consumer_key,
    new_consumer_secret,
    parse_scopes,
)
from .snapshot import snapshot
from .store import Store

TOKEN_PATH = "/services/oauth2/token"


class Emulator:
    """A strict, in-memory Salesforce org host (docs/salesforce-protocol.md, "Token requests")
    served over real HTTP.

    `config` None gives the fixed demo org, user and app (see README.md); otherwise a dict in the
    JSON format, whose first org, user and app become `demo_org`, `demo_user` and `demo_app`.
    """

    def __init__(self, config: dict[str, Any] | None = None, verbose: bool = False) -> None:
        self.config = copy.deepcopy(config) if config is not None else demo_config()
        self.verbose = verbose
        self.store = Store()
        self._server: BackgroundServer | None = None
        self.wsgi_app = EmulatorApp(self)
        apply_config(self.store, self.config)

    # Lifecycle ----------------------------------------------------------------------------------

    def start(
        self, host: str = "127.0.0.1", port: int = 0, base_url: str | None = None
    ) -> Emulator:
        """Serve on a background thread; port 0 picks a free port. Returns self."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._server = BackgroundServer(self.wsgi_app, host, port, verbose=self.verbose)
        self.store.base_url = base_url or self._server.url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def wait(self) -> None:
        """Block until stopped or interrupted (the CLI)."""
        if self._server is not None:
            self._server.wait()

    def __enter__(self) -> Emulator:
        return self if self._server else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self.store.base_url

    @property
    def port(self) -> int | None:
        return self._server.port if self._server else None

    def reset(self) -> None:
        """Back to the configured registry and a fresh clock, with no grants, faults or latency."""
        with self.store.lock:
            self.store.clear_activity()
            self.store.clock.reset()
            apply_config(self.store, self.config)

    # Registry -----------------------------------------------------------------------------------

    @property
    def demo_org(self) -> Org:
        return next(iter(self.store.orgs.values()))

    @property
    def demo_user(self) -> User:
        return next(iter(self.store.users.values()))

    @property
    def demo_app(self) -> App:
        return next(iter(self.store.apps.values()))

    def add_org(
        self, my_domain: str, org_id: str | None = None, sandbox: bool = False, **kw: Any
    ) -> Org:
        return self.store.add_org(my_domain, org_id=org_id, sandbox=sandbox, **kw)

    def add_user(self, org: Org | str, username: str, password: str, **kw: Any) -> User:
        return self.store.add_user(org, username, password, **kw)

    def add_app(
        self,
        org: Org | str,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        callback_urls: list[str] | None = None,
        **settings: Any,
    ) -> App:
        """A new ECA; key and secret are generated if left out, callbacks default to the demo's."""
        return self.store.add_app(
            org,
            consumer_key or new_consumer_key(),
            consumer_secret or new_consumer_secret(),
            callback_urls=callback_urls or list(DEMO_CALLBACK_URLS),
            **settings,
        )

    def deactivate_user(self, user: User | str) -> None:
        self.store.get_user(user).active = False

    def deactivate_org(self, org: Org | str) -> None:
        self.store.get_org(org).active = False

    # Clock, latency, faults ---------------------------------------------------------------------

    def advance(self, seconds: float = 0, days: float = 0) -> float:
        """Move the emulator clock forward; returns the total offset in seconds."""
        return self.store.clock.advance(seconds=seconds, days=days)

    def now(self) -> float:
        return self.store.clock.now()

    @property
    def latency(self) -> float:
        return self.store.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.store.latency = float(seconds)

    @property
    def token_processing_seconds(self) -> float:
        return self.store.token_processing_seconds

    @token_processing_seconds.setter
    def token_processing_seconds(self, seconds: float) -> None:
        self.store.token_processing_seconds = float(seconds)

    def fail_next(
        self,
        count: int = 1,
        status: int | None = 503,
        body: Any = None,
        hang: float = 0.0,
        drop: bool = False,
        commit: bool = False,
    ) -> None:
        """The next `count` token calls hang `hang` s, then drop the socket or answer status/body.

        `status=None` answers normally after the hang; `commit=True` processes the call first (the
        token rotates) and then spoils the answer: the lost-response case of
        docs/salesforce-protocol.md, "Refresh token rotation"
        """
        self.store.faults.add(
            count, Fault(status=status, body=body, hang=hang, drop=drop, commit=commit)
        )

    def clear_faults(self) -> None:
        self.store.faults.clear()

    # Observation --------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self.store.lock:
            return list(self.store.records)

    def token_requests(self, grant_type: str | None = None) -> list[RequestRecord]:
        return [
            r
            for r in self.requests
            if r.path == TOKEN_PATH and (grant_type is None or r.grant_type == grant_type)
        ]

    @property
    def grants(self) -> list[Grant]:
        with self.store.lock:
            return list(self.store.grants)

    def live_grants(self) -> list[Grant]:
        now = self.now()
        return [g for g in self.grants if not g.revoked and not g.is_idle_expired(now)]

    def is_refresh_token_live(self, token: str) -> bool:
        return self.store.is_refresh_token_live(token)

    def grant_for_refresh_token(self, token: str) -> Grant | None:
        return self.store.grants_by_refresh_token.get(token)

    def revoke_grant(self, grant: Grant, reason: str = "revoked by an admin") -> None:
        self.store.revoke_grant(grant, reason)

    def snapshot(self, limit: int = 1000) -> dict[str, Any]:
        return snapshot(self.store, limit)

    # Shortcuts ----------------------------------------------------------------------------------

    def mint_grant(
        self, app: App | str | None = None, user: User | str | None = None, scopes: Any = None
    ) -> dict[str, Any]:
        """A grant as if the user had signed in and pressed Allow: a token response plus ids."""
        return admin.mint(
            self.store,
            self.store.get_app(app) if app else self.demo_app,
            self.store.get_user(user) if user else self.demo_user,
            parse_scopes(scopes) or None,
        )

    def mint_grants(
        self,
        count: int,
        app: App | str | None = None,
        user: User | str | None = None,
        scopes: Any = None,
        separate: str | None = None,
    ) -> list[dict[str, Any]]:
        """Mint `count` grants. `separate` None: same user and app (the five-grant limit applies);
        "user": a new user per grant in the app's org; "org": a new org, user and app copy each.
        """
        if separate not in (None, "user", "org"):
            raise ValueError("separate must be None, 'user' or 'org'")
        base_app = self.store.get_app(app) if app else self.demo_app
        results = []
        for _ in range(count):
            grant_app, grant_user = base_app, user
            if separate == "org":
                grant_app, grant_user = admin.clone_org(self.store, base_app)
            elif separate == "user":
                grant_user = admin.new_user(self.store, base_app.org)
            results.append(self.mint_grant(grant_app, grant_user, scopes))
        return results

    def sign_in_and_allow(
        self,
        authorize_url: str,
        username: str | None = None,
        password: str | None = None,
        allow: bool = True,
    ) -> str:
        """Sign in (demo user by default), press Allow/Deny; return the callback Location."""
        if username is None:
            username, password = self.demo_user.username, self.demo_user.password
        elif password is None:
            password = self.store.get_user(username).password
        return browser.sign_in_and_allow(authorize_url, username, password or "", allow=allow)
