"""What a failed refresh means for a connection: one table, one function.

Kinds (shared/salesforce-oauth.md §4 and §8.3):
- ``transient``: outage, timeout, HTTP 5xx/429, or a concurrent token request; retry with
  backoff, the connection stays connected.
- ``needs_reauthorization``: the refresh token (or its user/org) is dead; someone must sign
  in again. No retries.
- ``misconfigured``: the External Client App or our server setup is wrong; retried slowly so
  the connection recovers by itself once an admin fixes it.

Reasons are plain words for the team and may quote Salesforce's error text (never a secret).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from . import salesforce


class ErrorKind(StrEnum):
    TRANSIENT = "transient"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"
    MISCONFIGURED = "misconfigured"


@dataclass(frozen=True)
class Classification:
    kind: ErrorKind
    reason: str

    @property
    def retry(self) -> bool:
        return self.kind == ErrorKind.TRANSIENT


T, R, M = ErrorKind.TRANSIENT, ErrorKind.NEEDS_REAUTHORIZATION, ErrorKind.MISCONFIGURED

_CONSUMER_FIX = (
    "Salesforce rejected the consumer secret. Re-enter the consumer secret of the External "
    "Client App (setup step 7)."
)
# A refresh whose signature doesn't verify still stored its tokens (keepalive._store), so
# fixing the secret recovers the connection without a new sign-in.
SIGNATURE_MISMATCH = Classification(
    M,
    "The consumer secret stored in Orgkeeper doesn't match the External Client App's: "
    "Salesforce signed its token response with another secret. Re-enter the consumer secret "
    "under Edit (setup step 7), then Refresh now; the tokens are kept, so no new sign-in is "
    "needed.",
)
# An earlier refresh of the same refresh token never stored its answer (killed worker, lost
# connection) and Salesforce now calls the token expired: with rotation, Salesforce had
# processed that request, and presenting the rotated-out token revoked the grant (§3.3).
REFRESH_TOKEN_LOST = Classification(
    R,
    "Refresh token lost: an earlier refresh reached Salesforce, which replaced the refresh "
    "token, but its answer was lost between Salesforce and Orgkeeper (the worker stopped or "
    "the connection dropped before the new token was saved). Salesforce now refuses the old "
    "token and has revoked this connection's tokens. Re-authorize (sign in to Salesforce "
    "again) to reconnect.",
)
EXPIRED_REFRESH_TOKEN = "expired access/refresh token"  # noqa: S105 (an error text)
_IP_FIX = (
    "Salesforce refused the refresh from this server's IP address. Add the Server Outbound IP "
    "{ip} to the External Client App's Refresh Token IP Allowlist (setup step 5)."
)

# invalid_grant error_description (lower case) -> kind, reason. Source: salesforce-oauth.md §4.
INVALID_GRANT: dict[str, tuple[ErrorKind, str]] = {
    # Summer '24+: one token request per refresh token at a time (§3.3).
    "token request is already being processed": (
        T,
        "Salesforce was still processing another token request for this connection.",
    ),
    # The same concurrency block before Winter '25 (§3.3); a refresh never sends a code.
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

# Other token-endpoint error codes -> kind, reason. Source: salesforce-oauth.md §4.
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
}


def server_ip() -> str:
    return settings.SERVER_OUTBOUND_IP or "(set SERVER_OUTBOUND_IP)"


def classify(error: salesforce.SalesforceError, lost_in_flight: bool = False) -> Classification:
    """Classify an error raised by ``salesforce.refresh``. ``lost_in_flight``: an earlier
    attempt sent the same refresh token and its answer was never stored.

    Unknown ``invalid_grant`` descriptions mean re-authorization (Salesforce's text is the
    reason); other unknown OAuth error codes mean misconfiguration (retried slowly)."""
    if (
        lost_in_flight
        and isinstance(error, salesforce.InvalidGrant)
        and error.description.strip().lower() == EXPIRED_REFRESH_TOKEN
    ):
        return REFRESH_TOKEN_LOST
    if isinstance(error, salesforce.SignatureMismatch):
        return SIGNATURE_MISMATCH
    if isinstance(error, salesforce.InvalidGrant):
        description = error.description.strip().lower()
        kind, reason = INVALID_GRANT.get(
            description,
            (R, f"Salesforce refused the refresh token: {error.description or 'invalid_grant'}."),
        )
        return Classification(kind, reason.format(ip=server_ip()))
    if isinstance(error, salesforce.OAuthError):
        kind, reason = ERROR_CODES.get(
            error.error,
            (M, f"Salesforce refused the refresh request: {error}."),
        )
        return Classification(kind, reason.format(ip=server_ip()))
    # SalesforceUnavailable (network, timeout, 5xx, 429) and anything unexpected.
    return Classification(T, str(error) or "Salesforce could not be reached.")
