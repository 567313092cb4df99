"""Minting: access tokens (JWT, audience = the resource), ID tokens (JWT, audience = the app) and
the token response. https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response-2
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from . import scopes as scope_rules
from .models import AccessToken, App, RefreshToken, User, new_secret
from .store import Store


def issuer(store: Store, tenant_id: str) -> str:
    """The v2.0 issuer, `{authority}/{tenant ID}/v2.0`, as in the OpenID configuration."""
    return f"{store.base_url}/{tenant_id}/v2.0"


def _pairwise_sub(user: User, app: App) -> str:
    digest = hashlib.sha256(f"{user.oid}:{app.client_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:43]


def _times(store: Store, lifetime: float) -> dict[str, int]:
    now = store.clock.reported()
    return {"iat": int(now), "nbf": int(now), "exp": int(now + lifetime)}


def access_token(store: Store, app: App, user: User, resource: str) -> AccessToken:
    lifetime = store.access_token_lifetime
    claims = {
        "aud": resource,
        "iss": f"{store.base_url}/{user.tenant.tenant_id}/",
        **_times(store, lifetime),
        "appid": app.client_id,
        "oid": user.oid,
        "tid": user.tenant.tenant_id,
        "upn": user.username,
        "scp": "user_impersonation",
        "uti": secrets.token_urlsafe(16),
        "ver": "1.0",
    }
    token = AccessToken(store.key.sign(claims), app, user, resource, store.clock.now() + lifetime)
    with store.lock:
        store.access_tokens[token.token] = token
    return token


def id_token(store: Store, app: App, user: User, nonce: str | None) -> str:
    claims: dict[str, Any] = {
        "aud": app.client_id,
        "iss": issuer(store, user.tenant.tenant_id),
        **_times(store, 3600),
        "name": user.display_name,
        "oid": user.oid,
        "preferred_username": user.username,
        "sub": _pairwise_sub(user, app),
        "tid": user.tenant.tenant_id,
        "uti": secrets.token_urlsafe(16),
        "ver": "2.0",
    }
    if nonce:
        claims["nonce"] = nonce
    return store.key.sign(claims)


def token_response(
    store: Store,
    app: App,
    user: User,
    resource: str,
    oidc_scopes: tuple[str, ...],
    previous: RefreshToken | None = None,
    nonce: str | None = None,
) -> tuple[dict[str, Any], RefreshToken | None]:
    """The JSON body and the new refresh token (only with `offline_access`; an ID token only
    with `openid`). `previous` is the refresh token being redeemed, whose chain this continues."""
    access = access_token(store, app, user, resource)
    lifetime = store.access_token_lifetime
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": scope_rules.granted(resource),
        "expires_in": int(lifetime),
        "ext_expires_in": int(lifetime),
        "access_token": access.token,
    }
    refresh = None
    if "offline_access" in oidc_scopes:
        refresh = store.new_refresh_token(new_secret("1.A"), app, user, oidc_scopes, previous)
        body["refresh_token"] = refresh.token
    if "openid" in oidc_scopes:
        body["id_token"] = id_token(store, app, user, nonce)
    return body, refresh
