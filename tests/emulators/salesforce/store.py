"""All emulator state behind one lock: the registry (orgs, users, apps) and the live OAuth objects.

Lookups by token, code or key are dict hits so the token endpoint stays O(1) with 10,000+ grants.
The protocol rules that use this state live in `flows.py`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import threading
from collections import deque
from typing import Any

from .clock import Clock
from .faults import FaultQueue
from .models import (
    REFRESH_SCOPES,
    AccessToken,
    App,
    AuthCode,
    Grant,
    Org,
    PendingAuthorization,
    RequestRecord,
    User,
    check_id,
    new_token,
    parse_networks,
    parse_scopes,
    salesforce_id,
    string_list,
)

# "Each app allows five unique approvals (refresh tokens) per user", docs/salesforce-protocol.md,
# "Approvals per user"
MAX_GRANTS_PER_USER_AND_APP = 5
MAX_RECORDS = 200_000


class Store:
    """The emulated Salesforce: registry, grants, tokens, codes, request log, clock and faults."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.faults = FaultQueue()
        self.base_url = "http://127.0.0.1"
        self.latency = 0.0
        self.token_processing_seconds = 0.0
        self.orgs: dict[str, Org] = {}
        self.users: dict[str, User] = {}
        self.users_by_username: dict[str, User] = {}
        self.apps: dict[str, App] = {}
        self._id_counter = itertools.count(1)
        self.clear_activity()

    def clear_activity(self) -> None:
        """Forget grants, tokens, codes, sign-ins, requests and faults; keep the registry."""
        with self.lock:
            self.grants: list[Grant] = []
            self.live_grants_by_user_app: dict[tuple[str, str], list[Grant]] = {}
            self.grants_by_refresh_token: dict[str, Grant] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.codes: dict[str, AuthCode] = {}
            self.pending: dict[str, PendingAuthorization] = {}
            self.records: deque[RequestRecord] = deque(maxlen=MAX_RECORDS)
            self._record_seq = itertools.count(1)
            self._grant_ids = itertools.count(1)
            self.faults.clear()

    def clear_registry(self) -> None:
        with self.lock:
            self.orgs.clear()
            self.users.clear()
            self.users_by_username.clear()
            self.apps.clear()
            self._id_counter = itertools.count(1)

    # Registry -----------------------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        """A fresh valid-looking 18-char ID with the given key prefix (00D org, 005 user)."""
        with self.lock:
            while True:
                candidate = salesforce_id(f"{prefix}8d{next(self._id_counter):010d}")
                if candidate not in self.orgs and candidate not in self.users:
                    return candidate

    def add_org(
        self,
        my_domain: str,
        org_id: str | None = None,
        sandbox: bool = False,
        active: bool = True,
        name: str = "",
    ) -> Org:
        org_id = check_id(org_id or self.new_id("00D"), "00D", "org")
        if not my_domain or not my_domain.replace("-", "").isalnum():
            raise ValueError(
                f"My Domain name must be letters, digits and hyphens, got {my_domain!r}"
            )
        with self.lock:
            if org_id in self.orgs:
                raise ValueError(f"org {org_id} already exists")
            org = Org(org_id=org_id, my_domain=my_domain, sandbox=sandbox, active=active, name=name)
            self.orgs[org_id] = org
            return org

    def add_user(
        self,
        org: Org | str,
        username: str,
        password: str,
        user_id: str | None = None,
        active: bool = True,
        display_name: str = "",
        email: str = "",
        approve_uninstalled_apps: bool = False,
    ) -> User:
        org = self.get_org(org)
        user_id = check_id(user_id or self.new_id("005"), "005", "user")
        with self.lock:
            if user_id in self.users:
                raise ValueError(f"user {user_id} already exists")
            if username.lower() in self.users_by_username:
                raise ValueError(f"username {username} is taken (usernames are global)")
            user = User(
                user_id=user_id,
                org=org,
                username=username,
                password=password,
                active=active,
                display_name=display_name or username.split("@")[0],
                email=email or username,
                approve_uninstalled_apps=approve_uninstalled_apps,
            )
            self.users[user_id] = user
            self.users_by_username[username.lower()] = user
            return user

    def add_app(
        self, org: Org | str, consumer_key: str, consumer_secret: str, **settings: Any
    ) -> App:
        org = self.get_org(org)
        settings["scopes"] = parse_scopes(settings.get("scopes", App.scopes))
        settings["callback_urls"] = string_list(settings.get("callback_urls"), "callback_urls")
        if not settings["callback_urls"]:
            raise ValueError("an External Client App needs at least one callback URL")
        if settings.get("ip_allowlist") is not None:
            settings["ip_allowlist"] = string_list(settings["ip_allowlist"], "ip_allowlist")
            parse_networks(tuple(settings["ip_allowlist"]))  # fail fast on a bad CIDR
        if not consumer_key or not consumer_secret:
            raise ValueError("consumer_key and consumer_secret are required")
        with self.lock:
            if consumer_key in self.apps:
                raise ValueError(f"consumer key {consumer_key} already exists")
            app = App(
                org=org, consumer_key=consumer_key, consumer_secret=consumer_secret, **settings
            )
            self.apps[consumer_key] = app
            return app

    def get_org(self, org: Org | str) -> Org:
        if isinstance(org, Org):
            return org
        try:
            return self.orgs[org]
        except KeyError:
            raise ValueError(f"unknown org {org!r}") from None

    def get_user(self, user: User | str) -> User:
        if isinstance(user, User):
            return user
        found = self.users.get(user) or self.users_by_username.get(user.lower())
        if found is None:
            raise ValueError(f"unknown user {user!r}")
        return found

    def get_app(self, app: App | str) -> App:
        if isinstance(app, App):
            return app
        try:
            return self.apps[app]
        except KeyError:
            raise ValueError(f"unknown consumer key {app!r}") from None

    # Grants and tokens --------------------------------------------------------------------------

    def identity_url(self, user: User) -> str:
        return f"{self.base_url}/id/{user.org.org_id}/{user.user_id}"

    def create_grant(self, user: User, app: App, scopes: tuple[str, ...]) -> Grant:
        """A new approval; a sixth live one for the same user and app revokes the oldest
        (docs/salesforce-protocol.md, "Approvals per user")."""
        with self.lock:
            now = self.clock.now()
            grant = Grant(
                grant_id=next(self._grant_ids),
                user=user,
                app=app,
                scopes=scopes,
                created=now,
                last_used=now,
            )
            if set(scopes) & REFRESH_SCOPES:
                grant.refresh_token = new_token("5Aep861", 60)
                self.grants_by_refresh_token[grant.refresh_token] = grant
                live = self.live_grants_by_user_app.setdefault((user.user_id, app.consumer_key), [])
                live[:] = [g for g in live if not g.revoked]
                while len(live) >= MAX_GRANTS_PER_USER_AND_APP:
                    self.revoke_grant(
                        live.pop(0), "five-approval limit: a newer approval evicted it"
                    )
                live.append(grant)
            self.grants.append(grant)
            return grant

    def issue_access_token(self, grant: Grant) -> AccessToken:
        with self.lock:
            now = self.clock.now()
            token = AccessToken(
                token=f"{grant.user.org.org_id}!{new_token('AQ', 72)}",
                grant=grant,
                issued=now,
                last_activity=now,
            )
            grant.access_tokens.append(token)
            self.access_tokens[token.token] = token
            return token

    def rotate_refresh_token(self, grant: Grant) -> str:
        with self.lock:
            if grant.refresh_token:
                grant.retired_refresh_tokens.append(grant.refresh_token)
            grant.refresh_token = new_token("5Aep861", 60)
            grant.rotation_count += 1
            self.grants_by_refresh_token[grant.refresh_token] = grant
            return grant.refresh_token

    def revoke_grant(self, grant: Grant, reason: str = "revoked") -> None:
        """Kill the refresh-token chain and every access token issued under it."""
        with self.lock:
            if grant.revoked:
                return
            grant.revoked = True
            grant.revoked_reason = reason
            for access in grant.access_tokens:
                access.revoked = True

    def token_response(self, grant: Grant, access: AccessToken, refresh_token: str | None) -> dict:
        """A token-endpoint body shaped like Salesforce's: no `expires_in`, ever
        (docs/salesforce-protocol.md, "Token responses", "Signature")."""
        identity = self.identity_url(grant.user)
        issued_at = str(int(access.issued * 1000))
        body = {"access_token": access.token}
        if refresh_token:
            body["refresh_token"] = refresh_token
        body.update(
            signature=sign(grant.app.consumer_secret, identity + issued_at),
            scope=" ".join(grant.scopes),
            instance_url=self.base_url,
            id=identity,
            token_type="Bearer",
            issued_at=issued_at,
        )
        return body

    def is_refresh_token_live(self, token: str) -> bool:
        with self.lock:
            grant = self.grants_by_refresh_token.get(token)
            return bool(
                grant
                and not grant.revoked
                and grant.refresh_token == token
                and not grant.is_idle_expired(self.clock.now())
            )

    # Request log --------------------------------------------------------------------------------

    def record(self, method: str, path: str, remote_addr: str) -> RequestRecord:
        with self.lock:
            entry = RequestRecord(
                seq=next(self._record_seq),
                time=self.clock.now(),
                method=method,
                path=path,
                remote_addr=remote_addr,
            )
            self.records.append(entry)
            return entry


def sign(secret: str, message: str) -> str:
    """Standard Base64 of HMAC-SHA256(consumer secret, id + issued_at);
    docs/salesforce-protocol.md, "Signature"."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
