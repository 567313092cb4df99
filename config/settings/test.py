"""Test settings: fast hasher, captured email, fixed keys. DATABASE_URL and CELERY_BROKER_URL
still choose PostgreSQL and Redis when set (CI)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
CRYPTOGRAPHY_KEY = "test-cryptography-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ALLOW_INSECURE_LOGIN_HOSTS = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
