import os


def settings_module() -> str:
    """Return the settings module for ``DJANGO_ENV`` (development, production or test)."""
    env = os.environ.get("DJANGO_ENV", "development")
    return {
        "production": "config.settings.prod",
        "test": "config.settings.test",
    }.get(env, "config.settings.dev")


from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app", "settings_module"]
