"""Development: DEBUG on, keys generated once under var/, the local emulator allowed."""

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, VAR_DIR, env
from .keys import development_key

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = development_key(env, "SECRET_KEY", VAR_DIR)
CRYPTOGRAPHY_KEY = development_key(env, "CRYPTOGRAPHY_KEY", VAR_DIR)
ALLOWED_HOSTS = sorted({*ALLOWED_HOSTS, "127.0.0.1", "localhost", "[::1]"})
ALLOW_INSECURE_LOGIN_HOSTS = env.bool("ALLOW_INSECURE_LOGIN_HOSTS", default=True)
