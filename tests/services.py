"""Whether the real PostgreSQL and Redis that ``services`` tests need are configured and up."""

import os
import socket
from urllib.parse import urlsplit


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def missing_services() -> str:
    """Empty when PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL) are configured and
    reachable; otherwise why not."""
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL is not a postgres:// URL")
    elif not _reachable(database_url, 5432):
        problems.append("PostgreSQL at DATABASE_URL is not reachable")
    if not broker_url.startswith("redis://"):
        problems.append("CELERY_BROKER_URL is not a redis:// URL")
    elif not _reachable(broker_url, 6379):
        problems.append("Redis at CELERY_BROKER_URL is not reachable")
    return "; ".join(problems)


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "no")
