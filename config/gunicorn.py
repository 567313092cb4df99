"""gunicorn settings: ``gunicorn -c config/gunicorn.py config.wsgi`` (docker-compose, the
Dockerfile). Command-line options override these.
Reference: https://docs.gunicorn.org/en/stable/settings.html"""

import glob
import logging
import os
from pathlib import Path

import environ

from monitoring.logs import JSON_FORMATTER

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

bind = "0.0.0.0:8881"
workers = env.int("WEB_CONCURRENCY", default=3)
# gunicorn kills a sync worker that spends longer than ``timeout`` on one request. Killed
# between Salesforce rotating a refresh token and our commit, the token would be lost, so
# the timeout is above one request's worst case. The longest requests (the API proxy, Test
# connection) refresh at most twice and call Salesforce twice. With T = SALESFORCE_HTTP_TIMEOUT
# (same default as config/settings/base.py): a refresh waits for two row locks (at most
# T + 5 s each; T for the API), POSTs (connect and read timeouts, T each) and may write its
# answer again after a database error (connections.token_writes, at most 30 s): 4T + 40 s.
# A REST call (or the API-version lookup) takes at most 2T. So 2 x (4T + 40) + 2 x 2T = 12T
# + 80 s, plus a 20 s margin.
timeout = int(12 * env.float("SALESFORCE_HTTP_TIMEOUT", default=20.0)) + 100
accesslog = "-"
# The access log leaves out the OAuth callback's code and state (config/gunicorn_logging.py).
logger_class = "config.gunicorn_logging.RedactingLogger"
# gunicorn's default format, plus the request ID the app put in the response header.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)


class AccessRequestID(logging.Filter):
    """Gives each access-log record the ``request_id`` of its response's X-Request-ID."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args if isinstance(record.args, dict) else {}
        record.request_id = atoms.get("{x-request-id}o")
        return True


if env("LOG_FORMAT", default="plain") == "json":
    _console = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stdout",
        "filters": ["context"],
    }
    logconfig_dict = {
        "formatters": {"json": JSON_FORMATTER},
        "filters": {
            "context": {"()": "monitoring.logs.ContextFilter"},
            "access": {"()": AccessRequestID},
        },
        "handlers": {"console": _console, "access": {**_console, "filters": ["access"]}},
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }


def on_starting(server) -> None:
    """prometheus-client's multiprocess directory must start empty (its files are per
    process ID). Only this directory's own files: containers write to subdirectories."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)
