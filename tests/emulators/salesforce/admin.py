"""Admin shortcuts that skip the browser: mint grants, add throw-away users and orgs."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from .models import App, Org, User, new_consumer_key, new_consumer_secret
from .store import Store

_serial = itertools.count(1)


def mint(
    store: Store, app: App, user: User, scopes: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Create a grant as sign-in + Allow + code exchange would; the five-grant limit applies."""
    if user.org is not app.org:
        raise ValueError("cross-org grant: the user must belong to the app's org (Local ECA)")
    scopes = scopes or app.scopes
    if not app.allows_scopes(scopes):
        raise ValueError(f"scopes {scopes} are not configured on the app")
    with store.lock:
        grant = store.create_grant(user, app, scopes)
        access = store.issue_access_token(grant)
        body = store.token_response(grant, access, grant.refresh_token)
    return {
        **body,
        "grant_id": grant.grant_id,
        "org_id": user.org.org_id,
        "my_domain": user.org.my_domain,
        "user_id": user.user_id,
        "username": user.username,
        "consumer_key": app.consumer_key,
        "consumer_secret": app.consumer_secret,
    }


def new_user(store: Store, org: Org) -> User:
    serial = next(_serial)
    return store.add_user(
        org,
        f"user{serial}-{secrets.token_hex(3)}@{org.my_domain}.example",
        secrets.token_urlsafe(12),
        display_name=f"Bench User {serial}",
    )


def clone_org(store: Store, template: App) -> tuple[App, User]:
    """A new org with one user and a copy of `template`'s settings under a fresh consumer key."""
    serial = next(_serial)
    org = store.add_org(f"{template.org.my_domain}-{serial}-{secrets.token_hex(2)}")
    settings = {
        name: getattr(template, name)
        for name in template.__dataclass_fields__
        if name not in ("org", "consumer_key", "consumer_secret")
    }
    settings["callback_urls"] = list(template.callback_urls)
    settings["ip_allowlist"] = list(template.ip_allowlist) if template.ip_allowlist else None
    app = store.add_app(org, new_consumer_key(), new_consumer_secret(), **settings)
    return app, new_user(store, org)
