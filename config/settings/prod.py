"""Production (DJANGO_ENV=production): behind a TLS proxy, keys required, no insecure hosts."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, env
from .keys import old_keys, required_key
from .security import content_security_policy

DEBUG = False
SECRET_KEY = required_key(env, "SECRET_KEY", "it signs sessions, CSRF tokens and invitations")
CRYPTOGRAPHY_KEY = required_key(
    env,
    "CRYPTOGRAPHY_KEY",
    "it encrypts consumer secrets and tokens at rest and must never fall back to SECRET_KEY",
)
# Still readable while ``manage.py rotate_encryption_key`` re-encrypts (README, "Rotating
# CRYPTOGRAPHY_KEY"). django-cryptography also signs with SECRET_KEY: old ones go here.
CRYPTOGRAPHY_OLD_KEYS = old_keys(env, CRYPTOGRAPHY_KEY)
SECRET_KEY_FALLBACKS = old_keys(env, SECRET_KEY, "SECRET_KEY_FALLBACKS", "SECRET_KEY")
ALLOW_INSECURE_LOGIN_HOSTS = False
CONTENT_SECURITY_POLICY = content_security_policy(ALLOW_INSECURE_LOGIN_HOSTS)
# Loopback names for the container health checks (curl http://127.0.0.1:8881/healthz).
ALLOWED_HOSTS = sorted({*ALLOWED_HOSTS, "127.0.0.1", "localhost"})

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production runs behind the TLS proxy that sets X-Forwarded-Proto (README), so sign-in
# protection counts failures per address that proxy saw, not per the proxy's own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Webhooks go to public https URLs only (webhooks.destinations).
WEBHOOK_ALLOW_HTTP = False
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
