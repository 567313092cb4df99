"""Salesforce's token-endpoint errors, classified: one table and ``classify``.

Error codes and texts: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_flow_errors.htm
and docs/salesforce-protocol.md ("Errors"). Steps are those of the setup checklist
(connections/providers/salesforce/templates/connections/salesforce/_checklist.html).
"""

import re
from dataclasses import replace

from django.conf import settings

from ...errors import Classification, ErrorKind
from ..base import InvalidGrant, OAuthError, ProviderError, SignatureMismatch

_SETUP_STEP = re.compile(r"\(setup step (\d+)\)")


def _with_step(kind: ErrorKind, reason: str) -> Classification:
    """A classification whose ``step`` is the setup step its reason names, "(setup step N)":
    for this module's own words only, never Salesforce's."""
    step = _SETUP_STEP.search(reason)
    return Classification(kind, reason, int(step[1]) if step else None)


T, R, M = ErrorKind.TRANSIENT, ErrorKind.NEEDS_REAUTHORIZATION, ErrorKind.MISCONFIGURED

_CONSUMER_FIX = (
    "Salesforce rejected the consumer secret. Re-enter the consumer secret of the External "
    "Client App (setup step 7)."
)
# A refresh whose signature doesn't verify still stored its tokens (keepalive._store), so
# fixing the secret recovers the connection without a new sign-in.
SIGNATURE_MISMATCH = _with_step(
    M,
    "The consumer secret stored in Orgkeeper doesn't match the External Client App's: "
    "Salesforce signed its token response with another secret. Re-enter the consumer secret "
    "under Edit (setup step 7), then Refresh now; the tokens are kept, so no new sign-in is "
    "needed.",
)
# An earlier refresh of the same refresh token never stored its answer (killed worker, lost
# connection) and Salesforce now calls the token expired: with rotation, Salesforce had
# processed that request, and presenting the rotated-out token revoked the grant
# (docs/salesforce-protocol.md, "Refresh token rotation").
REFRESH_TOKEN_LOST = replace(
    _with_step(
        R,
        "Refresh token lost: an earlier refresh reached Salesforce, which replaced the refresh "
        "token, but its answer was lost between Salesforce and Orgkeeper (the worker stopped "
        "or the connection dropped before the new token was saved). Salesforce now refuses "
        "the old token and has revoked this connection's tokens. Re-authorize (sign in to "
        "Salesforce again) to reconnect.",
    ),
    lost=True,
)
# REST refuses every session of the app, fresh ones too (base.SessionPolicyBlocked): the
# refresh token is fine and a new sign-in wouldn't help, so this never asks for one. For
# whatever makes REST calls for a connection (Test connection, an API proxy) after its one
# refresh; the keep-alive's refreshes never see it.
SESSION_POLICY_BLOCKS_API = _with_step(
    M,
    "The app's session policy blocks API use: check the session security level and IP "
    "locking in the External Client App's policies. The refresh token is fine, so no new "
    "sign-in is needed.",
)
EXPIRED_REFRESH_TOKEN = "expired access/refresh token"  # noqa: S105 (an error text)
# The External Client App isn't installed in the org the refresh token belongs to (an admin
# uninstalled it, or a sandbox refresh dropped it): not the token's fault, so misconfigured,
# retried slowly, and it recovers once the app is installed again.
# Sources: https://github.com/forcedotcom/cli/issues/3482, https://github.com/dust-tt/dust/pull/26727
APP_NOT_INSTALLED_CODES = ("OAUTH_EC_APP_NOT_FOUND", "app_not_found")
_APP_NOT_INSTALLED_FIX = (
    "The External Client App isn't installed in org {org}: install the External Client App in "
    "org {org}, or use the org that owns it (setup step 2). Orgkeeper keeps the tokens."
)
_IP_FIX = (
    "Salesforce refused the refresh from this server's IP address. Add the Server Outbound IP "
    "{ip} to the External Client App's Refresh Token IP Allowlist (setup step 5)."
)

# invalid_grant error_description (lower case) -> kind, reason.
# Source: docs/salesforce-protocol.md, "Errors".
INVALID_GRANT: dict[str, tuple[ErrorKind, str]] = {
    # Summer '24+: one token request per refresh token at a time
    # (docs/salesforce-protocol.md, "Concurrent token requests").
    "token request is already being processed": (
        T,
        "Salesforce was still processing another token request for this connection.",
    ),
    # The same concurrency block before Winter '25; a refresh never sends a code.
    "expired authorization code": (
        T,
        "Salesforce was still processing another token request for this connection.",
    ),
    EXPIRED_REFRESH_TOKEN: (
        R,
        "Salesforce no longer accepts the refresh token: it was revoked, expired after not "
        "being used, or replaced by a newer sign-in. Sign in to Salesforce again.",
    ),
    "authentication failure": (
        R,
        "Salesforce refused the connected user's authentication (for example after a password "
        "change or an org policy change). Sign in to Salesforce again.",
    ),
    "inactive user": (
        R,
        "The connected Salesforce user is inactive or frozen. Reactivate the user, or sign in "
        "again with an active user.",
    ),
    "inactive organization": (
        R,
        "The Salesforce org is inactive or locked. Sign in again once it is active.",
    ),
    "user hasn't approved this consumer": (
        R,
        "The connected user isn't approved for the External Client App (check its Permitted "
        "Users policy). Sign in to Salesforce again.",
    ),
    "ip restricted": (M, _IP_FIX),
}

# Other token-endpoint error codes -> kind, reason. Source: docs/salesforce-protocol.md, "Errors".
ERROR_CODES: dict[str, tuple[ErrorKind, str]] = {
    "invalid_client": (M, _CONSUMER_FIX),
    "invalid_client_credentials": (M, _CONSUMER_FIX),  # legacy code
    "invalid_client_id": (
        M,
        "Salesforce doesn't know the consumer key. Check the consumer key and the environment "
        "(production, sandbox or My Domain) of the External Client App (setup step 7).",
    ),
    "inactive_user": INVALID_GRANT["inactive user"],  # legacy code
    "inactive_org": INVALID_GRANT["inactive organization"],  # legacy code
    "rate_limit_exceeded": (T, "Salesforce's login rate limit was exceeded."),
    **dict.fromkeys(APP_NOT_INSTALLED_CODES, (M, _APP_NOT_INSTALLED_FIX)),
}


# Salesforce's answer for a revoked refresh token, which the five-approval limit may explain.
REVOKED = _with_step(*INVALID_GRANT[EXPIRED_REFRESH_TOKEN])


def server_ip() -> str:
    return settings.SERVER_OUTBOUND_IP or "(set SERVER_OUTBOUND_IP)"


def classify(
    error: ProviderError, lost_in_flight: bool = False, org_id: str = ""
) -> Classification:
    """Classify an error raised by ``client.refresh``. ``lost_in_flight``: an earlier
    attempt sent the same refresh token and its answer was never stored. ``org_id``: the
    connection's Salesforce org, named in reasons that need it.

    Unknown ``invalid_grant`` descriptions mean re-authorization (Salesforce's text is the
    reason); other unknown OAuth error codes mean misconfiguration (retried slowly)."""
    if (
        lost_in_flight
        and isinstance(error, InvalidGrant)
        and error.description.strip().lower() == EXPIRED_REFRESH_TOKEN
    ):
        return REFRESH_TOKEN_LOST
    if isinstance(error, SignatureMismatch):
        return SIGNATURE_MISMATCH
    # Only the table's reasons are templates: Salesforce's own words may hold braces.
    fill = {"ip": server_ip(), "org": org_id or "(unknown)"}
    if isinstance(error, InvalidGrant):
        known = INVALID_GRANT.get(error.description.strip().lower())
        if known is None:
            said = error.description or "invalid_grant"
            return Classification(R, f"Salesforce refused the refresh token: {said}.")
        return _with_step(known[0], known[1].format(**fill))
    if isinstance(error, OAuthError):
        known = ERROR_CODES.get(error.error)
        if known is None:
            return Classification(M, f"Salesforce refused the refresh request: {error}.")
        return _with_step(known[0], known[1].format(**fill))
    # SalesforceUnavailable (network, timeout, 5xx, 429) and anything unexpected.
    return Classification(T, str(error) or "Salesforce could not be reached.")
