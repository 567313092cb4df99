"""Plain-words guidance for Salesforce's OAuth and REST errors, naming the setup step to fix.

Steps are the numbered steps of the setup checklist
(connections/providers/salesforce/templates/connections/salesforce/_checklist.html), which follow
Salesforce's External Client App set-up: 2 create the app, 3 OAuth settings, 4 flow
enablement and security, 5 IP allowlist, 6 lock controls, 7 copy the key and secret.
Error codes and texts: docs/salesforce-protocol.md ("Errors").
"""

from django.conf import settings

from ... import errors
from ..base import (
    OAuthError,
    ProviderError,
    SessionExpired,
    SessionPolicyBlocked,
    SignatureMismatch,
    Unavailable,
)
from .errors import APP_NOT_INSTALLED_CODES, SESSION_POLICY_BLOCKS_API

# The checklist steps whose fix needs the values Orgkeeper shows (3: callback URLs, 5: the
# server's outbound IP for the allowlist).
SETUP_VALUE_STEPS = (3, 5)


def Guidance(*args, **kwargs) -> errors.Guidance:
    """A connections.errors.Guidance whose ``detail`` is Salesforce's words; it shows the
    setup values when its ``step`` is one of SETUP_VALUE_STEPS."""
    kwargs.setdefault("show_setup_values", kwargs.get("step") in SETUP_VALUE_STEPS)
    return errors.Guidance(*args, source="Salesforce", **kwargs)


def _detail(error: str, description: str) -> str:
    return ": ".join(part for part in (error, description) if part)


def _outbound_ip() -> str:
    return settings.SERVER_OUTBOUND_IP or "(not configured: set the SERVER_OUTBOUND_IP variable)"


def _org(org_id: str, login_url: str) -> str:
    if org_id:
        return f"org {org_id}"
    return f"the org you signed in to ({login_url})" if login_url else "the org you signed in to"


def explain(
    error: str,
    description: str = "",
    *,
    redirect_uri: str = "",
    org_id: str = "",
    login_url: str = "",
) -> Guidance:
    """Guidance for an OAuth ``error``/``error_description`` pair, from the authorize
    redirect or the token endpoint. ``redirect_uri`` is the callback URL the flow sent;
    ``org_id`` (empty before a first sign-in) and ``login_url`` name the connection's org."""
    code = error.strip()
    text = f"{code} {description}".lower()
    detail = _detail(code, description)
    if code in ("access_denied", "access-denied"):
        return Guidance(
            "Access was not allowed.",
            "The Salesforce sign-in ended without Allow. Nothing changed. Start again and "
            "click Allow when Salesforce asks.",
            detail=detail,
        )
    if code in APP_NOT_INSTALLED_CODES or "not installed in this org" in text:
        # Sources: https://github.com/forcedotcom/cli/issues/3482,
        # https://github.com/PipedreamHQ/pipedream/issues/21557
        org = _org(org_id, login_url)
        return Guidance(
            "The External Client App isn't installed in this org.",
            f"Install the External Client App in {org}, or use the org that owns it: choose "
            "that org's My Domain as environment and sign in there, or create an app in this "
            "org (step 2). Nothing was saved; start again once that's done.",
            step=2,
            detail=detail,
        )
    if code == "OAUTH_APPROVAL_ERROR_GENERIC":
        # Salesforce's September 2025 change: https://help.salesforce.com/s/articleView?id=005132365&type=1
        return Guidance(
            "Salesforce didn't let this user approve the app.",
            "The app isn't installed in the org, and since September 2025 Salesforce lets a "
            "user approve an uninstalled app only with the user permission 'Approve "
            "Uninstalled Connected Apps' or 'Use Any API Client'. Install the app in the org "
            "(Setup > Connected Apps OAuth Usage: find the app and click Install), or give "
            "this user one of those permissions, then start again. Users who approved the "
            "app before keep working.",
            detail=detail,
        )
    if "oauth_authorization_blocked" in text or "cross-org" in text:
        return Guidance(
            "Salesforce blocked the sign-in for this org.",
            "A Local External Client App only works for users of the org that created it. "
            "Create the app in the org you sign in to (step 2), choose that org's My Domain "
            "as environment, or sign out of other Salesforce orgs in this browser first.",
            step=2,
            detail=detail,
        )
    if code == "redirect_uri_mismatch":
        return Guidance(
            "The Callback URL doesn't match.",
            f"Add this exact Callback URL to the External Client App (step 3), wait a few "
            f"minutes and start again: {redirect_uri or 'see the setup checklist'}",
            step=3,
            detail=detail,
        )
    if code == "invalid_scope":
        return Guidance(
            "Salesforce refused the requested scopes.",
            "Select the scopes id, api and refresh_token in the app's OAuth settings (step 3).",
            step=3,
            detail=detail,
        )
    if code == "invalid_client_id":
        return Guidance(
            "Salesforce doesn't know this Consumer Key.",
            "Check that the Consumer Key was copied completely (step 7) and that the "
            "environment (Production, Sandbox or My Domain) is the org that has the app. A new "
            "External Client App can take up to 10 minutes before Salesforce accepts it: wait, "
            "then start again.",
            step=7,
            detail=detail,
        )
    if code in ("invalid_client", "invalid_client_credentials"):
        return Guidance(
            "The Consumer Secret is wrong.",
            "Copy the Consumer Secret again (step 7), then start again and paste it.",
            step=7,
            detail=detail,
        )
    if "ip restricted" in text:
        return Guidance(
            "Salesforce refused this server's IP address.",
            f"Add the Server Outbound IP {_outbound_ip()} to the app's Refresh Token IP "
            "Allowlist (step 5), then start again.",
            step=5,
            detail=detail,
        )
    if "verifier" in text or "code_challenge" in text or "pkce" in text:
        return Guidance(
            "Salesforce rejected the PKCE check.",
            "Make sure 'Require Proof Key for Code Exchange (PKCE) extension' is on in the "
            "app's security settings (step 4), then start again.",
            step=4,
            detail=detail,
        )
    if "expired authorization code" in text:
        return Guidance(
            "The sign-in took too long or was used twice.",
            "Salesforce's one-time code is no longer valid. Start again.",
            detail=detail,
        )
    if "inactive user" in text or "inactive organization" in text:
        return Guidance(
            "The Salesforce user or org is inactive.",
            "Sign in with an active user of an active org.",
            detail=detail,
        )
    if "hasn't approved" in text:
        return Guidance(
            "This Salesforce user may not use the app.",
            "In Salesforce, allow the user in the app's policies (Permitted Users), or use "
            "'All users may self-authorize', then start again.",
            detail=detail,
        )
    return Guidance(
        "Salesforce refused the sign-in.",
        "Salesforce's answer is below. Check the app's settings against the checklist and "
        "start again.",
        detail=detail or "no details given",
    )


def explain_exception(
    exc: ProviderError,
    *,
    redirect_uri: str = "",
    org_id: str = "",
    login_url: str = "",
) -> Guidance:
    """Guidance for an error raised by the Salesforce client (arguments as ``explain``)."""
    if isinstance(exc, SignatureMismatch):
        return Guidance(
            "The Consumer Secret doesn't match the app.",
            "Salesforce's answer was signed with another secret. Copy the Consumer Secret "
            "again (step 7), then start again and paste it.",
            step=7,
        )
    if isinstance(exc, Unavailable):
        return Guidance(
            "Salesforce didn't answer.",
            "Salesforce could not be reached or had a problem. Nothing was saved. Try again "
            "in a few minutes.",
            detail=exc.description,
            http_status=502,
        )
    if isinstance(exc, OAuthError):
        return explain(
            exc.error,
            exc.description,
            redirect_uri=redirect_uri,
            org_id=org_id,
            login_url=login_url,
        )
    return Guidance(
        "Salesforce refused the request.",
        "Nothing was saved. Try again; if it keeps failing, check the app's settings.",
        detail=_detail(exc.error, exc.description),
        http_status=502,
    )


def identity_failed(exc: ProviderError) -> Guidance:
    """The token exchange worked but the identity URL didn't answer."""
    return Guidance(
        "Salesforce didn't say which org this is.",
        "Reading the identity URL failed, so nothing was saved. Make sure the scope id is "
        "selected (step 3) and try again.",
        step=3,
        detail=_detail(exc.error, exc.description),
        http_status=502,
    )


def missing_refresh_token(scope: str) -> Guidance:
    """Salesforce granted no refresh token, so the connection couldn't be kept alive."""
    return Guidance(
        "Salesforce gave no refresh token.",
        "Without one the connection can't be kept alive. Select the scope 'Perform requests "
        "at any time (refresh_token, offline_access)' in the app's OAuth settings (step 3), "
        "then start again.",
        step=3,
        detail=f"granted scopes: {scope or 'none'}",
    )


def organization_mismatch(expected: str, received: str) -> Guidance:
    """A re-authorization signed in to another org than the connection's."""
    return Guidance(
        "That is a different Salesforce org.",
        f"This connection is for org {expected}, but the sign-in was for org {received}. "
        "The old tokens are kept. Sign in to org "
        f"{expected}, or create a new connection for org {received}.",
    )


def test_passed(versions: list[str]) -> str:
    """What Test connection says when Salesforce answered with its API ``versions``."""
    if not versions:
        return "Salesforce answered."
    span = versions[0] if len(versions) == 1 else f"{versions[0]} to {versions[-1]}"
    return f"Salesforce answered (API versions {span})."


def test_failed(error: ProviderError) -> str:
    """Why Test connection's REST call failed (after any refresh worked)."""
    said = f"Salesforce said: {error.error}: {error.description}" if error.error else ""
    if isinstance(error, Unavailable):
        return f"{error.description} The tokens are unchanged; try again in a few minutes."
    if isinstance(error, SessionPolicyBlocked):
        return (
            f"Salesforce refused the API call even with a fresh access token ({said}). "
            f"{SESSION_POLICY_BLOCKS_API.reason}"
        )
    if isinstance(error, SessionExpired):
        return (
            "Salesforce refused the access token even after a refresh "
            f"({said or error.description}). Try again; if it keeps failing, click Re-authorize."
        )
    return (
        f"Salesforce refused the API call ({said or error.description}). The tokens work; "
        "check that the connected user may use the API (the API Enabled permission)."
    )
