"""Entra ID endpoints under `/{tenant}/`: authorize (+ sign-in and consent pages), adminconsent,
token, the OpenID configuration and the JWKS.

https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import time
from typing import TYPE_CHECKING
from urllib.parse import unquote

from werkzeug.wrappers import Request, Response

from . import authorize as flow
from . import errors, pages, token_flow
from .authorize import Step
from .errors import EntraError, PageError
from .faults import Fault
from .issue import issuer
from .responses import (
    correlation_id,
    error_fields,
    html_response,
    json_response,
    redirect_response,
    token_error,
)

if TYPE_CHECKING:
    from .app import EmulatorApp

SESSION_COOKIE = "emulator_session"  # stands in for Entra's ESTSAUTH single sign-on cookie
FORM = "application/x-www-form-urlencoded"


def _page_error(ctx: EmulatorApp, exc: PageError) -> Response:
    return html_response(pages.error_page(error_fields(ctx.store, exc.error)), status=400)


def _render(ctx: EmulatorApp, step: Step, username: str = "") -> Response:
    if step.redirect is not None:
        response = redirect_response(step.redirect.uri, step.redirect.params)
    else:
        pending = step.pending
        assert pending is not None
        user = pending.user
        if step.page == "login":
            html = pages.login_page(pending, step.message, username)
        elif step.page == "consent":
            html = pages.consent_page(pending, user)
        elif step.page == "blocked":
            html = pages.blocked_page(pending, user)
        else:
            html = pages.admin_consent_page(pending, user)
        response = html_response(html)
    if step.pending is not None and step.pending.user is not None and step.message is None:
        session = secrets.token_urlsafe(24)
        with ctx.store.lock:
            ctx.store.sessions[session] = step.pending.user
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="Lax")
    return response


def authorize(ctx: EmulatorApp, request: Request, tenant: str) -> Response:
    """GET /{tenant}/oauth2/v2.0/authorize."""
    with ctx.store.lock:
        session_user = ctx.store.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    try:
        step = flow.start(ctx.store, tenant, request.args.to_dict(), session_user)
    except PageError as exc:
        return _page_error(ctx, exc)
    return _render(ctx, step, request.args.get("login_hint", ""))


def admin_consent(ctx: EmulatorApp, request: Request, tenant: str) -> Response:
    """GET /{tenant}/adminconsent and /{tenant}/v2.0/adminconsent."""
    try:
        step = flow.start_admin_consent(ctx.store, tenant, request.args.to_dict())
    except PageError as exc:
        return _page_error(ctx, exc)
    return _render(ctx, step)


def login(ctx: EmulatorApp, request: Request) -> Response:
    """POST /login from the sign-in form."""
    username = request.form.get("username", "")
    try:
        step = flow.sign_in(
            ctx.store, request.form.get("pending", ""), username, request.form.get("password", "")
        )
    except PageError as exc:
        return _page_error(ctx, exc)
    return _render(ctx, step, username)


def consent(ctx: EmulatorApp, request: Request) -> Response:
    """POST /consent from the consent, "Need admin approval" and admin-consent pages."""
    try:
        step = flow.decide(
            ctx.store,
            request.form.get("pending", ""),
            request.form.get("decision", ""),
            for_organization=request.form.get("for_organization") == "1",
        )
    except PageError as exc:
        return _page_error(ctx, exc)
    return _render(ctx, step)


# Token -------------------------------------------------------------------------------------------


def _basic(request: Request) -> tuple[str, str] | None:
    auth = request.authorization
    if auth is None or auth.type != "basic":
        return None
    return unquote(auth.username or ""), unquote(auth.password or "")


def token(ctx: EmulatorApp, request: Request, tenant: str) -> Response:
    """POST /{tenant}/oauth2/v2.0/token (form-encoded): authorization_code or refresh_token."""
    store = ctx.store
    record = store.record()
    correlation = correlation_id(request.headers.get("client-request-id"))
    form = request.form.to_dict() if request.mimetype == FORM else {}
    record.grant_type = form.get("grant_type")
    record.client_id = form.get("client_id")
    fault = store.faults.take("token")
    if fault is not None:
        record.fault = f"{fault.status}" if not fault.drop else "drop"
        spoiled = fault_response(request, fault, token_fault_body)
        if spoiled is not None:
            record.status = spoiled.status_code
            return spoiled
    try:
        if request.mimetype != FORM:
            raise errors.malformed("the body must be application/x-www-form-urlencoded")
        grant_type = form.get("grant_type")
        if not grant_type:
            raise errors.missing_parameter("grant_type")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise errors.unsupported_grant_type(grant_type)
        flow.tenant_for_path(store, tenant)
        app = token_flow.authenticate_client(store, tenant, form, _basic(request))
        grant = (
            token_flow.exchange_code if grant_type == "authorization_code" else token_flow.refresh
        )
        response = json_response(grant(store, tenant, app, form, record))
    except PageError as exc:
        record.error_code = exc.error.code
        response = token_error(store, exc.error, correlation)
    except EntraError as exc:
        record.error_code = exc.code
        response = token_error(store, exc, correlation)
    response.headers["client-request-id"] = correlation
    response.headers["Cache-Control"] = "no-store, no-cache"
    record.status = response.status_code
    return response


def token_fault_body(status: int) -> dict:
    """An Entra-shaped body for injected token faults (the codes are the emulator's choice)."""
    error = "temporarily_unavailable" if status in (429, 503) else "server_error"
    text = "Too many requests." if status == 429 else "The service is temporarily unavailable."
    return {"error": error, "error_description": f"{text} (injected by the emulator)"}


def fault_response(request: Request, fault: Fault, default_body) -> Response | None:
    """Apply a fault: sleep `hang`, then drop the socket or answer; None = answer normally."""
    if fault.hang > 0:
        time.sleep(fault.hang)
    if fault.drop:
        sock = request.environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return Response(b"", status=500)  # never reaches the client
    if fault.status is None:
        return None
    body = fault.body if fault.body is not None else default_body(fault.status)
    headers = {}
    if fault.retry_after is not None or fault.status == 429:
        headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
    if isinstance(body, dict | list):
        return json_response(body, status=fault.status, headers=headers)
    return Response(str(body), status=fault.status, mimetype="text/html", headers=headers)


# Discovery documents -----------------------------------------------------------------------------


def openid_configuration(ctx: EmulatorApp, request: Request, tenant: str) -> Response:
    """GET /{tenant}/v2.0/.well-known/openid-configuration. Like Entra's, it has no
    `code_challenge_methods_supported`, so a client must not infer "no PKCE" from its absence."""
    store = ctx.store
    try:
        found = flow.tenant_for_path(store, tenant)
    except PageError as exc:
        return json_response(error_fields(store, exc.error), status=400)
    base = f"{store.base_url}/{tenant}"
    document = {
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer(store, found.tenant_id if found else "{tenantid}"),
        "request_uri_parameter_supported": False,
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "nonce",
            "preferred_username",
            "name",
            "tid",
            "ver",
            "oid",
        ],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "emulator.local",
    }
    return json_response(document)


def jwks(ctx: EmulatorApp, request: Request, tenant: str) -> Response:
    """GET /{tenant}/discovery/v2.0/keys: the public signing key of every JWT the emulator makes."""
    store = ctx.store
    try:
        found = flow.tenant_for_path(store, tenant)
    except PageError as exc:
        return json_response(error_fields(store, exc.error), status=400)
    key_issuer = issuer(store, found.tenant_id if found else "{tenantid}")
    return json_response({"keys": [store.key.jwk(key_issuer)]})


def logout(ctx: EmulatorApp, request: Request, tenant: str) -> Response:
    """GET /{tenant}/oauth2/v2.0/logout: ends the single sign-on session (the cookie)."""
    with ctx.store.lock:
        ctx.store.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
    target = request.args.get("post_logout_redirect_uri")
    response = html_response(pages.signed_out_page())
    if target and any(
        target == uri for app in ctx.store.apps.values() for uri in app.redirect_uris
    ):
        response = redirect_response(target, {})
    response.delete_cookie(SESSION_COOKIE)
    return response


def error_code(ctx: EmulatorApp, request: Request) -> Response:
    """GET /error?code=N: where `error_uri` points."""
    code = request.args.get("code", "")
    return html_response(pages.error_code_page(code if code.isdigit() else "?"))
