"""gunicorn's access log without the OAuth callback's ``code`` and ``state``: use
``--logger-class config.gunicorn_logging.RedactingLogger`` (or ``logger_class`` in a gunicorn
config file). See config/request_logging.py."""

from gunicorn.glogging import Logger

from .request_logging import REDACTED, is_callback, redact_callback_query


class RedactingLogger(Logger):
    """Every access-log atom (request line, query, referer, headers, environ) has the query
    string of a callback URL replaced by [redacted]."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        query = environ.get("QUERY_STRING") if is_callback(environ.get("PATH_INFO")) else None
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = REDACTED if query and value == query else redact_callback_query(value)
        return atoms
