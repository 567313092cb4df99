"""Development: DEBUG on, keys generated once under var/, the local emulator allowed."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, VAR_DIR, env
from .keys import development_key, old_keys
from .security import content_security_policy

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = development_key(env, "SECRET_KEY", VAR_DIR)
CRYPTOGRAPHY_KEY = development_key(env, "CRYPTOGRAPHY_KEY", VAR_DIR)
CRYPTOGRAPHY_OLD_KEYS = old_keys(env, CRYPTOGRAPHY_KEY)
SECRET_KEY_FALLBACKS = old_keys(env, SECRET_KEY, "SECRET_KEY_FALLBACKS", "SECRET_KEY")
ALLOWED_HOSTS = sorted({*ALLOWED_HOSTS, "127.0.0.1", "localhost", "[::1]"})
ALLOW_INSECURE_LOGIN_HOSTS = env.bool("ALLOW_INSECURE_LOGIN_HOSTS", default=True)
CONTENT_SECURITY_POLICY = content_security_policy(ALLOW_INSECURE_LOGIN_HOSTS)
# Webhooks to a receiver on this machine (http://127.0.0.1:…).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=True)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=True)
