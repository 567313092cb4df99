"""Plain-words guidance for a Dynamics 365 sign-in or check that failed: the Entra ID errors of
the authorize redirect and the token endpoint, Dataverse's, and the environment choice after
Global Discovery. Sources as in ``errors``."""

from dataclasses import dataclass, field

from django.conf import settings

from ...callback_urls import callback_urls
from ...errors import Guidance
from ..base import OAuthError, ProviderError, SessionExpired, Unavailable
from . import client, errors
from .client import EnvironmentNotReachable, NotAMember

CONSENT_CODES = {65001, 90094, 90093}


@dataclass(frozen=True)
class DynamicsGuidance(Guidance):
    """Guidance with a part of the page of its own (``template``): the admin consent link,
    or the environments the user can reach."""

    template: str = ""
    admin_consent_url: str = ""
    environments: list = field(default_factory=list)


def admin_consent_url(redirect_uri: str = "") -> str:
    """The admin consent link for the operator's app, back to Orgkeeper's callback."""
    return client.admin_consent_url(settings.DYNAMICS_CLIENT_ID, redirect_uri or callback_urls()[0])


def _consent_blocked(detail: str, redirect_uri: str) -> Guidance:
    return DynamicsGuidance(
        "Your organization requires an administrator's consent.",
        "Your Microsoft Entra tenant doesn't let users consent to apps such as Orgkeeper "
        "themselves. Send the admin consent link below to a tenant administrator (a Global, "
        "Application or Cloud Application Administrator). Once they accept it for the "
        "organization, click Start again and sign in with Microsoft: no further consent is "
        "asked. Nothing was saved.",
        detail=detail,
        template="connections/dynamics/_admin_consent.html",
        admin_consent_url=admin_consent_url(redirect_uri),
    )


def _codes(description: str) -> set[int]:
    return {int(code) for code in client._AADSTS.findall(description)}


def explain(error: str, description: str = "", *, redirect_uri: str = "", **about: str) -> Guidance:
    """Guidance for the authorize redirect's ``error`` and ``error_description``."""
    code = error.strip()
    codes = _codes(description)
    detail = ": ".join(part for part in (code, description.split("\n")[0].strip()) if part)
    if codes & CONSENT_CODES or code == "consent_required":
        return _consent_blocked(detail, redirect_uri)
    if code == "access_denied":
        return Guidance(
            "The sign-in was cancelled.",
            "Microsoft's sign-in ended without Accept, so nothing changed. Start again and "
            "click Accept on the permissions page.",
            detail=detail,
        )
    if 500011 in codes or code == "invalid_resource":
        return unknown_environment(detail)
    if 700016 in codes or code == "unauthorized_client":
        return Guidance(
            "Microsoft doesn't know Orgkeeper's app.",
            errors.CODES[700016][1] + " (The operator of this Orgkeeper fixes this.)",
            step=1,
            detail=detail,
        )
    if 50011 in codes or "redirect" in description.lower():
        return Guidance(
            "The app registration lacks this Redirect URI.",
            f"Add {redirect_uri or callback_urls()[0]} as a Web Redirect URI of the app "
            "registration (Authentication), then start again.",
            step=2,
            detail=detail,
        )
    return Guidance(
        "Microsoft refused the sign-in.",
        "Nothing was saved. Start again; if it keeps failing, the detail below names the reason.",
        detail=detail,
    )


def explain_exception(error: ProviderError, *, redirect_uri: str = "", **about: str) -> Guidance:
    """Guidance for an error of the code exchange, the discovery, or the refresh that
    checks new settings."""
    detail = ": ".join(part for part in (error.error, error.description) if part)
    if isinstance(error, EnvironmentNotReachable):
        return environment_not_reachable(error, about.get("login_url", ""))
    if isinstance(error, Unavailable):
        return Guidance(
            "Microsoft couldn't be reached.",
            f"{error.description} Nothing was saved; start again in a few minutes.",
            detail=detail,
            http_status=502,
        )
    if isinstance(error, OAuthError):
        if 500011 in errors.codes_of(error) or error.error == "invalid_resource":
            return unknown_environment(detail)
        if set(errors.codes_of(error)) & CONSENT_CODES:
            return _consent_blocked(detail, redirect_uri)
        classification = errors.classify(error)
        step = 3 if "secret" in classification.reason else None
        return Guidance("Microsoft refused the sign-in.", classification.reason, step, detail)
    return Guidance("The sign-in failed.", str(error), detail=detail)


def unknown_environment(detail: str) -> Guidance:
    """AADSTS500011 (invalid_resource): no Dataverse environment has this URL in the user's
    tenant, typically a mistyped environment URL."""
    return DynamicsGuidance(
        "Microsoft doesn't know this environment URL in your tenant: check it.",
        "Microsoft Entra ID found no Dataverse environment with this URL in the tenant of the "
        "user who signed in (AADSTS500011), so nothing was saved. Check the environment URL "
        "(Power Apps > Settings > Session details: Instance url), correct it in step 1, then "
        "sign in again.",
        detail=detail,
        template="connections/dynamics/_change_environment.html",
    )


def environment_not_reachable(error: EnvironmentNotReachable, entered: str) -> Guidance:
    user = error.username
    if not error.environments:
        return Guidance(
            f"{user} can't reach any Dataverse environment.",
            f"{user} has no enabled Dataverse user with a security role in any environment of "
            "their tenant. An environment administrator adds the user (Power Platform admin "
            "center > Environments > Settings > Users) and assigns a security role; then "
            "start again. Nothing was saved.",
            http_status=403,
        )
    return DynamicsGuidance(
        f"{user} can't reach this environment.",
        f"Microsoft's Global Discovery Service doesn't list the environment you entered for "
        f"{user}: they have no enabled Dataverse user there, or it is another environment. "
        "Nothing was saved. The environments they can reach are listed below; or ask an "
        "environment administrator to add the user with a security role.",
        template="connections/dynamics/_environments.html",
        environments=error.environments,
        http_status=409,
    )


def identity_failed(error: ProviderError) -> Guidance:
    """The sign-in worked, but WhoAmI didn't answer as it should."""
    if isinstance(error, NotAMember):
        reason = errors.classify(error).reason
        return Guidance("The user isn't a member of this environment.", reason, http_status=403)
    return Guidance(
        "Dataverse didn't say who signed in.",
        "WhoAmI failed, so nothing was saved. Start again in a few minutes.",
        detail=": ".join(part for part in (error.error, error.description) if part),
        http_status=502,
    )


def missing_refresh_token(scope: str) -> Guidance:
    return Guidance(
        "Microsoft gave no refresh token.",
        "Without one the connection can't be kept alive. Orgkeeper asks for offline_access; "
        "check that the tenant's policies allow it, then start again.",
        detail=f"granted scopes: {scope or 'none'}",
    )


def organization_mismatch(expected: str, received: str) -> Guidance:
    return Guidance(
        "That is a different Dataverse organization.",
        f"This connection is for organization {expected}, but the sign-in was for "
        f"{received}. The old tokens are kept. Sign in to the same environment, or create a "
        "new connection.",
    )


def test_passed(body: object) -> str:
    me = body if isinstance(body, dict) else {}
    return (
        f"Dataverse answered WhoAmI (UserId {me.get('UserId', '?')}, OrganizationId "
        f"{me.get('OrganizationId', '?')})."
    )


def test_failed(error: ProviderError) -> str:
    if isinstance(error, NotAMember):
        return errors.classify(error).reason
    if isinstance(error, Unavailable):
        return f"{error.description} The tokens are unchanged; try again in a few minutes."
    if isinstance(error, SessionExpired):
        return "Dataverse refused the access token even after a refresh. Try Refresh now."
    return f"Dataverse refused WhoAmI: {error.description}"
