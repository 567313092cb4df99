"""A JSON-ready picture of the state for `GET /_emulator/state` and the status page.

Secrets are masked and tokens appear only as fingerprints (`models.fingerprint`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .models import RefreshToken, fingerprint
from .store import Store


def mask(secret: str) -> str:
    return secret[:4] + "…" + "*" * 8 if len(secret) > 8 else "*" * 8


def refresh_token_status(store: Store, token: RefreshToken, now: float) -> str:
    if now - token.issued_at > token.user.tenant.refresh_token_lifetime:
        return "expired (inactivity)"
    if token.issued_at < token.user.tokens_valid_from:
        return "revoked"
    newest = store.newest_generation.get(token.session_id)
    return "live (newest)" if newest == token.generation else "live (superseded)"


def snapshot(store: Store, limit: int = 1000) -> dict[str, Any]:
    """Registry, refresh tokens (newest first, at most `limit`), clock and faults."""
    with store.lock:
        now = store.clock.now()
        tokens = sorted(store.refresh_tokens.values(), key=lambda t: t.serial, reverse=True)
        return {
            "authority": store.base_url,
            "discovery_url": store.discovery_url,
            "now": now,
            "clock_offset": store.clock.offset,
            "clock_skew": store.clock.skew,
            "latency": store.latency,
            "faults": store.faults.pending(),
            "tenants": [
                {
                    "tenant_id": t.tenant_id,
                    "domain": t.domain,
                    "name": t.name,
                    "user_consent_allowed": t.user_consent_allowed,
                    "admin_consented": sorted(t.admin_consented),
                    "refresh_token_lifetime": t.refresh_token_lifetime,
                }
                for t in store.tenants.values()
            ],
            "apps": [
                {
                    "name": a.name,
                    "client_id": a.client_id,
                    "client_secret_masked": mask(a.client_secret),
                    "redirect_uris": a.redirect_uris,
                    "require_pkce": a.require_pkce,
                }
                for a in store.apps.values()
            ],
            "users": [
                {
                    "oid": u.oid,
                    "username": u.username,
                    "tenant_id": u.tenant.tenant_id,
                    "display_name": u.display_name,
                    "admin": u.admin,
                    "account_enabled": u.account_enabled,
                    "interaction_required": u.interaction_required,
                    "tokens_valid_from": u.tokens_valid_from,
                    "consented": sorted(u.consented),
                }
                for u in store.users.values()
            ],
            "environments": [
                {
                    "unique_name": e.unique_name,
                    "url": store.environment_url(e),
                    "friendly_name": e.friendly_name,
                    "tenant_id": e.tenant.tenant_id,
                    "organization_id": e.organization_id,
                    "environment_id": e.environment_id,
                    "business_unit_id": e.business_unit_id,
                    "purpose": e.purpose,
                    "members": [
                        {
                            "oid": oid,
                            "username": store.users[oid].username if oid in store.users else oid,
                            "system_user_id": m.system_user_id,
                            "enabled": m.enabled,
                        }
                        for oid, m in e.members.items()
                    ],
                }
                for e in store.environments.values()
            ],
            "refresh_token_count": len(tokens),
            "refresh_tokens": [
                {
                    "fingerprint": fingerprint(t.token),
                    "serial": t.serial,
                    "session_id": t.session_id,
                    "generation": t.generation,
                    "username": t.user.username,
                    "client_id": t.app.client_id,
                    "issued_at": t.issued_at,
                    "expires_at": t.expires_at(),
                    "uses": t.uses,
                    "status": refresh_token_status(store, t, now),
                }
                for t in tokens[: max(limit, 0)]
            ],
        }


def token_log(store: Store, grant_type: str | None = None, since: int = 0) -> list[dict[str, Any]]:
    """Token endpoint calls after sequence number `since`, oldest first (fingerprints only)."""
    with store.lock:
        entries = list(store.log)
    return [
        asdict(e)
        for e in entries
        if e.seq > since and (grant_type is None or e.grant_type == grant_type)
    ]
