"""A JSON-ready picture of the emulator state, for `GET /_emulator/state` and the status page."""

from __future__ import annotations

from typing import Any

from .models import Grant
from .store import Store


def mask(secret: str) -> str:
    return secret[:4] + "…" + "*" * 8 if len(secret) > 8 else "*" * 8


def grant_summary(grant: Grant, now: float) -> dict[str, Any]:
    return {
        "grant_id": grant.grant_id,
        "user_id": grant.user.user_id,
        "username": grant.user.username,
        "org_id": grant.user.org.org_id,
        "consumer_key": grant.app.consumer_key,
        "app_name": grant.app.name,
        "scopes": " ".join(grant.scopes),
        "created": grant.created,
        "last_used": grant.last_used,
        "idle_expires_at": grant.idle_expires_at(),
        "rotation_count": grant.rotation_count,
        "access_tokens": len(grant.access_tokens),
        "api_calls": sum(token.api_calls for token in grant.access_tokens),
        "idle_expired": not grant.revoked and grant.is_idle_expired(now),
        "revoked": grant.revoked,
        "revoked_reason": grant.revoked_reason,
    }


def snapshot(store: Store, limit: int = 1000) -> dict[str, Any]:
    """Orgs, apps (secret masked), newest `limit` grants first; times are emulator epoch seconds."""
    with store.lock:
        now = store.clock.now()
        grants = store.grants[-limit:][::-1] if limit > 0 else []
        return {
            "base_url": store.base_url,
            "now": now,
            "clock_offset": store.clock.offset,
            "latency": store.latency,
            "token_processing_seconds": store.token_processing_seconds,
            "pending_faults": store.faults.pending(),
            "orgs": [
                {
                    "org_id": org.org_id,
                    "my_domain": org.my_domain,
                    "name": org.name,
                    "sandbox": org.sandbox,
                    "active": org.active,
                    "api_calls": org.api_calls,
                }
                for org in list(store.orgs.values())[:limit]
            ],
            "users": [
                {
                    "user_id": user.user_id,
                    "org_id": user.org.org_id,
                    "username": user.username,
                    "display_name": user.display_name,
                    "active": user.active,
                    "approve_uninstalled_apps": user.approve_uninstalled_apps,
                }
                for user in list(store.users.values())[:limit]
            ],
            "apps": [
                {
                    "name": app.name,
                    "org_id": app.org.org_id,
                    "consumer_key": app.consumer_key,
                    "consumer_secret_masked": mask(app.consumer_secret),
                    "callback_urls": list(app.callback_urls),
                    "scopes": " ".join(app.scopes),
                    "require_pkce": app.require_pkce,
                    "require_secret_web_server": app.require_secret_web_server,
                    "require_secret_refresh": app.require_secret_refresh,
                    "refresh_token_rotation": app.refresh_token_rotation,
                    "idle_refresh_token_ttl": app.idle_refresh_token_ttl,
                    "ip_allowlist": list(app.ip_allowlist or []),
                    "session_timeout": app.session_timeout,
                    "installed": app.installed,
                    "uninstalled_app_restricted": app.uninstalled_app_restricted,
                    "high_assurance_required": app.high_assurance_required,
                }
                for app in list(store.apps.values())[:limit]
            ],
            "org_count": len(store.orgs),
            "grant_count": len(store.grants),
            "live_grant_count": sum(
                1 for grant in store.grants if not grant.revoked and not grant.is_idle_expired(now)
            ),
            "grants": [grant_summary(grant, now) for grant in grants],
        }
