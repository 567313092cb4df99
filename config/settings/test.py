"""Test settings: fast hasher, captured email, fixed keys. DATABASE_URL and CELERY_BROKER_URL
still choose PostgreSQL and Redis when set (CI)."""

from .base import *  # noqa: F403
from .base import env
from .security import content_security_policy

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
CRYPTOGRAPHY_KEY = "test-cryptography-key-not-for-production"
CRYPTOGRAPHY_OLD_KEYS: list[str] = []
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ALLOW_INSECURE_LOGIN_HOSTS = True
CONTENT_SECURITY_POLICY = content_security_policy(ALLOW_INSECURE_LOGIN_HOSTS)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Webhooks to a receiver on this machine (http://127.0.0.1:…).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=True)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=True)
