"""The authorize side: request checks, sign-in, consent, the admin-consent endpoint, and codes.

https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent
https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-user-consent
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from . import errors
from . import scopes as scope_rules
from .errors import EntraError, PageError
from .models import App, AuthCode, PendingSignIn, Tenant, User
from .responses import error_fields
from .store import Store

AUTHORITY_ALIASES = ("common", "organizations")
PROMPTS = ("none", "login", "consent", "select_account")
CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url of a SHA-256 digest, no padding


@dataclass
class Redirect:
    """A 302 to the app: `params` are the query parameters (error or success)."""

    uri: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Step:
    """What the browser sees next: a page kind ("login", "consent", "blocked", "admin_consent")
    with an optional form error, or a redirect."""

    page: str | None = None
    pending: PendingSignIn | None = None
    message: str | None = None
    redirect: Redirect | None = None


def tenant_for_path(store: Store, tenant_path: str) -> Tenant | None:
    """None for `common`/`organizations`; PageError (AADSTS90002) for an unknown tenant."""
    if tenant_path.lower() in AUTHORITY_ALIASES:
        return None
    tenant = store.find_tenant(tenant_path)
    if tenant is None:
        raise PageError(errors.tenant_not_found(tenant_path))
    return tenant


def _trusted_request(
    store: Store, kind: str, tenant_path: str, args: dict[str, str]
) -> PendingSignIn:
    """Checks before anything may be redirected (tenant, app, exact redirect URI); returns the
    sign-in to keep while the pages run. PageError otherwise."""
    tenant_for_path(store, tenant_path)
    client_id = args.get("client_id", "")
    if not client_id:
        raise PageError(errors.missing_parameter("client_id"))
    app = store.apps.get(client_id.lower())
    if app is None:
        raise PageError(errors.app_not_found(client_id, tenant_path))
    redirect_uri = args.get("redirect_uri", "")
    if not redirect_uri:
        raise PageError(errors.missing_parameter("redirect_uri"))
    if redirect_uri not in app.redirect_uris:
        raise PageError(errors.redirect_mismatch(redirect_uri, app.client_id))
    return PendingSignIn(
        pending_id=secrets.token_urlsafe(24),
        kind=kind,
        app=app,
        tenant_path=tenant_path,
        redirect_uri=redirect_uri,
        state=args.get("state"),
        params=args,
    )


def _check_pkce(app: App, args: dict[str, str]) -> None:
    challenge, method = args.get("code_challenge"), args.get("code_challenge_method")
    if challenge is None:
        if method is not None:
            raise errors.missing_parameter("code_challenge")
        if app.require_pkce:
            raise errors.malformed("code_challenge is required: this emulator's app requires PKCE")
        return
    if method != "S256":
        # Entra also takes `plain` (and a missing method means plain, RFC 7636 §4.3); the emulator
        # refuses it so a client that silently downgrades is caught.
        raise errors.malformed(f"code_challenge_method '{method or 'plain'}' is refused: S256 only")
    if not CHALLENGE.match(challenge):
        raise errors.malformed("code_challenge must be 43 base64url characters (S256)")


def start(store: Store, tenant_path: str, args: dict[str, str], session_user: User | None) -> Step:
    """GET authorize. PageError for untrusted requests; otherwise a redirect or the sign-in page."""
    pending = _trusted_request(store, "authorize", tenant_path, args)
    app, redirect_uri, state = pending.app, pending.redirect_uri, pending.state
    try:
        response_type = args.get("response_type")
        if not response_type:
            raise errors.missing_parameter("response_type")
        if response_type != "code":
            raise errors.unsupported_response_type(response_type)
        if args.get("response_mode", "query") != "query":
            raise errors.malformed("only response_mode=query is emulated")
        pending.resource, pending.scopes = scope_rules.parse(store, args.get("scope"), tenant_path)
        _check_pkce(app, args)
        prompt = args.get("prompt")
        if prompt is not None and prompt not in PROMPTS:
            raise errors.malformed(f"unsupported prompt '{prompt}'")
        if prompt == "none":
            return Step(redirect=_silent(store, pending, session_user))
    except EntraError as exc:
        return Step(redirect=error_redirect(store, redirect_uri, exc, state))
    with store.lock:
        store.pending[pending.pending_id] = pending
    return Step(page="login", pending=pending)


def _silent(store: Store, pending: PendingSignIn, user: User | None) -> Redirect:
    path_tenant = tenant_for_path(store, pending.tenant_path)
    if user is None or (path_tenant is not None and user.tenant is not path_tenant):
        raise errors.login_required()
    if not has_consent(user, pending.app):
        raise errors.consent_required(pending.app.client_id, pending.app.name)
    if user.interaction_required:
        raise errors.mfa_registration_required(pending.resource or "")
    pending.user = user
    return _code_redirect(store, pending)


def start_admin_consent(store: Store, tenant_path: str, args: dict[str, str]) -> Step:
    """GET /{tenant}/adminconsent: same trust checks, then an administrator signs in."""
    pending = _trusted_request(store, "adminconsent", tenant_path, args)
    with store.lock:
        store.pending[pending.pending_id] = pending
    return Step(page="login", pending=pending)


def get_pending(store: Store, pending_id: str) -> PendingSignIn:
    with store.lock:
        pending = store.pending.get(pending_id)
    if pending is None:
        raise PageError(errors.malformed("the sign-in session expired; start again"))
    return pending


def has_consent(user: User, app: App) -> bool:
    return app.client_id in user.tenant.admin_consented or app.client_id in user.consented


def sign_in(store: Store, pending_id: str, username: str, password: str) -> Step:
    """POST of the sign-in form: a form error, or the consent / blocked page, or a redirect."""
    pending = get_pending(store, pending_id)
    user = store.find_user(username) if username else None
    path_tenant = tenant_for_path(store, pending.tenant_path)
    if user is None:
        label = path_tenant.domain if path_tenant else "organizations"
        return _form_error(pending, errors.unknown_user(username, label))
    if user.password != password:
        return _form_error(pending, errors.bad_password())
    if path_tenant is not None and user.tenant is not path_tenant:
        return _form_error(pending, errors.wrong_tenant_user(username, path_tenant.domain))
    if not user.account_enabled:
        return _form_error(pending, errors.user_disabled())
    pending.user = user
    user.interaction_required = False  # an interactive sign-in completes the required step
    if pending.kind == "adminconsent":
        if not user.admin:
            return _finish(store, pending, error=errors.admin_consent_required())
        return Step(page="admin_consent", pending=pending)
    if has_consent(user, pending.app) and pending.params.get("prompt") != "consent":
        return _finish(store, pending)
    if not user.tenant.user_consent_allowed and not user.admin:
        return Step(page="blocked", pending=pending)
    return Step(page="consent", pending=pending)


def _form_error(pending: PendingSignIn, error: EntraError) -> Step:
    return Step(page="login", pending=pending, message=f"AADSTS{error.code}: {error.text}")


def decide(store: Store, pending_id: str, decision: str, for_organization: bool = False) -> Step:
    """POST of the consent, "Need admin approval" or admin-consent page."""
    pending = get_pending(store, pending_id)
    user = pending.user
    if user is None:
        raise PageError(errors.malformed("sign in first"))
    if decision == "blocked":
        return _finish(store, pending, error=errors.admin_consent_required())
    if decision != "accept":
        error = errors.declined()
        if pending.kind == "adminconsent":
            error.extra["admin_consent"] = "False"
        return _finish(store, pending, error=error)
    if pending.kind == "adminconsent" or (for_organization and user.admin):
        user.tenant.admin_consented.add(pending.app.client_id)
    elif not user.tenant.user_consent_allowed and not user.admin:
        return _finish(store, pending, error=errors.admin_consent_required())
    else:
        user.consented.add(pending.app.client_id)
    if pending.kind == "adminconsent":
        params = {"admin_consent": "True", "tenant": user.tenant.tenant_id}
        return _finish(store, pending, params=params)
    return _finish(store, pending)


def _finish(
    store: Store,
    pending: PendingSignIn,
    error: EntraError | None = None,
    params: dict[str, str] | None = None,
) -> Step:
    with store.lock:
        store.pending.pop(pending.pending_id, None)
    if error is not None:
        return Step(redirect=error_redirect(store, pending.redirect_uri, error, pending.state))
    if params is not None:
        if pending.state is not None:
            params["state"] = pending.state
        return Step(redirect=Redirect(pending.redirect_uri, params))
    return Step(redirect=_code_redirect(store, pending))


def _code_redirect(store: Store, pending: PendingSignIn) -> Redirect:
    assert pending.user is not None and pending.resource is not None
    code = AuthCode(
        code=secrets.token_urlsafe(64),
        app=pending.app,
        user=pending.user,
        redirect_uri=pending.redirect_uri,
        resource=pending.resource,
        scopes=pending.scopes,
        code_challenge=pending.params.get("code_challenge"),
        code_challenge_method=pending.params.get("code_challenge_method"),
        nonce=pending.params.get("nonce"),
        issued_at=store.clock.now(),
    )
    with store.lock:
        store.codes[code.code] = code
    params = {"code": code.code, "session_state": secrets.token_hex(16)}
    if pending.state is not None:
        params["state"] = pending.state
    return Redirect(pending.redirect_uri, params)


def error_redirect(store: Store, uri: str, error: EntraError, state: str | None) -> Redirect:
    fields = error_fields(store, error)
    params = {
        "error": error.error,
        "error_description": fields["error_description"],
        "error_uri": fields["error_uri"],
        **error.extra,
    }
    if state is not None:
        params["state"] = state
    return Redirect(uri, params)
