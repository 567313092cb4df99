"""OAuth endpoints: authorize (+ sign-in, Allow/Deny), token, revoke (docs/salesforce-protocol.md,
"Token requests")."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from werkzeug.wrappers import Request, Response

from . import authorize as authorize_flow
from . import errors, flows, pages
from .authorize import AuthorizePageError, AuthorizeRedirect, AuthorizeServerError
from .errors import OAuthError
from .faults import Fault

if TYPE_CHECKING:
    from .app import EmulatorApp

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
DEFAULT_FAULT_BODIES = {
    500: "<html><body><h1>An internal server error has occurred</h1></body></html>",
    503: "<html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1>"
    "<p>The server is temporarily unable to service your request due to maintenance downtime "
    "or capacity problems. Please try again later.</p></body></html>",
    429: {"error": "rate_limit_exceeded", "error_description": "rate limit exceeded"},
}


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def html_response(html: str, status: int = 200) -> Response:
    return Response(html, status=status, mimetype="text/html")


def redirect_to(redirect: AuthorizeRedirect) -> Response:
    separator = "&" if "?" in redirect.redirect_uri else "?"
    location = redirect.redirect_uri + separator + urlencode(redirect.params)
    return Response("", status=302, headers={"Location": location})


# Authorize ---------------------------------------------------------------------------------------


def authorize(ctx: EmulatorApp, request: Request) -> Response:
    """GET /services/oauth2/authorize: validate, then show the sign-in form (always, any prompt)."""
    try:
        pending = authorize_flow.start_authorization(ctx.store, request.args.to_dict())
    except AuthorizePageError as exc:
        return html_response(pages.error_page(exc.error, exc.description), status=400)
    except AuthorizeRedirect as redirect:
        return redirect_to(redirect)
    return html_response(pages.login_page(pending, username=request.args.get("login_hint", "")))


def login(ctx: EmulatorApp, request: Request) -> Response:
    """POST /login from the sign-in form; wrong credentials show the form again."""
    pending_id = request.form.get("pending", "")
    username = request.form.get("username", "")
    try:
        message = authorize_flow.sign_in(
            ctx.store, pending_id, username, request.form.get("password", "")
        )
        pending = authorize_flow.get_pending(ctx.store, pending_id)
    except AuthorizePageError as exc:
        return html_response(pages.error_page(exc.error, exc.description), status=400)
    except AuthorizeRedirect as redirect:
        return redirect_to(redirect)
    if message is not None:
        return html_response(pages.login_page(pending, error=message, username=username))
    return html_response(pages.consent_page(pending, pending.user))


def consent(ctx: EmulatorApp, request: Request) -> Response:
    """POST /services/oauth2/consent from the Allow/Deny page."""
    allow = request.form.get("decision") == "allow"
    try:
        redirect = authorize_flow.decide(ctx.store, request.form.get("pending", ""), allow)
    except AuthorizePageError as exc:
        return html_response(pages.error_page(exc.error, exc.description), status=400)
    except AuthorizeRedirect as raised:
        redirect = raised
    except AuthorizeServerError:
        return html_response(DEFAULT_FAULT_BODIES[500], status=500)
    return redirect_to(redirect)


# Token -------------------------------------------------------------------------------------------


def _client_credentials(request: Request) -> tuple[str | None, str | None]:
    """Body or HTTP Basic (docs/salesforce-protocol.md, "Token requests"); both at once must
    agree."""
    client_id = request.form.get("client_id")
    client_secret = request.form.get("client_secret")
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        if (client_id and client_id != unquote(auth.username or "")) or (
            client_secret and client_secret != unquote(auth.password or "")
        ):
            raise errors.invalid_client()
        # RFC 6749 §2.3.1: Basic credentials are form-urlencoded first (a no-op for real keys).
        client_id, client_secret = unquote(auth.username or ""), unquote(auth.password or "")
    return client_id, client_secret


def _grant_tokens(ctx: EmulatorApp, request: Request, record) -> dict:
    store = ctx.store
    if request.mimetype != FORM_CONTENT_TYPE:
        # e.g. a JSON body (docs/salesforce-protocol.md, "Token requests")
        raise errors.unsupported_grant_type()
    form = request.form
    record.grant_type = form.get("grant_type")
    if record.grant_type not in ("authorization_code", "refresh_token"):
        raise errors.unsupported_grant_type()
    client_id, client_secret = _client_credentials(request)
    record.client_id = client_id
    remote_addr = request.remote_addr or ""
    if record.grant_type == "authorization_code":
        if store.latency > 0:
            time.sleep(store.latency)
        app = flows.authenticate_client(
            store, client_id, client_secret, secret_required=_app_flag(store, client_id, "web")
        )
        return flows.exchange_code(
            store,
            app,
            form.get("code", ""),
            form.get("redirect_uri"),
            form.get("code_verifier"),
            remote_addr,
        )
    app = flows.authenticate_client(
        store, client_id, client_secret, secret_required=_app_flag(store, client_id, "refresh")
    )
    presented = form.get("refresh_token", "")  # a `scope` parameter is accepted and ignored
    grant = flows.begin_refresh(store, app, presented, remote_addr)
    try:
        # The token stays "being processed" for this long, so a parallel request can collide
        # (docs/salesforce-protocol.md, "Refresh token rotation").
        pause = store.latency + store.token_processing_seconds
        if pause > 0:
            time.sleep(pause)
    except BaseException:
        flows.release_refresh(store, grant)
        raise
    return flows.finish_refresh(store, grant, presented)


def _app_flag(store, client_id: str | None, flow: str) -> bool:
    app = store.apps.get(client_id or "")
    if app is None:
        return False
    return app.require_secret_web_server if flow == "web" else app.require_secret_refresh


def _fault_response(request: Request, fault: Fault) -> Response | None:
    """Apply a fault; None means answer normally."""
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
    body = fault.body if fault.body is not None else DEFAULT_FAULT_BODIES.get(fault.status)
    if body is None:
        body = {"error": "server_error", "error_description": "injected fault"}
    if isinstance(body, dict | list):
        return json_response(body, status=fault.status)
    return html_response(str(body), status=fault.status)


def token(ctx: EmulatorApp, request: Request) -> Response:
    """POST /services/oauth2/token: authorization_code and refresh_token grants, plus faults."""
    record = ctx.store.record(request.method, request.path, request.remote_addr or "")
    fault = ctx.store.faults.take()
    if fault is not None:
        record.fault = fault.describe()
        if not fault.commit:
            spoiled = _fault_response(request, fault)
            if spoiled is not None:
                record.status, record.outcome = spoiled.status_code, "fault"
                return spoiled
    try:
        response = json_response(_grant_tokens(ctx, request, record))
    except OAuthError as exc:
        record.outcome, record.error_description = exc.error, exc.description
        response = json_response(exc.as_json(), status=exc.status)
    if fault is not None and fault.commit:
        spoiled = _fault_response(request, fault)
        if spoiled is not None:
            record.status, record.outcome = spoiled.status_code, "fault"
            return spoiled
    record.status = response.status_code
    return response


# Revoke ------------------------------------------------------------------------------------------


def revoke(ctx: EmulatorApp, request: Request) -> Response:
    """POST form `token=` (or GET `?token=`): 200 on success, else 400 invalid_token
    (docs/salesforce-protocol.md, "Endpoints")."""
    record = ctx.store.record(request.method, request.path, request.remote_addr or "")
    token_value = (
        request.form.get("token") if request.method == "POST" else request.args.get("token")
    )
    try:
        flows.revoke_token(ctx.store, token_value)
    except OAuthError as exc:
        record.status, record.outcome, record.error_description = 400, exc.error, exc.description
        return json_response(exc.as_json(), status=exc.status)
    record.status = 200
    return Response("", status=200)
