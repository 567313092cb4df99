"""The token endpoint's grants: authorization_code and refresh_token, for a confidential client.

https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token
https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from . import errors, issue
from . import scopes as scope_rules
from .authorize import has_consent, tenant_for_path
from .clock import iso
from .models import CODE_LIFETIME, App, TokenRequest, User, fingerprint
from .store import Store


def authenticate_client(
    store: Store, tenant_path: str, form: dict[str, str], basic: tuple[str, str] | None
) -> App:
    """client_id then client_secret (body or HTTP Basic). 700016, 7000218 or 7000215."""
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if basic is not None:
        client_id, secret = client_id or basic[0], secret or basic[1]
    if not client_id:
        raise errors.missing_parameter("client_id")
    app = store.apps.get(client_id.lower())
    if app is None:
        raise errors.app_not_found(client_id, tenant_path)
    if not secret:
        raise errors.missing_secret()
    if not hmac.compare_digest(secret.encode(), app.client_secret.encode()):
        raise errors.bad_secret(app.client_id)
    return app


def _check_user(user: User, resource: str) -> None:
    if not user.account_enabled:
        raise errors.user_disabled()
    if user.interaction_required:
        raise errors.mfa_registration_required(resource)


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def exchange_code(
    store: Store, tenant_path: str, app: App, form: dict[str, str], record: TokenRequest
) -> dict[str, Any]:
    """Single use (a second try gives 54005), 10 minutes (70008), bound to the app, the exact
    redirect URI (500112), the tenant and the PKCE verifier (501481)."""
    value = form.get("code")
    if not value:
        raise errors.missing_parameter("code")
    with store.lock:
        code = store.codes.get(value)
        if code is None or code.app is not app:
            raise errors.invalid_grant()
        if code.used:
            raise errors.code_redeemed()
        code.used = True  # any redemption attempt by the right client uses the code up
    record.resource = code.resource
    if store.clock.now() - code.issued_at > CODE_LIFETIME:
        raise errors.code_expired()
    path_tenant = tenant_for_path(store, tenant_path)
    if path_tenant is not None and path_tenant is not code.user.tenant:
        raise errors.code_other_tenant()
    if form.get("redirect_uri") != code.redirect_uri:
        raise errors.reply_address_mismatch(form.get("redirect_uri"), code.redirect_uri)
    if code.code_challenge is not None:
        verifier = form.get("code_verifier")
        if not verifier:
            raise errors.missing_parameter("code_verifier")
        if not hmac.compare_digest(_s256(verifier), code.code_challenge):
            raise errors.bad_verifier()
    if form.get("scope"):
        resource, _oidc = scope_rules.parse(store, form["scope"], tenant_path)
        if resource != code.resource:
            raise errors.invalid_grant()
    _check_user(code.user, code.resource)
    body, refresh = issue.token_response(
        store, app, code.user, code.resource, code.scopes, nonce=code.nonce
    )
    record.issued = fingerprint(refresh.token) if refresh else None
    return body


def refresh(
    store: Store, tenant_path: str, app: App, form: dict[str, str], record: TokenRequest
) -> dict[str, Any]:
    """Any number of uses; each answers a NEW refresh token and the presented one stays valid
    until its own lifetime (90 days from its issue) runs out: 700082. Then revoked sessions
    (50173), a disabled account (50057) and required interaction (50079)."""
    value = form.get("refresh_token")
    if not value:
        raise errors.missing_parameter("refresh_token")
    with store.lock:
        presented = store.refresh_tokens.get(value)
        if presented is not None:
            record.presented = fingerprint(value)
            record.presented_serial = presented.serial
            record.presented_generation = presented.generation
            record.newest_generation = store.newest_generation[presented.session_id]
            presented.uses += 1
    if presented is None:
        raise errors.malformed("the refresh token is not one this emulator issued")
    if presented.app is not app:
        raise errors.invalid_grant()
    user = presented.user
    path_tenant = tenant_for_path(store, tenant_path)
    if path_tenant is not None and path_tenant is not user.tenant:
        raise errors.invalid_grant()
    now = store.clock.now()
    lifetime = user.tenant.refresh_token_lifetime
    if now - presented.issued_at > lifetime:
        raise errors.refresh_token_inactive(iso(presented.issued_at), lifetime)
    if presented.issued_at < user.tokens_valid_from:
        raise errors.grant_revoked(iso(presented.issued_at), iso(user.tokens_valid_from))
    if not has_consent(user, app):
        raise errors.consent_required(app.client_id, app.name, error="invalid_grant")
    # `scope` is required on a v2 refresh; any consented resource may be named (refresh tokens
    # aren't tied to a resource).
    resource, _oidc = scope_rules.parse(store, form.get("scope"), tenant_path)
    record.resource = resource
    _check_user(user, resource)
    body, new = issue.token_response(store, app, user, resource, presented.scopes, presented)
    record.issued = fingerprint(new.token) if new else None
    return body
