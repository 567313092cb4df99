"""drf-spectacular extension: the API key as an OpenAPI HTTP bearer security scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.APIKeyAuthentication"
    name = "teamApiKey"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "okk_…",
            "description": "A team API key (Team settings → API keys).",
        }
