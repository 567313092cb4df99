"""Entra ID errors (AADSTS codes) in their two shapes: a JSON token error, an authorize redirect.

Codes and texts: https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
Token error body (`error`, `error_description`, `error_codes`, `timestamp`, `trace_id`,
`correlation_id`, `error_uri`): https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#error-response-1
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EntraError(Exception):
    """`code` is the AADSTS number; `status` the token endpoint's HTTP status (400, or 401 for
    invalid_client); `extra` adds fields such as `suberror` or `error_subcode`."""

    error: str
    code: int
    text: str
    status: int = 400
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.error}: AADSTS{self.code}: {self.text}"


class PageError(Exception):
    """An authorize-side error Entra shows as a page, never redirected (the redirect URI or the app
    can't be trusted yet)."""

    def __init__(self, error: EntraError) -> None:
        super().__init__(str(error))
        self.error = error


def tenant_not_found(tenant: str) -> EntraError:
    return EntraError(
        "invalid_request",
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
        "signing into the correct cloud.",
    )


def app_not_found(client_id: str, tenant: str) -> EntraError:
    return EntraError(
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory '{tenant}'. "
        "This can happen if the application has not been installed by the administrator of the "
        "tenant or consented to by any user in the tenant. You may have sent your authentication "
        "request to the wrong tenant.",
    )


def missing_parameter(name: str) -> EntraError:
    return EntraError(
        "invalid_request",
        900144,
        f"The request body must contain the following parameter: '{name}'.",
    )


def malformed(reason: str) -> EntraError:
    return EntraError(
        "invalid_request", 9002313, f"Invalid request. Request is malformed or invalid. - {reason}"
    )


def redirect_mismatch(redirect_uri: str, client_id: str) -> EntraError:
    return EntraError(
        "invalid_request",
        50011,
        f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect "
        f"URIs configured for the application '{client_id}'. Make sure the redirect URI sent in "
        "the request matches one added to your application in the Azure portal.",
    )


def unsupported_response_type(value: str) -> EntraError:
    return EntraError(
        "unsupported_response_type",
        70005,
        f"response_type '{value}' is not enabled for the application.",
    )


def invalid_scope(scope: str) -> EntraError:
    return EntraError(
        "invalid_scope",
        70011,
        f"The provided request must include a 'scope' input parameter. The provided value for the "
        f"input parameter 'scope' is not valid. The scope {scope} is not valid.",
    )


def several_resources() -> EntraError:
    return EntraError(
        "invalid_request",
        28000,
        "Provided value for the input parameter scope is not valid because it contains more "
        "than one resource.",
    )


def resource_not_found(resource: str, tenant: str) -> EntraError:
    return EntraError(
        "invalid_resource",
        500011,
        f"The resource principal named {resource} was not found in the tenant named {tenant}. "
        "This can happen if the application has not been installed by the administrator of the "
        "tenant or consented to by any user in the tenant.",
    )


def login_required() -> EntraError:
    return EntraError(
        "login_required",
        50058,
        "A silent sign-in request was sent but no user is signed in.",
    )


def consent_required(client_id: str, app_name: str, error: str = "consent_required") -> EntraError:
    """`consent_required` on a silent authorize; `invalid_grant` on a refresh after the consent
    was removed."""
    return EntraError(
        error,
        65001,
        f"The user or administrator has not consented to use the application with ID "
        f"'{client_id}' named '{app_name}'. Send an interactive authorization request for this "
        "user and resource.",
    )


def admin_consent_required() -> EntraError:
    return EntraError("access_denied", 90094, "The grant requires admin permission.")


def declined() -> EntraError:
    return EntraError(
        "access_denied",
        65004,
        "User declined to consent to access the app.",
        extra={"error_subcode": "cancel"},
    )


def unknown_user(username: str, tenant: str) -> EntraError:
    return EntraError(
        "invalid_grant",
        50034,
        f"The user account {username} does not exist in the {tenant} directory. To sign into "
        "this application, the account must be added to the directory.",
    )


def bad_password() -> EntraError:
    return EntraError(
        "invalid_grant", 50126, "Error validating credentials due to invalid username or password."
    )


def user_disabled() -> EntraError:
    return EntraError("invalid_grant", 50057, "The user account is disabled.")


def wrong_tenant_user(username: str, tenant: str) -> EntraError:
    return EntraError(
        "invalid_grant",
        50020,
        f"User account '{username}' from identity provider does not exist in tenant '{tenant}' "
        "and cannot access the application in that tenant.",
    )


def missing_secret() -> EntraError:
    return EntraError(
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or "
        "'client_secret'.",
        status=401,
    )


def bad_secret(client_id: str) -> EntraError:
    return EntraError(
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the "
        f"client secret value, not the client secret ID, for a secret added to app '{client_id}'.",
        status=401,
    )


def unsupported_grant_type(value: str) -> EntraError:
    return EntraError(
        "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{value}'."
    )


def invalid_grant() -> EntraError:
    return EntraError("invalid_grant", 70000, "Provided grant is invalid or malformed.")


def code_redeemed() -> EntraError:
    return EntraError(
        "invalid_grant",
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or "
        "use an existing refresh token.",
    )


def code_expired() -> EntraError:
    return EntraError(
        "invalid_grant",
        70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a "
        "new interactive authorization request for this user and resource.",
    )


def code_other_tenant() -> EntraError:
    return EntraError(
        "invalid_grant",
        700005,
        "Provided Authorization Code is intended to use against other tenant, thus rejected.",
    )


def reply_address_mismatch(sent: str | None, expected: str) -> EntraError:
    return EntraError(
        "invalid_grant",
        500112,
        f"The reply address '{sent or ''}' does not match the reply address '{expected}' provided "
        "when requesting Authorization code.",
    )


def bad_verifier() -> EntraError:
    return EntraError(
        "invalid_grant",
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization "
        "request.",
    )


def timespan(seconds: float) -> str:
    """.NET's TimeSpan layout Entra prints: `90.00:00:00`, `12:00:00`."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{days}.{clock}" if days else clock


def refresh_token_inactive(issued: str, lifetime: float) -> EntraError:
    return EntraError(
        "invalid_grant",
        700082,
        f"The refresh token has expired due to inactivity. The token was issued on {issued} and "
        f"was inactive for {timespan(lifetime)}.",
    )


def grant_revoked(issued: str, valid_from: str) -> EntraError:
    return EntraError(
        "invalid_grant",
        50173,
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
        "The user might have changed or reset their password. The grant was issued on "
        f"'{issued}' and the TokensValidFrom date (before which tokens are not valid) for this "
        f"user is '{valid_from}'.",
    )


def mfa_registration_required(resource: str) -> EntraError:
    # The token endpoint's non-standard `interaction_required`, with a `suberror`:
    # https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#error-codes-for-token-endpoint-errors
    return EntraError(
        "interaction_required",
        50079,
        "Due to a configuration change made by your administrator, or because you moved to a "
        f"new location, you must enroll in multi-factor authentication to access '{resource}'.",
        extra={"suberror": "basic_action"},
    )
