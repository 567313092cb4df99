"""Settings shared by every environment. Each value comes from an environment variable
(documented in ``.env.example`` and the README) read with django-environ."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from monitoring.logs import JSON_FORMATTER

from .security import content_security_policy

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
# The test settings ignore a developer's .env (its METRICS_TOKEN, say), so that every run of
# the suite sees the same defaults; variables set in the environment (CI's) still apply.
if os.environ.get("DJANGO_SETTINGS_MODULE") != "config.settings.test":
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Empty (as in .env.example) means the default.
VAR_DIR = Path(env("VAR_DIR", default="") or BASE_DIR / "var")

DEBUG = False

# --- URLs and hosts -----------------------------------------------------------------------
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8881").rstrip("/")
SERVER_OUTBOUND_IP = env("SERVER_OUTBOUND_IP", default="")
EXTRA_ALLOWED_HOSTS = env.list("EXTRA_ALLOWED_HOSTS", default=[])
ALLOWED_HOSTS = sorted(
    {urlsplit(PUBLIC_BASE_URL).hostname or "", SERVER_OUTBOUND_IP, *EXTRA_ALLOWED_HOSTS} - {""}
)
# Salesforce login hosts over plain http:// (the local emulator). Never in production.
ALLOW_INSECURE_LOGIN_HOSTS = env.bool("ALLOW_INSECURE_LOGIN_HOSTS", default=False)

# --- Applications -------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "connections",
    "api",
    "events",
    "webhooks",
    "monitoring",
]

MIDDLEWARE = [
    # First: the request ID is in the log context of everything below, and API latency
    # covers the whole stack.
    "monitoring.middleware.RequestContextMiddleware",
    "monitoring.middleware.APIMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each provider's own templates (its setup checklist) sit in its folder.
        "DIRS": [
            BASE_DIR / "templates",
            *sorted(BASE_DIR.glob("connections/providers/*/templates")),
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.teams",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'orgkeeper.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take SQLite's write lock at BEGIN, so atomic blocks serialize
    # across the web server and the Celery worker; WAL lets readers run alongside a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Persistent connections (seconds; CC's production default): without them every Celery task
# opens a new PostgreSQL connection (benchmarks/RESULTS.md). Health checks drop dead ones.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or IP address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Sign-in protection (django-axes) -----------------------------------------------------
# Failed sign-ins (the app's and the admin's) are counted per account, per (account, IP
# address) pair and per address (accounts.signin.SignInLimitsHandler): AXES_FAILURE_LIMIT
# failures lock that account or pair, AXES_IP_FAILURE_LIMIT failures (password spraying) lock
# the address for every account, each for AXES_COOLOFF_MINUTES after its last failure. So one
# person's typos don't lock out colleagues behind the same address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username"], ["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "accounts.signin.SignInLimitsHandler"
# Attempts refused during a lockout don't push its end further: the time shown holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The sign-in form's email field is called "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.signin.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no INFO line on every sign-in
AXES_LOCKOUT_CALLABLE = "accounts.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_ip"
AXES_ALLOWED_CORS_ORIGINS = PUBLIC_BASE_URL
# How many reverse proxies in front of Orgkeeper append to X-Forwarded-For: the client address
# is the one the outermost of them saw. 0: clients connect directly (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Request limits -----------------------------------------------------------------------
# No form here carries more than a few kilobytes: a bigger body is refused with 400 before
# any view reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # bytes
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Sessions and cookies -----------------------------------------------------------------
# Lax keeps the session cookie on the top-level GET back from Salesforce's authorize page.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True

# --- Security headers ---------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): see config/settings/security.py. Each settings module
# that changes ALLOW_INSECURE_LOGIN_HOSTS builds it again.
CONTENT_SECURITY_POLICY = content_security_policy(ALLOW_INSECURE_LOGIN_HOSTS)

# --- Internationalization -----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email --------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Orgkeeper <orgkeeper@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache --------------------------------------------------------------------------------
# The API's per-key rate limit and cached Salesforce API versions live here. CACHE_URL wins;
# otherwise Redis when the Celery broker is Redis; otherwise per-process memory, so the
# embedded setup needs no server (each web process then counts its own requests).
_broker_url = env("CELERY_BROKER_URL", default="filesystem://")
if env("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif _broker_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _broker_url,
        }
    }

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = _broker_url
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 5 * 60  # seconds
# Above a refresh's worst case (connections.checks E006: 4 x SALESFORCE_HTTP_TIMEOUT + 10 s).
CELERY_TASK_SOFT_TIME_LIMIT = 120  # seconds
# Messages each worker process reserves ahead. With 1, a process that finished a task waits for
# its ack and the next fetch from the broker before it can start another (a few ms per task,
# 10-20% of a refresh). Refreshes are short (seconds at most, bounded by
# SALESFORCE_HTTP_TIMEOUT) and idempotent, so a few reserved messages waiting behind a slow
# one cost little; with acks_late, messages of a worker that dies are redelivered.
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Without it, Celery's Django fixup closes the database connection around every task and
# CONN_MAX_AGE never applies in workers (celery/celery#9824): a new PostgreSQL connection per
# refresh. With it, the fixup only recycles them every this many tasks and config/celery.py
# ages them out the way Django does for requests.
CELERY_DB_REUSE_MAX = 1000
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# CELERY_BEAT_SCHEDULE: see the keep-alive section below.

# --- Logging ------------------------------------------------------------------------------
# LOG_FORMAT: "plain" (human-readable, the default) or "json" (one JSON object per line, for
# web, worker and beat). Every record carries request_id, connection_code and task_id where
# known (monitoring.logs); the JSON format prints them.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOG_FORMATS = ("plain", "json")
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": JSON_FORMATTER,
        # Django's own format for runserver's access log.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "context": {"()": "monitoring.logs.ContextFilter"},
        # The OAuth callback's code and state never reach a log (config/request_logging.py).
        "redact_callback_query": {"()": "config.request_logging.RedactCallbackQuery"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "redact_callback_query"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server" if LOG_FORMAT == "plain" else "json",
            "filters": ["context", "redact_callback_query"],
        },
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The root handler prints; Django's own console handler would print everything twice.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # 4xx are in the access log already; no PermissionDenied tracebacks.
        "django.request": {"level": "ERROR"},
        # oauthlib and urllib3 log request bodies and headers at DEBUG: keep them quiet.
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}

# --- Monitoring (/readyz, /metrics) -------------------------------------------------------
# /metrics answers only requests with "Authorization: Bearer <METRICS_TOKEN>"; unset: 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# prometheus-client's multiprocess directory (read by prometheus-client itself from the
# environment): each process writes its counters there and /metrics adds up the files of
# this directory and its subdirectories. Empty: each process counts for itself (one process).
PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR", default="")
if not PROMETHEUS_MULTIPROC_DIR:
    # Set but empty (a blank line in .env): prometheus-client would write its files to the
    # working directory.
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

# Error reports (the email to ADMINS) leave out the OAuth callback's query string.
DEFAULT_EXCEPTION_REPORTER = "config.request_logging.RedactingExceptionReporter"

# --- Salesforce connections and keep-alive (seconds) --------------------------------------
SALESFORCE_HTTP_TIMEOUT = env.float("SALESFORCE_HTTP_TIMEOUT", default=20.0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A refresh holds its connection's row lock during the token POST: bound every wait for
    # a row lock at the POST's timeout + 5 s (then a transient failure). Set at connect time,
    # so it costs no query per refresh (connections.keepalive).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c lock_timeout={int(SALESFORCE_HTTP_TIMEOUT * 1000) + 5000}"
    )
# Microsoft Dynamics 365 / Dataverse: the operator's one multi-tenant Microsoft Entra ID app
# (connections.providers.dynamics). Empty client ID: the wizard says what to set.
DYNAMICS_CLIENT_ID = env("DYNAMICS_CLIENT_ID", default="")
DYNAMICS_CLIENT_SECRET = env("DYNAMICS_CLIENT_SECRET", default="")
# The Microsoft identity platform's authority: sovereign clouds, or the local Entra emulator.
DYNAMICS_AUTHORITY = env("DYNAMICS_AUTHORITY", default="https://login.microsoftonline.com")
# Global Discovery Service; empty: derived from DYNAMICS_AUTHORITY.
DYNAMICS_DISCOVERY_URL = env("DYNAMICS_DISCOVERY_URL", default="")
# Environment URLs accepted besides Dataverse's hosts, by prefix (the emulator's
# http://127.0.0.1:8883/env/), comma-separated. Empty in production.
DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES = env.list(
    "DYNAMICS_ALLOWED_ENVIRONMENT_PREFIXES", default=[]
)
# Salesforce sends no expires_in: treat an access token as stale after this long.
ACCESS_TOKEN_LIFETIME = env.int("ACCESS_TOKEN_LIFETIME", default=3600)
# The API proxy keeps request bodies up to this many bytes in memory, so it can send them
# again after refreshing an expired token; larger ones are streamed once (api.proxy).
API_PROXY_MAX_BODY = env.int("API_PROXY_MAX_BODY", default=1024 * 1024)
# The ECA's "Limit Idle Refresh Token TTL to 30 Days" setting.
REFRESH_TOKEN_IDLE_TTL = env.int("REFRESH_TOKEN_IDLE_TTL", default=30 * 24 * 3600)
KEEPALIVE_INTERVAL = env.int("KEEPALIVE_INTERVAL", default=24 * 3600)
KEEPALIVE_SWEEP_INTERVAL = env.int("KEEPALIVE_SWEEP_INTERVAL", default=15 * 60)
# next_refresh_at = last use + KEEPALIVE_INTERVAL ± this fraction of it (random), so
# connections authorized together spread out.
KEEPALIVE_JITTER = env.float("KEEPALIVE_JITTER", default=0.1)
# Retry delay for misconfigured connections and after transient failures; also how long a
# sweep's claim on a due connection lasts.
KEEPALIVE_RETRY_AFTER = env.int("KEEPALIVE_RETRY_AFTER", default=3600)
# Celery retries of a transient failure: first delay (doubling, capped) and count.
KEEPALIVE_RETRY_BACKOFF = env.int("KEEPALIVE_RETRY_BACKOFF", default=30)
KEEPALIVE_RETRY_BACKOFF_MAX = env.int("KEEPALIVE_RETRY_BACKOFF_MAX", default=30 * 60)
KEEPALIVE_MAX_RETRIES = env.int("KEEPALIVE_MAX_RETRIES", default=6)
# Email the team when a refresh token is this close to its idle expiry.
KEEPALIVE_EXPIRY_WARNING = env.int("KEEPALIVE_EXPIRY_WARNING", default=3 * 24 * 3600)
# At most this many due connections are enqueued per sweep.
KEEPALIVE_SWEEP_BATCH = env.int("KEEPALIVE_SWEEP_BATCH", default=10_000)
# Validated by connections.checks (manage.py check) and again by the kickoff task.

# --- Webhooks (the webhooks app) -------------------------------------------------------------
# Seconds each delivery attempt may take in all (connect, headers and body: a deadline).
WEBHOOK_TIMEOUT = env.int("WEBHOOK_TIMEOUT", default=10)
# Development and tests only: allow http:// URLs, and hosts resolving to loopback, private or
# link-local addresses (a receiver on 127.0.0.1). Production refuses both.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
WEBHOOK_SWEEP_INTERVAL = 60

CELERY_BEAT_SCHEDULE = {
    "keepalive-kickoff": {
        "task": "connections.tasks.keepalive_kickoff",
        "schedule": KEEPALIVE_SWEEP_INTERVAL,
        # A kickoff that waited longer than one interval is redundant: the next one runs.
        "options": {"expires": KEEPALIVE_SWEEP_INTERVAL},
    },
    "webhooks-kickoff": {
        "task": "webhooks.tasks.webhooks_kickoff",
        "schedule": WEBHOOK_SWEEP_INTERVAL,
        "options": {"expires": WEBHOOK_SWEEP_INTERVAL},
    },
}

# --- HTTP API (the api app) -----------------------------------------------------------------
# Requests per API key: requests/period with period s, m, h or d (checked by api.checks).
API_RATE_LIMIT = env("API_RATE_LIMIT", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.APIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasAPIKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.ratelimit.KeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Orgkeeper API",
    "DESCRIPTION": (
        "Use a team's Salesforce connections from other software. Authenticate with a team "
        "API key: `Authorization: Bearer okk_…`. Errors are RFC 9457 problem details "
        "(`application/problem+json`) with a stable `code`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}
