import logging

from django.apps import AppConfig
from django.conf import settings


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the keep-alive and Celery signals)

        if settings.LOG_FORMAT == "json":
            # Python's warnings go to stderr as plain text unless logged.
            logging.captureWarnings(True)
