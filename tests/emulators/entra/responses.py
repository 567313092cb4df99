"""HTTP answers shared by the views: JSON, HTML, redirects, and Entra's error fields."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from .clock import iso
from .errors import EntraError
from .store import Store


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json", headers=headers)


def html_response(html: str, status: int = 200) -> Response:
    return Response(html, status=status, mimetype="text/html")


def redirect_response(uri: str, params: dict[str, str]) -> Response:
    separator = "&" if "?" in uri else "?"
    location = uri + separator + urlencode(params) if params else uri
    return Response("", status=302, headers={"Location": location})


def correlation_id(header: str | None) -> str:
    """The caller's `client-request-id` when it is a GUID (Entra echoes it), else a new one."""
    try:
        return str(uuid.UUID(header)) if header else str(uuid.uuid4())
    except ValueError:
        return str(uuid.uuid4())


def error_fields(store: Store, error: EntraError, correlation: str | None = None) -> dict[str, Any]:
    """`error_description` ends with Trace ID, Correlation ID and Timestamp lines, as Entra's do."""
    trace, correlation = str(uuid.uuid4()), correlation or str(uuid.uuid4())
    timestamp = iso(store.clock.reported())
    description = (
        f"AADSTS{error.code}: {error.text}\r\nTrace ID: {trace}\r\n"
        f"Correlation ID: {correlation}\r\nTimestamp: {timestamp}"
    )
    return {
        "error": error.error,
        "error_description": description,
        "error_codes": [error.code],
        "timestamp": timestamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"{store.base_url}/error?code={error.code}",
        **error.extra,
    }


def token_error(store: Store, error: EntraError, correlation: str | None = None) -> Response:
    return json_response(error_fields(store, error, correlation), status=error.status)
