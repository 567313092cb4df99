"""The status page (`GET /`) and the JSON control API under `/_emulator/`, for tests and demos in
other processes. POST bodies are JSON objects; errors are `{"error": "..."}` with 400 (bad input)
or 404 (unknown tenant, user or environment). README.md documents every call.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from . import pages
from .responses import html_response, json_response
from .snapshot import snapshot, token_log

if TYPE_CHECKING:
    from .app import EmulatorApp


class BadRequest(Exception):
    pass


def _body(request: Request, allowed: set[str]) -> dict[str, Any]:
    if not request.data:
        return {}
    try:
        data = json.loads(request.data)
    except ValueError as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    unknown = set(data) - allowed
    if unknown:
        raise BadRequest(f"unknown keys: {', '.join(sorted(unknown))}")
    return data


def guarded(view):
    """BadRequest/ValueError/TypeError -> 400, LookupError -> 404."""

    def wrapper(ctx: EmulatorApp, request: Request, **values: Any) -> Response:
        try:
            return view(ctx, request, **values)
        except (BadRequest, ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, status=400)
        except LookupError as exc:
            return json_response({"error": f"not found: {exc}"}, status=404)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def status_page(ctx: EmulatorApp, request: Request) -> Response:
    """GET /: read-only HTML overview."""
    return html_response(pages.status_page(snapshot(ctx.store, limit=200)))


@guarded
def state(ctx: EmulatorApp, request: Request) -> Response:
    """GET /_emulator/state[?limit=N]."""
    return json_response(snapshot(ctx.store, limit=int(request.args.get("limit", 1000))))


def reset(ctx: EmulatorApp, request: Request) -> Response:
    """POST /_emulator/reset: the configured registry, clock offset and skew 0, nothing else."""
    ctx.emulator.reset()
    return json_response({"ok": True})


@guarded
def advance(ctx: EmulatorApp, request: Request) -> Response:
    """POST /_emulator/advance {"seconds": N, "days": D}."""
    data = _body(request, {"seconds", "days"})
    offset = ctx.emulator.advance(float(data.get("seconds", 0)), float(data.get("days", 0)))
    return json_response({"clock_offset": offset, "now": ctx.emulator.now()})


FAULT_KEYS = {"count", "status", "target", "retry_after", "body", "hang", "drop"}


@guarded
def faults(ctx: EmulatorApp, request: Request) -> Response:
    """GET|POST /_emulator/faults {"clear", "latency", "clock_skew", "count", "status", "target",
    "retry_after", "body", "hang", "drop"}."""
    emulator = ctx.emulator
    if request.method == "POST":
        data = _body(request, FAULT_KEYS | {"clear", "latency", "clock_skew"})
        if data.get("clear"):
            emulator.clear_faults()
        if "latency" in data:
            emulator.latency = float(data["latency"])
        if "clock_skew" in data:
            emulator.clock_skew = float(data["clock_skew"])
        if "count" in data:
            options = {key: data[key] for key in FAULT_KEYS - {"count"} if key in data}
            emulator.fail_next(int(data["count"]), **options)
    return json_response(
        {
            "pending": emulator.store.faults.pending(),
            "latency": emulator.latency,
            "clock_skew": emulator.clock_skew,
        }
    )


@guarded
def token_requests(ctx: EmulatorApp, request: Request, grant_type: str | None = None) -> Response:
    """GET /_emulator/token_requests[?grant_type=&since=SEQ] and GET /_emulator/refresh_log."""
    grant_type = grant_type or request.args.get("grant_type")
    since = int(request.args.get("since", 0))
    return json_response({"requests": token_log(ctx.store, grant_type, since)})


def refresh_log(ctx: EmulatorApp, request: Request) -> Response:
    """GET /_emulator/refresh_log[?since=SEQ]: which refresh token each refresh presented."""
    return token_requests(ctx, request, grant_type="refresh_token")


USER_KEYS = {"username", "password", "tenant", "admin", "display_name", "environments"}


@guarded
def add_user(ctx: EmulatorApp, request: Request) -> Response:
    """POST /_emulator/users {"username", "password", "tenant", "admin", "display_name",
    "environments": [unique names to provision the user in]}: 201 with the object ID."""
    data = _body(request, USER_KEYS)
    if not data.get("username") or not data.get("password"):
        raise BadRequest("username and password are required")
    user = ctx.emulator.add_user(
        data["username"],
        data["password"],
        tenant=data.get("tenant"),
        admin=bool(data.get("admin", False)),
        display_name=data.get("display_name") or data["username"].split("@")[0],
        environments=data.get("environments", ()),
    )
    return json_response({"oid": user.oid, "username": user.username}, status=201)


@guarded
def update_user(ctx: EmulatorApp, request: Request, user: str) -> Response:
    """POST /_emulator/users/<oid or UPN> {"password", "admin", "account_enabled",
    "interaction_required", "revoke_sessions": true}."""
    data = _body(
        request, {"password", "admin", "account_enabled", "interaction_required", "revoke_sessions"}
    )
    found = ctx.store.get_user(user)
    for key in ("admin", "account_enabled", "interaction_required"):
        if key in data:
            setattr(found, key, bool(data[key]))
    if "password" in data:
        found.password = str(data["password"])
    if data.get("revoke_sessions"):
        ctx.emulator.revoke_sessions(found)
    return json_response(
        {
            "oid": found.oid,
            "admin": found.admin,
            "account_enabled": found.account_enabled,
            "interaction_required": found.interaction_required,
            "tokens_valid_from": found.tokens_valid_from,
        }
    )


@guarded
def revoke_sessions(ctx: EmulatorApp, request: Request, user: str) -> Response:
    """POST /_emulator/users/<oid or UPN>/revoke_sessions: every refresh token issued so far
    fails with AADSTS50173 (Revoke-MgUserSignInSession)."""
    found = ctx.store.get_user(user)
    ctx.emulator.revoke_sessions(found)
    return json_response({"oid": found.oid, "tokens_valid_from": found.tokens_valid_from})


@guarded
def membership(ctx: EmulatorApp, request: Request, environment: str, user: str) -> Response:
    """POST /_emulator/environments/<name>/users/<oid or UPN> {"enabled": true|false} adds or
    updates the user's Dataverse systemuser; DELETE removes it."""
    if ctx.store.environments.get(environment) is None:
        raise LookupError(f"environment {environment}")
    found = ctx.store.get_user(user)
    if request.method == "DELETE":
        ctx.emulator.unprovision(environment, found)
        return json_response({"environment": environment, "oid": found.oid, "member": False})
    data = _body(request, {"enabled"})
    member = ctx.emulator.provision(environment, found, enabled=bool(data.get("enabled", True)))
    return json_response(
        {
            "environment": environment,
            "oid": found.oid,
            "member": True,
            "enabled": member.enabled,
            "system_user_id": member.system_user_id,
        }
    )


@guarded
def update_tenant(ctx: EmulatorApp, request: Request, tenant: str) -> Response:
    """POST /_emulator/tenants/<ID or domain> {"user_consent_allowed",
    "refresh_token_lifetime_days", "revoke_consent": true (drops admin and user consents)}."""
    data = _body(request, {"user_consent_allowed", "refresh_token_lifetime_days", "revoke_consent"})
    found = ctx.store.get_tenant(tenant)
    if "user_consent_allowed" in data:
        found.user_consent_allowed = bool(data["user_consent_allowed"])
    if "refresh_token_lifetime_days" in data:
        days = float(data["refresh_token_lifetime_days"])
        if days <= 0:
            raise BadRequest("refresh_token_lifetime_days must be > 0")
        found.refresh_token_lifetime = days * 86400
    if data.get("revoke_consent"):
        ctx.emulator.revoke_consent(found)
    return json_response(
        {
            "tenant_id": found.tenant_id,
            "user_consent_allowed": found.user_consent_allowed,
            "admin_consented": sorted(found.admin_consented),
            "refresh_token_lifetime_days": found.refresh_token_lifetime / 86400,
        }
    )
