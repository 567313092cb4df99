"""The configuration format and the fixed demo tenant, users, app and two environments.

A config is a dict (or a JSON file) with lists "tenants", "users", "apps", "environments":
- tenant: domain, tenant_id, name, user_consent_allowed (true), refresh_token_lifetime (seconds)
- user: username, password, tenant (ID or domain; optional with one tenant), oid, display_name,
  admin (false), account_enabled (true)
- app: client_id, client_secret, name, redirect_uris (list, exact match), require_pkce (true)
- environment: unique_name, tenant, friendly_name, purpose, region, organization_id,
  environment_id, business_unit_id, members (list of {"user": UPN or oid, "enabled": true,
  "system_user_id"})
Unknown keys are errors. README.md shows the demo values.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .store import Store

DEMO_TENANT_ID = "8c2d1b9a-4e6f-4a3b-9d7c-5e1f0a2b3c4d"
DEMO_TENANT_DOMAIN = "orgkeeper-demo.onmicrosoft.com"
DEMO_CLIENT_ID = "4f8e2a6c-1d3b-4e5f-a7c9-0b2d4f6a8c1e"
DEMO_CLIENT_SECRET = "Okp8Q~OrgkeeperEmulatorDemoClientSecret01"
DEMO_REDIRECT_URIS = [
    "http://127.0.0.1:8881/api/connections/oauth/callback",
    "http://localhost:8881/api/connections/oauth/callback",
]
DEMO_USERNAME = "demo@orgkeeper-demo.onmicrosoft.com"
DEMO_PASSWORD = "orgkeeper-demo-1"
DEMO_USER_OID = "3b7e9c1d-2a4f-4c6e-8b0d-1f3a5c7e9b2d"
DEMO_ADMIN_USERNAME = "admin@orgkeeper-demo.onmicrosoft.com"
DEMO_ADMIN_PASSWORD = "orgkeeper-admin-1"
DEMO_ADMIN_OID = "6d0a2c4e-8f1b-4d3a-9c5e-7b9d1f3a5c8e"
DEMO_ENVIRONMENTS = ("orgkeeper-demo", "orgkeeper-sandbox")

TENANT_KEYS = {"domain", "tenant_id", "name", "user_consent_allowed", "refresh_token_lifetime"}
USER_KEYS = {"username", "password", "tenant", "oid", "display_name", "admin", "account_enabled"}
APP_KEYS = {"client_id", "client_secret", "name", "redirect_uris", "require_pkce"}
ENVIRONMENT_KEYS = {
    "unique_name",
    "tenant",
    "friendly_name",
    "purpose",
    "region",
    "organization_id",
    "environment_id",
    "business_unit_id",
    "members",
}
TOP_KEYS = {"tenants", "users", "apps", "environments"}


def demo_config(redirect_uris: list[str] | None = None) -> dict[str, Any]:
    """One customer tenant with a user and an admin, the operator's multi-tenant app (already
    registered, not yet consented), and two environments where the demo user is a Dataverse user
    (the admin only in the first)."""
    return {
        "tenants": [
            {"domain": DEMO_TENANT_DOMAIN, "tenant_id": DEMO_TENANT_ID, "name": "Orgkeeper Demo"}
        ],
        "users": [
            {
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
                "oid": DEMO_USER_OID,
                "display_name": "Demo User",
            },
            {
                "username": DEMO_ADMIN_USERNAME,
                "password": DEMO_ADMIN_PASSWORD,
                "oid": DEMO_ADMIN_OID,
                "display_name": "Demo Admin",
                "admin": True,
            },
        ],
        "apps": [
            {
                "client_id": DEMO_CLIENT_ID,
                "client_secret": DEMO_CLIENT_SECRET,
                "name": "Orgkeeper",
                "redirect_uris": list(redirect_uris or DEMO_REDIRECT_URIS),
            }
        ],
        "environments": [
            {
                "unique_name": "orgkeeper-demo",
                "friendly_name": "Orgkeeper Demo",
                "organization_id": "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b",
                "environment_id": "e1f2a3b4-0001-4c5d-9e6f-7a8b9c0d1e2f",
                "business_unit_id": "b1c2d3e4-0001-4f5a-8b9c-0d1e2f3a4b5c",
                "members": [
                    {
                        "user": DEMO_USERNAME,
                        "system_user_id": "c1d2e3f4-0001-4a5b-9c8d-7e6f5a4b3c2d",
                    },
                    {"user": DEMO_ADMIN_USERNAME},
                ],
            },
            {
                "unique_name": "orgkeeper-sandbox",
                "friendly_name": "Orgkeeper Sandbox",
                "purpose": "Sandbox",
                "organization_id": "a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a5b",
                "environment_id": "e1f2a3b4-0002-4c5d-9e6f-7a8b9c0d1e2f",
                "business_unit_id": "b1c2d3e4-0002-4f5a-8b9c-0d1e2f3a4b5c",
                "members": [
                    {
                        "user": DEMO_USERNAME,
                        "system_user_id": "c1d2e3f4-0002-4a5b-9c8d-7e6f5a4b3c2d",
                    }
                ],
            },
        ],
    }


def read_config_file(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _check(item: dict[str, Any], allowed: set[str], kind: str) -> dict[str, Any]:
    unknown = set(item) - allowed
    if unknown:
        raise ValueError(f"unknown {kind} setting(s): {', '.join(sorted(unknown))}")
    return dict(item)


def apply_config(store: Store, config: dict[str, Any]) -> None:
    """Replace the store's registry with `config` (see the module docstring)."""
    config = copy.deepcopy(config)
    _check(config, TOP_KEYS, "top-level")
    if not config.get("tenants") or not config.get("apps"):
        raise ValueError("the configuration needs at least one tenant and one app")
    store.clear_registry()
    for item in config["tenants"]:
        item = _check(item, TENANT_KEYS, "tenant")
        store.add_tenant(item.pop("domain"), **item)
    for item in config.get("users", []):
        item = _check(item, USER_KEYS, "user")
        store.add_user(item.pop("username"), item.pop("password"), **item)
    for item in config["apps"]:
        item = _check(item, APP_KEYS, "app")
        store.add_app(
            item.pop("client_id"),
            item.pop("client_secret"),
            item.pop("name", "Orgkeeper"),
            item.pop("redirect_uris", None),
            **item,
        )
    for item in config.get("environments", []):
        item = _check(item, ENVIRONMENT_KEYS, "environment")
        members = item.pop("members", [])
        environment = store.add_environment(item.pop("unique_name"), **item)
        for member in members:
            member = _check(member, {"user", "enabled", "system_user_id"}, "member")
            store.provision(environment, member.pop("user"), **member)
