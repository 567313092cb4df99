"""Entra ID's and Dataverse's errors, classified: one table and ``classify``.

Codes: https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes;
refresh-token lifetime and revocation: https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens;
consent: https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/application-sign-in-unexpected-user-consent-error;
Dataverse's 403: https://learn.microsoft.com/en-us/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors
"""

import re

from ...errors import Classification, ErrorKind
from ..base import OAuthError, ProviderError
from .client import NotAMember

T, R, M = ErrorKind.TRANSIENT, ErrorKind.NEEDS_REAUTHORIZATION, ErrorKind.MISCONFIGURED

_SIGN_IN_AGAIN = "Click Re-authorize and sign in with Microsoft again."
CONSENT = (
    R,
    "The user's tenant requires an administrator's consent for Orgkeeper (AADSTS{code}): "
    "forward the admin consent link on the sign-in page (Re-authorize shows it) to a tenant "
    "administrator, then sign in with Microsoft again.",
)

# AADSTS number -> kind, reason (what to fix).
CODES: dict[int, tuple[ErrorKind, str]] = {
    700082: (
        R,
        "The refresh token expired due to inactivity (AADSTS700082){inactive}. A tenant's "
        "Conditional Access sign-in frequency can make refresh tokens expire sooner than "
        "Microsoft's default 90 days. " + _SIGN_IN_AGAIN,
    ),
    70008: (R, "The refresh token has expired (AADSTS70008). " + _SIGN_IN_AGAIN),
    50173: (
        R,
        "The user's sessions were revoked, for example by a password reset or an "
        "administrator (AADSTS50173). " + _SIGN_IN_AGAIN,
    ),
    50079: (
        R,
        "Microsoft requires the user to sign in interactively, for example to register for "
        "multi-factor authentication (AADSTS50079). " + _SIGN_IN_AGAIN,
    ),
    50076: (R, "Microsoft requires multi-factor authentication (AADSTS50076). " + _SIGN_IN_AGAIN),
    50057: (
        R,
        "The user's account is disabled in Microsoft Entra ID (AADSTS50057). Enable it, or "
        "sign in with another user.",
    ),
    65001: (
        R,
        "The consent for Orgkeeper was removed in the user's tenant (AADSTS{code}). Click "
        "Re-authorize, sign in with Microsoft and accept the permissions again; if the tenant "
        "doesn't let users consent, forward the admin consent link that Re-authorize shows to "
        "a tenant administrator.",
    ),
    90094: CONSENT,
    90093: CONSENT,
    9002313: (
        R,
        "Microsoft Entra ID doesn't accept the stored refresh token: it is unknown or "
        "malformed (AADSTS9002313). " + _SIGN_IN_AGAIN,
    ),
    500011: (
        M,
        "Microsoft doesn't know this environment URL in your tenant (AADSTS500011): check it; "
        "a connection's environment changes through a new connection.",
    ),
    700016: (
        M,
        "Microsoft Entra ID doesn't know Orgkeeper's app in this tenant (AADSTS700016): check "
        "DYNAMICS_CLIENT_ID (the Application (client) ID) and that the app registration is "
        "multi-tenant (Accounts in any organizational directory) in the operator's tenant.",
    ),
    7000215: (
        M,
        "Microsoft Entra ID refused Orgkeeper's client secret (AADSTS7000215): the operator's "
        "DYNAMICS_CLIENT_SECRET is wrong or expired. Create a new client secret for the app "
        "registration and set it.",
    ),
    7000222: (
        M,
        "Orgkeeper's client secret has expired (AADSTS7000222): create a new client secret "
        "for the app registration and set DYNAMICS_CLIENT_SECRET.",
    ),
    7000218: (M, "Orgkeeper sent no client secret (AADSTS7000218): set DYNAMICS_CLIENT_SECRET."),
    65005: (
        M,
        "The app registration lacks the Dynamics CRM user_impersonation permission, or "
        "Dataverse isn't available in the tenant (AADSTS65005): add API permissions > Dynamics "
        "CRM > user_impersonation (delegated).",
    ),
}
# ``error`` values without a known code.
ERRORS: dict[str, tuple[ErrorKind, str]] = {
    "interaction_required": CODES[50079],
    "consent_required": CONSENT,
    "invalid_resource": CODES[500011],
    "invalid_client": CODES[7000215],
    "unauthorized_client": CODES[700016],
    "temporarily_unavailable": (T, "Microsoft Entra ID is temporarily unavailable."),
    "server_error": (T, "Microsoft Entra ID had a server error."),
}


def not_a_member(username: str, environment_url: str) -> Classification:
    """Dataverse's 403 "not a member of the organization": the refresh token is fine; the
    user lacks a Dataverse user or security role (not a re-authorization)."""
    return Classification(
        M,
        f"{username or 'The connected user'} has no enabled Dataverse user with a security "
        f"role in {environment_url} (Dataverse: not a member of the organization). An "
        "environment administrator adds the user in the Power Platform admin center "
        "(Environments > Settings > Users) and assigns a security role; no new sign-in is "
        "needed.",
    )


_INACTIVE_FOR = re.compile(r"inactive for ([\d.:]+)")


def _inactivity(error: OAuthError) -> str:
    """Microsoft's own "inactive for …" duration (a .NET TimeSpan such as ``90.00:00:00``),
    quoted, or nothing."""
    found = _INACTIVE_FOR.search(error.description or "")
    return f": Microsoft says it was inactive for {found[1]}" if found else ""


def codes_of(error: ProviderError) -> list[int]:
    return list(getattr(error, "codes", []) or [])


def classify(
    error: ProviderError, lost_in_flight: bool = False, org_id: str = ""
) -> Classification:
    """Classify a refresh's (or a sign-in's) error. Entra has no rotation family, so a lost
    answer never kills the token (``lost_in_flight`` is ignored). Unknown ``invalid_grant``
    means re-authorization; other unknown OAuth errors misconfiguration; everything else
    (429, 5xx, timeouts) is transient."""
    if isinstance(error, NotAMember):
        return not_a_member(
            getattr(error, "username", ""), getattr(error, "environment_url", "the environment")
        )
    if isinstance(error, OAuthError):
        for code in codes_of(error):
            if code in CODES:
                kind, reason = CODES[code]
                inactive = _inactivity(error) if code == 700082 else ""
                return Classification(kind, reason.format(code=code, inactive=inactive))
        if error.error in ERRORS:
            kind, reason = ERRORS[error.error]
            return Classification(kind, reason.format(code=""))
        said = error.description or error.error
        if error.error == "invalid_grant":
            return Classification(
                R, f"Microsoft refused the refresh token: {said}. {_SIGN_IN_AGAIN}"
            )
        return Classification(M, f"Microsoft Entra ID refused the refresh: {said}.")
    return Classification(T, str(error) or "Microsoft Entra ID could not be reached.")
