"""drf-spectacular: the API key as an OpenAPI HTTP bearer security scheme, and the docs page
with the list of problem codes."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import problems


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


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, followed by every problem ``code`` with its status and title, each at the
    anchor ``#problem-<code>`` that problem details' ``type`` URIs name (RFC 9457 §3.1.1)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.template_name == self.template_name:
            response.data["problems"] = problems.catalogue()
        return response
