"""System checks of the API settings (``manage.py check``)."""

from django.conf import settings
from django.core.checks import Error, register

from .ratelimit import parse_rate


@register()
def check_rate_limit(app_configs, **kwargs) -> list[Error]:
    try:
        parse_rate(settings.API_RATE_LIMIT)
    except ValueError as error:
        return [
            Error(
                f"API_RATE_LIMIT is invalid: {error}",
                hint="Set API_RATE_LIMIT to requests/period, for example 600/min.",
                id="api.E001",
            )
        ]
    return []
