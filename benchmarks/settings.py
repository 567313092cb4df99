"""Settings of every benchmark process (orchestrator, Celery worker and beat): production-like
base settings with fixed throw-away keys, the local emulator allowed, and no email sent.
DATABASE_URL and CELERY_BROKER_URL come from the orchestrator (its own database and Redis DB)."""

import warnings

from config.settings.base import *  # noqa: F403

# WhiteNoise warns about the absent collectstatic output; the benchmark serves no static files.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

DEBUG = False
SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105
CRYPTOGRAPHY_KEY = "bench-cryptography-key-not-for-production"
ALLOW_INSECURE_LOGIN_HOSTS = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
