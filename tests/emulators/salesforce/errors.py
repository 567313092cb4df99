"""Error codes and texts the emulator answers with, as Salesforce sends them.

Source: docs/salesforce-protocol.md, "Errors";
https://help.salesforce.com/apex/HTViewHelpDoc?id=xcloud.remoteaccess_oauth_flow_errors.htm
"""

EXPIRED_TOKEN = "expired access/refresh token"
ALREADY_PROCESSING = "token request is already being processed"
EXPIRED_CODE = "expired authorization code"
IP_RESTRICTED = "ip restricted"
INACTIVE_USER = "inactive user"
INACTIVE_ORG = "inactive organization"
BAD_CODE_VERIFIER = "invalid code verifier"
CROSS_ORG_BLOCKED = "Cross-org OAuth flows are not supported for this external client app"
DENIED = "end-user denied authorization"
# The app isn't installed in the org (https://github.com/forcedotcom/cli/issues/3482).
EC_APP_NOT_FOUND = "OAUTH_EC_APP_NOT_FOUND"
EC_APP_NOT_INSTALLED = "External client app is not installed in this org"
# The September 2025 uninstalled-app restriction (https://help.salesforce.com/s/articleView?id=005132365&type=1;
# text as in https://github.com/forcedotcom/SalesforceMobileSDK-Package/issues/314).
APPROVAL_ERROR_GENERIC = "OAUTH_APPROVAL_ERROR_GENERIC"
APPROVAL_ERROR_TEXT = "An unexpected error has occurred during authentication. Please try again."
# REST's 401 for a session the app's session policy makes unfit for the API (High Assurance
# required, or locked to another IP): https://github.com/jsforce/jsforce/pull/1301
SESSION_NOT_VALID_FOR_API = "This session is not valid for use with the REST API"


class OAuthError(Exception):
    """A token/revoke error: HTTP 400 JSON `{"error": ..., "error_description": ...}`
    (docs/salesforce-protocol.md, "Errors")."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def as_json(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def app_not_installed() -> OAuthError:
    return OAuthError(EC_APP_NOT_FOUND, EC_APP_NOT_INSTALLED)


def invalid_client_id() -> OAuthError:
    return OAuthError("invalid_client_id", "client identifier invalid")


def invalid_client() -> OAuthError:
    return OAuthError("invalid_client", "invalid client credentials")


def unsupported_grant_type() -> OAuthError:
    return OAuthError("unsupported_grant_type", "grant type not supported")


def redirect_uri_mismatch() -> OAuthError:
    return OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")


class InvalidSession(Exception):
    """An access token that is unknown, revoked or past the session timeout
    (docs/salesforce-protocol.md, "Access-token lifetime"): REST 401.
    ``message`` is REST's ``message`` field."""

    def __init__(self, message: str = "Session expired or invalid") -> None:
        super().__init__(message)
        self.message = message
