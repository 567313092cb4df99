"""Endpoints called with an access token: identity URL, OIDC userinfo, REST versions and limits.

A bad token answers like Salesforce: identity/userinfo 401 plain text `Bad_OAuth_Token`; REST 401
JSON `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`
(docs/salesforce-protocol.md, "Endpoints", "Access-token lifetime").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from . import flows
from .errors import InvalidSession
from .models import IDENTITY_SCOPES, AccessToken
from .oauth_views import json_response

if TYPE_CHECKING:
    from .app import EmulatorApp
    from .store import Store

VERSIONS = [
    ("58.0", "Summer '23"),
    ("59.0", "Winter '24"),
    ("60.0", "Spring '24"),
    ("61.0", "Summer '24"),
    ("62.0", "Winter '25"),
    ("63.0", "Spring '25"),
    ("64.0", "Summer '25"),
    ("65.0", "Winter '26"),
]
VERSION_SEGMENT = re.compile(r"v\d{2,3}\.\d")
DAILY_API_REQUESTS = 15000
NOT_FOUND = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return None


def _record(store: Store, request: Request, status: int, outcome: str = "ok") -> None:
    entry = store.record(request.method, request.path, request.remote_addr or "")
    entry.status, entry.outcome = status, outcome


def _authenticate_identity(ctx: EmulatorApp, request: Request) -> AccessToken | Response:
    token = _bearer(request) or request.values.get("oauth_token")
    try:
        access = flows.authenticate_access(ctx.store, token)
    except InvalidSession:
        _record(ctx.store, request, 401, "Bad_OAuth_Token")
        return Response("Bad_OAuth_Token", status=401, mimetype="text/plain")
    if not set(access.grant.scopes) & IDENTITY_SCOPES:
        # The identity URL needs the `id` (or openid/profile...) scope ("Endpoints"); body text
        # unconfirmed.
        _record(ctx.store, request, 403, "Insufficient_Privileges")
        return Response("Insufficient_Privileges", status=403, mimetype="text/plain")
    return access


def identity_document(ctx: EmulatorApp, access: AccessToken) -> dict:
    """Shaped like salesforce-samples/identity.json; every URL points at the emulator's base URL."""
    user, base = access.grant.user, ctx.store.base_url
    org = user.org
    first, _, last = user.display_name.partition(" ")
    return {
        "id": ctx.store.identity_url(user),
        "asserted_user": True,
        "user_id": user.user_id,
        "organization_id": org.org_id,
        "username": user.username,
        "nick_name": user.username.split("@")[0],
        "display_name": user.display_name,
        "email": user.email,
        "email_verified": True,
        "first_name": first,
        "last_name": last or first,
        "timezone": "Europe/Amsterdam",
        "active": user.active,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 3600000,
        "last_modified_date": "2026-01-01T09:00:00Z",
        "is_app_installed": True,
        "urls": {
            "enterprise": f"{base}/services/Soap/c/{{version}}/{org.org_id[:15]}",
            "partner": f"{base}/services/Soap/u/{{version}}/{org.org_id[:15]}",
            "rest": f"{base}/services/data/v{{version}}/",
            "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
            "query": f"{base}/services/data/v{{version}}/query/",
            "search": f"{base}/services/data/v{{version}}/search/",
            "limits": f"{base}/services/data/v{{version}}/limits/",
            "profile": f"{base}/{user.user_id}",
            "custom_domain": base,
        },
    }


def identity(ctx: EmulatorApp, request: Request, org_id: str, user_id: str) -> Response:
    """GET /id/<orgId>/<userId>; the path must name the token's own user (else 403)."""
    access = _authenticate_identity(ctx, request)
    if isinstance(access, Response):
        return access
    user = access.grant.user
    if (org_id, user_id) != (user.org.org_id, user.user_id):
        _record(ctx.store, request, 403, "Bad_Id")
        return Response("Bad_Id", status=403, mimetype="text/plain")
    _record(ctx.store, request, 200)
    return json_response(identity_document(ctx, access))


def userinfo(ctx: EmulatorApp, request: Request) -> Response:
    """GET /services/oauth2/userinfo: OpenID Connect claims for the token's user."""
    access = _authenticate_identity(ctx, request)
    if isinstance(access, Response):
        return access
    document = identity_document(ctx, access)
    _record(ctx.store, request, 200)
    return json_response(
        {
            "sub": document["id"],
            "user_id": document["user_id"],
            "organization_id": document["organization_id"],
            "preferred_username": document["username"],
            "nickname": document["nick_name"],
            "name": document["display_name"],
            "given_name": document["first_name"],
            "family_name": document["last_name"],
            "email": document["email"],
            "email_verified": True,
            "zoneinfo": document["timezone"],
            "locale": document["locale"],
            "user_type": document["user_type"],
            "active": document["active"],
            "urls": document["urls"],
        }
    )


def _authenticate_rest(ctx: EmulatorApp, request: Request) -> AccessToken | Response:
    try:
        access = flows.authenticate_rest(ctx.store, _bearer(request))
    except InvalidSession as exc:
        _record(ctx.store, request, 401, "INVALID_SESSION_ID")
        body = [{"message": exc.message, "errorCode": "INVALID_SESSION_ID"}]
        response = json_response(body, status=401)
        response.headers["WWW-Authenticate"] = "Token"
        return response
    _record(ctx.store, request, 200)
    return access


def versions(ctx: EmulatorApp, request: Request) -> Response:
    """GET /services/data/: public on Salesforce; a token, if sent, is checked like any call."""
    if request.headers.get("Authorization"):
        access = _authenticate_rest(ctx, request)
        if isinstance(access, Response):
            return access
    return json_response(
        [{"label": label, "url": f"/services/data/v{v}", "version": v} for v, label in VERSIONS]
    )


def limits(ctx: EmulatorApp, request: Request, version: str) -> Response:
    """GET /services/data/vNN.N/limits: a small limits document; each call counts for the org."""
    if not VERSION_SEGMENT.fullmatch(version):
        return json_response(NOT_FOUND, status=404)
    access = _authenticate_rest(ctx, request)
    if isinstance(access, Response):
        return access
    used = access.grant.user.org.api_calls
    return json_response(
        {
            "DailyApiRequests": {
                "Max": DAILY_API_REQUESTS,
                "Remaining": max(0, DAILY_API_REQUESTS - used),
            },
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
            "FileStorageMB": {"Max": 20, "Remaining": 20},
        }
    )
