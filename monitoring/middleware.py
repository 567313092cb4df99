"""Request middleware: the request ID for the logs, and the API request metrics."""

import re
import time
import uuid

from django.http import HttpRequest, HttpResponse

from . import logs, metrics

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming ID is kept only if it is short and plain (it is logged and echoed back).
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
API_PREFIX = "/api/v1/"
# The URL keyword that holds a connection's code, per URL namespace (app_name). Other
# namespaces' codes (API keys, invitations) name no connection.
CONNECTION_KWARG = {"connections": "code", "api": "id"}


class RequestContextMiddleware:
    """Binds the request ID (the client's ``X-Request-ID`` if valid, else a new one) and the
    connection's ``code`` from the URL to the log context, and returns the ID in the
    response's ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Reset afterwards, so nothing bound during the request outlives it in this thread.
        # Not a copied context per request: what Django keeps per context (the cache
        # backends, asgiref.local) would then be built again on every request, a new Redis
        # connection each time.
        token = logs.replace(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            logs.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        match = request.resolver_match
        kwarg = CONNECTION_KWARG.get(match.app_name) if match else None
        try:
            code = uuid.UUID(str(view_kwargs[kwarg]))
        except (KeyError, ValueError):
            return
        logs.bind(connection_code=str(code))


class APIMetricsMiddleware:
    """Counts and times the requests under /api/v1/ by endpoint (the URL's route name, never
    the path), method and status (metrics.observe_api_request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        metrics.observe_api_request(
            request.resolver_match,
            request.method,
            response.status_code,
            time.perf_counter() - started,
        )
        return response
