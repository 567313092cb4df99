"""Token, revoke and access-token rules, strict wherever Salesforce is (docs/salesforce-protocol.md,
"Token requests").

Each function takes the `Store`, checks a request against the current app policy and the
emulator clock, and either changes state or raises. Nothing here sleeps while holding the store
lock: a refresh is split into `begin_refresh` (claims the token) and `finish_refresh`, so the
caller can wait in between.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from . import errors
from .authorize import PKCE_VALUE
from .errors import InvalidSession, OAuthError
from .models import AccessToken, App, AuthCode, Grant, User
from .store import Store

CODE_TTL_SECONDS = 15 * 60  # single use, 15 minutes: docs/salesforce-protocol.md, "Token requests"


def authenticate_client(
    store: Store, client_id: str | None, client_secret: str | None, secret_required: bool
) -> App:
    """The consumer key must exist; the secret must match if sent and be sent if required
    (docs/salesforce-protocol.md, "Token requests");
    the app must be installed in its org (else OAUTH_EC_APP_NOT_FOUND, code and refresh alike)."""
    app = store.apps.get(client_id or "")
    if app is None:
        raise errors.invalid_client_id()
    if client_secret is None:
        if secret_required:
            raise errors.invalid_client()
    elif not hmac.compare_digest(client_secret.encode(), app.consumer_secret.encode()):
        raise errors.invalid_client()
    if not app.installed:
        raise errors.app_not_installed()
    return app


def _check_account(user: User) -> None:
    if not user.org.active:
        raise errors.invalid_grant(errors.INACTIVE_ORG)
    if not user.active:
        raise errors.invalid_grant(errors.INACTIVE_USER)


def _verifier_matches(code: AuthCode, verifier: str | None) -> bool:
    # S256 only. A challenge sent without its method never verifies: that is how clients that
    # left out code_challenge_method got "invalid code verifier" (docs/salesforce-protocol.md,
    # "Authorize request and PKCE", "Errors").
    if not verifier or not PKCE_VALUE.fullmatch(verifier) or code.code_challenge_method != "S256":
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(expected, code.code_challenge or "")


def exchange_code(
    store: Store,
    app: App,
    code_value: str,
    redirect_uri: str | None,
    code_verifier: str | None,
    remote_addr: str,
) -> dict:
    """grant_type=authorization_code (docs/salesforce-protocol.md, "Token requests"): single
    use, 15 min, same redirect_uri, PKCE, IPs."""
    with store.lock:
        if not app.allows_ip(remote_addr):
            raise errors.invalid_grant(errors.IP_RESTRICTED)
        code = store.codes.get(code_value or "")
        if code is None or code.app is not app:
            raise errors.invalid_grant(errors.EXPIRED_CODE)
        if code.used:
            # RFC 6749 §4.1.2: a reused code SHOULD revoke the tokens issued from it.
            if code.grant is not None:
                store.revoke_grant(code.grant, "authorization code was reused")
            raise errors.invalid_grant(errors.EXPIRED_CODE)
        if store.clock.now() - code.created > CODE_TTL_SECONDS:
            del store.codes[code.code]
            raise errors.invalid_grant(errors.EXPIRED_CODE)
        if redirect_uri != code.redirect_uri:
            raise errors.redirect_uri_mismatch()
        if code.code_challenge is not None and not _verifier_matches(code, code_verifier):
            raise errors.invalid_grant(errors.BAD_CODE_VERIFIER)
        _check_account(code.user)
        code.used = True
        grant = store.create_grant(code.user, app, code.scopes)
        code.grant = grant
        access = store.issue_access_token(grant)
        return store.token_response(grant, access, grant.refresh_token)


def begin_refresh(store: Store, app: App, presented: str | None, remote_addr: str) -> Grant:
    """Claim a refresh token for one request (Summer '24: one token request at a time,
    docs/salesforce-protocol.md, "Concurrent token requests")."""
    with store.lock:
        if not app.allows_ip(remote_addr):
            raise errors.invalid_grant(errors.IP_RESTRICTED)
        grant = store.grants_by_refresh_token.get(presented or "")
        if grant is None or grant.app is not app or grant.revoked:
            raise errors.invalid_grant(errors.EXPIRED_TOKEN)
        if presented != grant.refresh_token:
            # A replayed rotated-out token: Salesforce revokes the current one and its access tokens
            # (docs/salesforce-protocol.md, "Refresh token rotation").
            store.revoke_grant(grant, "rotated-out refresh token was replayed")
            raise errors.invalid_grant(errors.EXPIRED_TOKEN)
        if grant.processing:
            raise errors.invalid_grant(errors.ALREADY_PROCESSING)
        if grant.is_idle_expired(store.clock.now()):
            store.revoke_grant(grant, "idle refresh token TTL passed")
            raise errors.invalid_grant(errors.EXPIRED_TOKEN)
        _check_account(grant.user)
        grant.processing = True
        return grant


def finish_refresh(store: Store, grant: Grant, presented: str) -> dict:
    """Complete a claimed refresh: a new access token, with rotation a new refresh token
    (docs/salesforce-protocol.md, "Refresh token rotation")."""
    with store.lock:
        grant.processing = False
        if grant.revoked or grant.refresh_token != presented:
            raise errors.invalid_grant(errors.EXPIRED_TOKEN)
        _check_account(grant.user)
        # the idle TTL is a sliding window (docs/salesforce-protocol.md, "Refresh token policy and
        # idle TTL")
        grant.last_used = store.clock.now()
        new_refresh = (
            store.rotate_refresh_token(grant) if grant.app.refresh_token_rotation else None
        )
        access = store.issue_access_token(grant)
        return store.token_response(grant, access, new_refresh)


def release_refresh(store: Store, grant: Grant) -> None:
    with store.lock:
        grant.processing = False


# Revoke and API access ----------------------------------------------------------------------------


def revoke_token(store: Store, token: str | None) -> None:
    """/services/oauth2/revoke (docs/salesforce-protocol.md, "Endpoints"): an access token
    alone, or a refresh token with its grant."""
    with store.lock:
        access = store.access_tokens.get(token or "")
        if access is not None and not access.revoked and not access.grant.revoked:
            access.revoked = True
            return
        grant = store.grants_by_refresh_token.get(token or "")
        if grant is not None and not grant.revoked:
            store.revoke_grant(grant, "revoked through /services/oauth2/revoke")
            return
    raise OAuthError("invalid_token", "invalid token")


def authenticate_access(store: Store, token: str | None) -> AccessToken:
    """A live access token, its inactivity timer restarted (docs/salesforce-protocol.md,
    "Access-token lifetime"); else InvalidSession."""
    with store.lock:
        access = store.access_tokens.get(token or "")
        if access is None or access.revoked or access.grant.revoked:
            raise InvalidSession
        now = store.clock.now()
        if access.is_expired(now):
            access.revoked = True
            raise InvalidSession
        user = access.grant.user
        if not user.active or not user.org.active:
            raise InvalidSession
        access.last_activity = now
        access.api_calls += 1
        user.org.api_calls += 1
        return access


def authenticate_rest(store: Store, token: str | None) -> AccessToken:
    """`authenticate_access` for the REST API, which also applies the app's session policy: with
    `high_assurance_required` every session of the app is refused, fresh ones included, so a
    refresh can't help (InvalidSession with Salesforce's message)."""
    access = authenticate_access(store, token)
    if access.grant.app.high_assurance_required:
        raise InvalidSession(errors.SESSION_NOT_VALID_FOR_API)
    return access
