"""System check of the API proxy's setting (``manage.py check``)."""

from django.conf import settings
from django.core.checks import Error, Warning, register

# A body this size is held in memory per proxied request.
LARGE_BODY = 100 * 1024 * 1024


@register()
def check_proxy_max_body(app_configs, **kwargs) -> list[Error | Warning]:
    limit = settings.API_PROXY_MAX_BODY
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        return [
            Error(
                f"API_PROXY_MAX_BODY must be a whole number of bytes, 0 or more (it is {limit!r}).",
                hint="For example API_PROXY_MAX_BODY=1048576 (1 MiB); 0 never buffers a body.",
                id="api.E101",
            )
        ]
    if limit > LARGE_BODY:
        return [
            Warning(
                f"API_PROXY_MAX_BODY is {limit} bytes: each proxied request may hold that much "
                "memory.",
                hint="Keep it at a few MiB; larger bodies are streamed without a retry.",
                id="api.W101",
            )
        ]
    return []
