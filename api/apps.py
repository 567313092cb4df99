from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from . import checks, proxy_checks, schema  # noqa: F401 (registers the checks and the extension)
