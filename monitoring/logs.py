"""What each log line carries besides its message: the request ID, the connection's ``code``
and the Celery task ID, where there is one. They live in a context variable that the request
middleware, the Celery task signals and the keep-alive bind, and ``ContextFilter`` copies onto
every record (the JSON format prints them; see LOG_FORMAT in config/settings/base.py)."""

import logging
from contextvars import ContextVar, Token

FIELDS = ("request_id", "connection_code", "task_id")

# LOG_FORMAT=json (python-json-logger): one object per line with "timestamp" (ISO 8601, UTC),
# "level", "logger", "message", the FIELDS, and "exc_info" for tracebacks. A logging
# dictConfig formatter; also used by config/gunicorn.py.
JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": ["levelname", "name", "message"],
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": True,
}

_context: ContextVar[dict[str, str]] = ContextVar("orgkeeper_log_context")


def bind(**fields: str) -> Token:
    """Add ``fields`` (names from FIELDS) to the context of the current request or task;
    ``reset(token)`` restores the context as it was before."""
    return _context.set({**_context.get({}), **fields})


def replace(**fields: str) -> Token:
    """Make ``fields`` the whole context (dropping what was bound before);
    ``reset(token)`` restores it."""
    return _context.set(dict(fields))


def reset(token: Token) -> None:
    _context.reset(token)


def clear() -> None:
    _context.set({})


def current() -> dict[str, str]:
    return dict(_context.get({}))


class ContextFilter(logging.Filter):
    """Sets ``request_id``, ``connection_code`` and ``task_id`` on every record (None when
    unknown), unless the record already has them."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get({})
        for field in FIELDS:
            if getattr(record, field, None) is None:
                setattr(record, field, context.get(field))
        return True
