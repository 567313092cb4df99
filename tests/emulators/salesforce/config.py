"""The JSON configuration format and the fixed demo org, user and External Client App.

Top-level keys: "orgs", "users", "apps" (lists of objects) and optional "latency" and
"token_processing_seconds" (seconds).
- Org keys: org_id, my_domain, sandbox, active, name.
- User keys: user_id, org_id, username, password, active, display_name, email,
  approve_uninstalled_apps.
- App keys: org_id, name, consumer_key, consumer_secret, callback_urls, scopes, require_pkce,
  require_secret_web_server, require_secret_refresh, refresh_token_rotation,
  idle_refresh_token_ttl, ip_allowlist, session_timeout, installed, uninstalled_app_restricted,
  high_assurance_required.
Unknown keys are errors. IDs are optional (generated if left out); users and apps may leave out
org_id when there is one org.
README.md explains each key; example-config.json shows them all.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .models import App, salesforce_id
from .store import Store

DEMO_ORG_ID = salesforce_id("00D8d000000Demo")  # 00D8d000000DemoEAC
DEMO_USER_ID = salesforce_id("0058d000000Demo")  # 0058d000000DemoAAC
DEMO_MY_DOMAIN = "orgkeeper-demo"
DEMO_USERNAME = "demo@orgkeeper.example"
DEMO_PASSWORD = "orgkeeper-demo-1"
DEMO_CONSUMER_KEY = "3MVG9OrgkeeperEmulatorDemoConsumerKey"
DEMO_CONSUMER_SECRET = "OrgkeeperEmulatorDemoConsumerSecret0001"
DEMO_CALLBACK_URLS = [
    "http://127.0.0.1:8881/api/connections/oauth/callback",
    "http://localhost:8881/api/connections/oauth/callback",
]

ORG_KEYS = {"org_id", "my_domain", "sandbox", "active", "name"}
USER_KEYS = {
    "user_id",
    "org_id",
    "username",
    "password",
    "active",
    "display_name",
    "email",
    "approve_uninstalled_apps",
}
APP_KEYS = {"org_id", "consumer_key", "consumer_secret"} | set(App.__dataclass_fields__) - {"org"}
TOP_KEYS = {"orgs", "users", "apps", "latency", "token_processing_seconds"}


def demo_config(callback_urls: list[str] | None = None) -> dict[str, Any]:
    """One production org, one admin user, one ECA with every security option on (the setup
    checklist's step 4)."""
    return {
        "orgs": [{"org_id": DEMO_ORG_ID, "my_domain": DEMO_MY_DOMAIN, "name": "Orgkeeper Demo"}],
        "users": [
            {
                "user_id": DEMO_USER_ID,
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
                "display_name": "Demo Admin",
                "email": DEMO_USERNAME,
            }
        ],
        "apps": [
            {
                "name": "Orgkeeper Demo ECA",
                "consumer_key": DEMO_CONSUMER_KEY,
                "consumer_secret": DEMO_CONSUMER_SECRET,
                "callback_urls": list(callback_urls or DEMO_CALLBACK_URLS),
                "scopes": "id api refresh_token",
                "require_pkce": True,
                "require_secret_web_server": True,
                "require_secret_refresh": True,
                "refresh_token_rotation": True,
                "idle_refresh_token_ttl": 30 * 86400,
                "ip_allowlist": ["127.0.0.1/32"],
                "session_timeout": 2 * 3600,
            }
        ],
    }


def read_config_file(path: str | Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _check_keys(item: dict[str, Any], allowed: set[str], kind: str) -> None:
    unknown = set(item) - allowed
    if unknown:
        raise ValueError(f"unknown {kind} setting(s): {', '.join(sorted(unknown))}")


def apply_config(store: Store, config: dict[str, Any]) -> None:
    """Replace the store's registry (orgs, users, apps) and settings with `config`."""
    config = copy.deepcopy(config)
    _check_keys(config, TOP_KEYS, "top-level")
    if not config.get("orgs"):
        raise ValueError("the configuration needs at least one org")
    store.clear_registry()
    orgs = []
    for item in config["orgs"]:
        _check_keys(item, ORG_KEYS, "org")
        orgs.append(store.add_org(**item))
    for item in config.get("users", []):
        _check_keys(item, USER_KEYS, "user")
        org = item.pop("org_id", None) or _only_org(orgs, "user")
        store.add_user(org, **item)
    for item in config.get("apps", []):
        _check_keys(item, APP_KEYS, "app")
        org = item.pop("org_id", None) or _only_org(orgs, "app")
        store.add_app(org, **item)
    store.latency = float(config.get("latency", 0.0))
    store.token_processing_seconds = float(config.get("token_processing_seconds", 0.0))


def _only_org(orgs: list, kind: str):
    if len(orgs) != 1:
        raise ValueError(f"each {kind} needs an org_id when there is more than one org")
    return orgs[0]
