"""The authorize leg: validate the request, sign in, Allow/Deny (docs/salesforce-protocol.md,
"Authorize request and PKCE", "Errors").

Errors come in two kinds: `AuthorizePageError` (no redirect possible: bad client_id or redirect_uri)
and `AuthorizeRedirect` carrying `error` params back to the client's callback.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass

from . import errors
from .models import AuthCode, PendingAuthorization, parse_scopes
from .store import Store

PENDING_TTL_SECONDS = 30 * 60
# RFC 7636 §4.1: 43-128 chars of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"
PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
LOGIN_ERROR = (
    "Please check your username and password. "
    "If you still can't log in, contact your Salesforce administrator."
)


class AuthorizeServerError(Exception):
    """Salesforce's generic HTML 500 page, e.g. after Allow when a PKCE-required app got no
    code challenge: nothing is redirected, so the client never hears about it."""


class AuthorizePageError(Exception):
    """Bad client_id or redirect_uri: Salesforce can't redirect, it shows the error
    (docs/salesforce-protocol.md, "Errors")."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


@dataclass
class AuthorizeRedirect(Exception):
    """An authorize outcome for the client's callback: `code` or `error` (RFC 6749 §4.1.2)."""

    redirect_uri: str
    params: dict[str, str]


def _redirect_error(
    redirect_uri: str, state: str | None, error: str, description: str
) -> AuthorizeRedirect:
    params = {"error": error, "error_description": description}
    if state is not None:
        params["state"] = state
    return AuthorizeRedirect(redirect_uri, params)


def start_authorization(store: Store, args: dict[str, str]) -> PendingAuthorization:
    """Validate an authorize request (docs/salesforce-protocol.md, "Authorize request and PKCE")
    and park it until the user signs in."""
    app = store.apps.get(args.get("client_id", ""))
    if app is None:
        raise AuthorizePageError("invalid_client_id", "client identifier invalid")
    redirect_uri = args.get("redirect_uri", "")
    if redirect_uri not in app.callback_urls:
        raise AuthorizePageError("redirect_uri_mismatch", "redirect_uri must match configuration")
    state = args.get("state")
    if args.get("response_type") != "code":
        raise _redirect_error(
            redirect_uri, state, "unsupported_response_type", "response type not supported"
        )
    scopes = parse_scopes(args.get("scope")) or app.scopes
    if not app.allows_scopes(scopes):
        raise _redirect_error(
            redirect_uri, state, "invalid_scope", "the requested scope is not allowed"
        )
    challenge = args.get("code_challenge") or None
    method = args.get("code_challenge_method") or None
    # A PKCE-required app without any challenge gets as far as Allow, then a generic 500
    # (`decide`). A challenge with the wrong method is refused here.
    if app.require_pkce and challenge and method != "S256":
        raise _redirect_error(
            redirect_uri, state, "invalid_request", "code_challenge_method must be S256"
        )
    # S256 only: "plain" is UNCONFIRMED (docs/salesforce-protocol.md, "Authorize request and PKCE")
    if method not in (None, "S256"):
        raise _redirect_error(
            redirect_uri, state, "invalid_request", "invalid code challenge method"
        )
    if challenge and not PKCE_VALUE.fullmatch(challenge):
        raise _redirect_error(redirect_uri, state, "invalid_request", "invalid code challenge")
    pending = PendingAuthorization(
        pending_id=secrets.token_urlsafe(24),
        app=app,
        redirect_uri=redirect_uri,
        state=state,
        scopes=scopes,
        code_challenge=challenge,
        code_challenge_method=method,
        created=store.clock.now(),
    )
    with store.lock:
        store.pending[pending.pending_id] = pending
    return pending


def get_pending(store: Store, pending_id: str) -> PendingAuthorization:
    with store.lock:
        pending = store.pending.get(pending_id)
        if pending is None or store.clock.now() - pending.created > PENDING_TTL_SECONDS:
            store.pending.pop(pending_id, None)
            raise AuthorizePageError(
                "invalid_request", "this sign-in page expired; start again from the app"
            )
        return pending


def sign_in(store: Store, pending_id: str, username: str, password: str) -> str | None:
    """Check credentials; return an error message to show on the form, or None when signed in."""
    pending = get_pending(store, pending_id)
    user = store.users_by_username.get(username.strip().lower())
    if (
        user is None
        or not hmac.compare_digest(user.password.encode(), password.encode())
        or not user.active
        or not user.org.active
    ):
        return LOGIN_ERROR
    if not pending.app.installed:
        # Raised after a successful login (https://github.com/PipedreamHQ/pipedream/issues/21557).
        with store.lock:
            store.pending.pop(pending_id, None)
        raise _redirect_error(
            pending.redirect_uri,
            pending.state,
            errors.EC_APP_NOT_FOUND,
            errors.EC_APP_NOT_INSTALLED,
        )
    if user.org is not pending.app.org:
        # A Local External Client App only serves users of its own org (docs/salesforce-protocol.md,
        # "Local External Client Apps", "Errors").
        with store.lock:
            store.pending.pop(pending_id, None)
        raise _redirect_error(
            pending.redirect_uri,
            pending.state,
            "OAUTH_AUTHORIZATION_BLOCKED",
            errors.CROSS_ORG_BLOCKED,
        )
    pending.user = user
    return None


def decide(store: Store, pending_id: str, allow: bool) -> AuthorizeRedirect:
    """Allow → a fresh code; Deny → access_denied; either way the state is echoed.

    Allow fails instead for a user who may not approve an app under the uninstalled-app
    restriction (OAUTH_APPROVAL_ERROR_GENERIC), and with a bare HTML 500 (AuthorizeServerError)
    for a PKCE-required app whose request had no code challenge.
    """
    pending = get_pending(store, pending_id)
    if pending.user is None:
        raise AuthorizePageError("invalid_request", "sign in first")
    with store.lock:
        store.pending.pop(pending_id, None)
        if not allow:
            raise _redirect_error(
                pending.redirect_uri, pending.state, "access_denied", errors.DENIED
            )
        if pending.app.uninstalled_app_restricted and not pending.user.approve_uninstalled_apps:
            raise _redirect_error(
                pending.redirect_uri,
                pending.state,
                errors.APPROVAL_ERROR_GENERIC,
                errors.APPROVAL_ERROR_TEXT,
            )
        if pending.app.require_pkce and not pending.code_challenge:
            raise AuthorizeServerError
        code = AuthCode(
            code=secrets.token_urlsafe(48),
            app=pending.app,
            user=pending.user,
            redirect_uri=pending.redirect_uri,
            scopes=pending.scopes,
            code_challenge=pending.code_challenge,
            code_challenge_method=pending.code_challenge_method,
            created=store.clock.now(),
        )
        store.codes[code.code] = code
    params = {"code": code.code}
    if pending.state is not None:
        params["state"] = pending.state
    return AuthorizeRedirect(pending.redirect_uri, params)
