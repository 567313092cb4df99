"""Production (DJANGO_ENV=production): behind a TLS proxy, keys required, no insecure hosts."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, env
from .keys import required_key

DEBUG = False
SECRET_KEY = required_key(env, "SECRET_KEY", "it signs sessions, CSRF tokens and invitations")
CRYPTOGRAPHY_KEY = required_key(
    env,
    "CRYPTOGRAPHY_KEY",
    "it encrypts consumer secrets and tokens at rest and must never fall back to SECRET_KEY",
)
ALLOW_INSECURE_LOGIN_HOSTS = False
# Loopback names for the container health checks (curl http://127.0.0.1:8881/healthz).
ALLOWED_HOSTS = sorted({*ALLOWED_HOSTS, "127.0.0.1", "localhost"})

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
