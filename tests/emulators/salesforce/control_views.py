"""The status page (`GET /`) and the JSON control API under `/_emulator/` for other processes.

Every POST takes a JSON object body; errors are `{"error": "..."}` with 400 (bad input) or 404
(unknown id). README.md documents the API.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from . import pages
from .models import App, parse_networks, parse_scopes, string_list
from .oauth_views import html_response, json_response

if TYPE_CHECKING:
    from .app import EmulatorApp

APP_POLICY_FIELDS = set(App.__dataclass_fields__) - {"org", "consumer_key"}


class BadRequest(Exception):
    pass


def _body(request: Request) -> dict[str, Any]:
    if not request.data:
        return {}
    try:
        data = json.loads(request.data)
    except ValueError as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def _guarded(view):
    """Turn BadRequest/ValueError into 400 and LookupError into 404."""

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
    """GET /: read-only HTML overview of orgs, apps (secret masked) and the newest grants."""
    return html_response(pages.status_page(ctx.emulator.snapshot(limit=200)))


@_guarded
def state(ctx: EmulatorApp, request: Request) -> Response:
    """GET /_emulator/state[?limit=N]: the same data as JSON (grants newest first, default 1000)."""
    return json_response(ctx.emulator.snapshot(limit=int(request.args.get("limit", 1000))))


def reset(ctx: EmulatorApp, request: Request) -> Response:
    """POST /_emulator/reset: configured registry, clock offset 0, no grants/faults/latency/log."""
    ctx.emulator.reset()
    return json_response({"ok": True})


@_guarded
def advance(ctx: EmulatorApp, request: Request) -> Response:
    """POST /_emulator/advance {"seconds": N, "days": D}."""
    data = _body(request)
    offset = ctx.emulator.advance(
        seconds=float(data.get("seconds", 0)), days=float(data.get("days", 0))
    )
    return json_response({"clock_offset": offset, "now": ctx.emulator.now()})


@_guarded
def faults(ctx: EmulatorApp, request: Request) -> Response:
    """GET|POST /_emulator/faults.

    POST keys (all optional): "clear": true drops queued faults; "latency" and
    "token_processing_seconds" set those; "count" queues faults with "status" (default 503,
    null = answer normally), "body",
    "hang", "drop", "commit" exactly like `Emulator.fail_next`.
    """
    emulator = ctx.emulator
    if request.method == "POST":
        data = _body(request)
        unknown = set(data) - {
            "clear",
            "latency",
            "token_processing_seconds",
            "count",
            "status",
            "body",
            "hang",
            "drop",
            "commit",
        }
        if unknown:
            raise BadRequest(f"unknown keys: {', '.join(sorted(unknown))}")
        if data.get("clear"):
            emulator.clear_faults()
        if "latency" in data:
            emulator.latency = float(data["latency"])
        if "token_processing_seconds" in data:
            emulator.token_processing_seconds = float(data["token_processing_seconds"])
        if "count" in data:
            emulator.fail_next(
                int(data["count"]),
                status=data.get("status", 503),
                body=data.get("body"),
                hang=float(data.get("hang", 0.0)),
                drop=bool(data.get("drop", False)),
                commit=bool(data.get("commit", False)),
            )
    return json_response(
        {
            "pending": emulator.store.faults.pending(),
            "latency": emulator.latency,
            "token_processing_seconds": emulator.token_processing_seconds,
        }
    )


@_guarded
def requests_log(ctx: EmulatorApp, request: Request) -> Response:
    """GET /_emulator/requests[?grant_type=&path=&since=SEQ&limit=N]: calls, oldest first."""
    grant_type = request.args.get("grant_type")
    path = request.args.get("path")
    since = int(request.args.get("since", 0))
    limit = int(request.args.get("limit", 10000))
    records = [
        asdict(r)
        for r in ctx.emulator.requests
        if r.seq > since
        and (grant_type is None or r.grant_type == grant_type)
        and (path is None or r.path == path)
    ]
    return json_response({"requests": records[:limit]})


@_guarded
def mint_grants(ctx: EmulatorApp, request: Request) -> Response:
    """POST /_emulator/grants {"count", "consumer_key", "user_id", "scopes", "separate"}."""
    data = _body(request)
    emulator = ctx.emulator
    count = int(data.get("count", 1))
    if not 1 <= count <= 100_000:
        raise BadRequest("count must be between 1 and 100000")
    grants = emulator.mint_grants(
        count,
        app=data.get("consumer_key"),
        user=data.get("user_id"),
        scopes=data.get("scopes"),
        separate=data.get("separate"),
    )
    return json_response({"grants": grants})


@_guarded
def revoke_grants(ctx: EmulatorApp, request: Request) -> Response:
    """POST /_emulator/revoke_grants {"grant_id"|"user_id"|"consumer_key"|"refresh_token"}."""
    data = _body(request)
    selectors = {
        "grant_id": lambda g, v: g.grant_id == int(v),
        "user_id": lambda g, v: g.user.user_id == v,
        "consumer_key": lambda g, v: g.app.consumer_key == v,
        "refresh_token": lambda g, v: v == g.refresh_token or v in g.retired_refresh_tokens,
    }
    chosen = {key: value for key, value in data.items() if key in selectors}
    if not chosen or set(data) - set(selectors):
        raise BadRequest(f"give one or more of {', '.join(selectors)}")
    revoked = 0
    for grant in ctx.emulator.grants:
        if not grant.revoked and all(selectors[k](grant, v) for k, v in chosen.items()):
            ctx.emulator.revoke_grant(grant, "revoked by an admin")
            revoked += 1
    return json_response({"revoked": revoked})


@_guarded
def update_user(ctx: EmulatorApp, request: Request, user_id: str) -> Response:
    """POST /_emulator/users/<user_id> {"active": false, "password": "...",
    "approve_uninstalled_apps": true}."""
    data = _body(request)
    user = ctx.store.users.get(user_id)
    if user is None:
        raise LookupError(user_id)
    if set(data) - {"active", "password", "approve_uninstalled_apps"}:
        raise BadRequest("only active, password and approve_uninstalled_apps can be changed")
    if "active" in data:
        user.active = bool(data["active"])
    if "password" in data:
        user.password = str(data["password"])
    if "approve_uninstalled_apps" in data:
        user.approve_uninstalled_apps = bool(data["approve_uninstalled_apps"])
    return json_response(
        {
            "user_id": user.user_id,
            "active": user.active,
            "approve_uninstalled_apps": user.approve_uninstalled_apps,
        }
    )


@_guarded
def update_org(ctx: EmulatorApp, request: Request, org_id: str) -> Response:
    """POST /_emulator/orgs/<org_id> {"active": false}."""
    data = _body(request)
    org = ctx.store.orgs.get(org_id)
    if org is None:
        raise LookupError(org_id)
    if set(data) - {"active"}:
        raise BadRequest("only active can be changed")
    org.active = bool(data.get("active", org.active))
    return json_response({"org_id": org.org_id, "active": org.active})


@_guarded
def add_app(ctx: EmulatorApp, request: Request) -> Response:
    """POST /_emulator/apps {"org_id", "consumer_key", "consumer_secret", settings...}: a new
    External Client App in the org (default: the demo org); key and secret are generated
    when left out. Answers 201 with the key and the secret."""
    data = _body(request)
    unknown = set(data) - {"org_id", "consumer_key", "consumer_secret"} - APP_POLICY_FIELDS
    if unknown:
        raise BadRequest(f"unknown app settings: {', '.join(sorted(unknown))}")
    org = data.pop("org_id", None) or ctx.emulator.demo_org
    app = ctx.emulator.add_app(org, **data)
    body = {
        "consumer_key": app.consumer_key,
        "consumer_secret": app.consumer_secret,
        "org_id": app.org.org_id,
    }
    return json_response(body, status=201)


@_guarded
def update_app(ctx: EmulatorApp, request: Request, consumer_key: str) -> Response:
    """POST /_emulator/apps/<consumer_key> {policy fields} such as ip_allowlist."""
    data = _body(request)
    app = ctx.store.apps.get(consumer_key)
    if app is None:
        raise LookupError(consumer_key)
    unknown = set(data) - APP_POLICY_FIELDS
    if unknown:
        raise BadRequest(f"unknown app settings: {', '.join(sorted(unknown))}")
    if "callback_urls" in data:
        data["callback_urls"] = string_list(data["callback_urls"], "callback_urls")
        if not data["callback_urls"]:
            raise BadRequest("an External Client App needs at least one callback URL")
    if data.get("ip_allowlist") is not None:
        data["ip_allowlist"] = string_list(data["ip_allowlist"], "ip_allowlist")
        parse_networks(tuple(data["ip_allowlist"]))
    if "scopes" in data:
        data["scopes"] = parse_scopes(data["scopes"])
    for key, value in data.items():
        setattr(app, key, value)
    return json_response({"consumer_key": app.consumer_key, "updated": sorted(data)})
