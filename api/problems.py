"""RFC 9457 problem details: every API error is ``application/problem+json`` with a stable
``code``, a ``title`` and a ``detail``, and never a secret.

Raise a ``Problem`` subclass from a view (or a lookup it calls); ``exception_handler`` turns
those and DRF's own exceptions into problem responses. Reference:
https://www.rfc-editor.org/rfc/rfc9457#section-3
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/v1/"


class Problem(exceptions.APIException):
    """An API error. ``extra`` members are added to the body; ``retry_after`` (seconds)
    becomes the Retry-After header and a ``retry_after`` member."""

    status_code = 400
    code = "bad_request"
    title = "Bad request"
    default_detail = "The request is not valid."

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None, **extra):
        super().__init__(detail or self.default_detail, self.code)
        self.retry_after = retry_after
        self.extra = extra


class Unauthenticated(Problem):
    status_code = 401
    code = "unauthenticated"
    title = "Not authenticated"
    default_detail = "Send a team API key as 'Authorization: Bearer okk_…'."


class InsufficientScope(Problem):
    status_code = 403
    code = "insufficient_scope"
    title = "Insufficient scope"
    default_detail = "The API key lacks the scope this endpoint needs."


class ConnectionNotFound(Problem):
    status_code = 404
    code = "connection_not_found"
    title = "Connection not found"
    default_detail = "This API key has no connection with this ID."


class NotFound(Problem):
    status_code = 404
    code = "not_found"
    title = "Not found"
    default_detail = "There is no API endpoint at this URL."


class MethodNotAllowed(Problem):
    status_code = 405
    code = "method_not_allowed"
    title = "Method not allowed"
    default_detail = "This endpoint doesn't take this HTTP method (see the Allow header)."


class NotAcceptable(Problem):
    status_code = 406
    code = "not_acceptable"
    title = "Not acceptable"
    default_detail = "The API answers application/json only."


class NotConnected(Problem):
    status_code = 409
    code = "not_connected"
    title = "Not connected"
    default_detail = "The connection is a draft, waits for a sign-in or is disconnected."


class UnsupportedMediaType(Problem):
    status_code = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"
    default_detail = "Send the request body as application/json."


class NeedsReauthorization(Problem):
    status_code = 424
    code = "needs_reauthorization"
    title = "Needs re-authorization"
    default_detail = (
        "Salesforce no longer accepts the connection's refresh token: reauthorize_url is the "
        "page to sign in again."
    )


class Misconfigured(Problem):
    status_code = 424
    code = "misconfigured"
    title = "Misconfigured"
    default_detail = (
        "The connection's setup needs a fix: guidance says what, setup_step which step, "
        "fix_url where."
    )


class RateLimited(Problem):
    status_code = 429
    code = "rate_limited"
    title = "Rate limited"
    default_detail = "This API key sent too many requests (API_RATE_LIMIT)."


class ServerError(Problem):
    status_code = 500
    code = "server_error"
    title = "Server error"
    default_detail = "Orgkeeper failed to handle the request; it was logged."


class SalesforceUnavailable(Problem):
    status_code = 503
    code = "salesforce_unavailable"
    title = "Salesforce unavailable"
    default_detail = "Salesforce could not be reached or had a problem. Try again later."


class RefreshInProgress(Problem):
    status_code = 503
    code = "refresh_in_progress"
    title = "Refresh in progress"
    default_detail = "Another request is refreshing this connection's token. Try again shortly."


class PayloadTooLarge(Problem):
    status_code = 413
    code = "payload_too_large"
    title = "Payload too large"
    default_detail = "The request body is larger than this endpoint accepts."


class ValidationFailed(Problem):
    status_code = 400
    code = "validation_error"
    title = "Invalid request"
    default_detail = "The request body is not valid; see errors."


class ParseError(Problem):
    status_code = 400
    code = "parse_error"
    title = "Malformed request"
    default_detail = "The request body is not valid JSON."


def catalogue() -> list[dict]:
    """Every problem ``code`` as ``{"status", "code", "title", "detail"}`` (the default
    detail), by status then code: the docs page lists them, each at the anchor
    ``problem-<code>`` the ``type`` URIs point at."""
    found, pending = {}, [Problem]
    while pending:
        problem = pending.pop()
        found.setdefault(problem.code, problem)
        pending.extend(problem.__subclasses__())
    return [
        {
            "status": problem.status_code,
            "code": problem.code,
            "title": problem.title,
            "detail": problem.default_detail,
        }
        for problem in sorted(found.values(), key=lambda p: (p.status_code, p.code))
    ]


def problem_body(problem: Problem, instance: str = "") -> dict:
    """The JSON members of ``problem``'s response."""
    body = {
        "type": f"{settings.PUBLIC_BASE_URL}{API_PREFIX}docs/#problem-{problem.code}",
        "code": problem.code,
        "title": problem.title,
        "status": problem.status_code,
        "detail": str(problem.detail),
    }
    if instance:
        body["instance"] = instance
    if problem.retry_after is not None:
        body["retry_after"] = problem.retry_after
    body.update(problem.extra)
    return body


def _headers(problem: Problem) -> dict:
    return {} if problem.retry_after is None else {"Retry-After": str(problem.retry_after)}


def to_problem(exc: Exception) -> Problem | None:
    """The Problem for a DRF or Django exception, or None for an unexpected one."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return Unauthenticated()
    if isinstance(exc, exceptions.PermissionDenied):
        return InsufficientScope()
    if isinstance(exc, exceptions.Throttled):
        return RateLimited(retry_after=max(1, math.ceil(exc.wait or 1)))
    if isinstance(exc, exceptions.ValidationError):
        fields = ", ".join(exc.detail) if isinstance(exc.detail, dict) else ""
        detail = f"The request body is not valid ({fields}); see errors." if fields else None
        return ValidationFailed(detail, errors=exc.detail)
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )
    if isinstance(exc, exceptions.ParseError):
        return ParseError()
    if isinstance(exc, exceptions.MethodNotAllowed):
        return MethodNotAllowed(str(exc.detail))
    if isinstance(exc, exceptions.NotAcceptable):
        return NotAcceptable()
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return UnsupportedMediaType()
    if isinstance(exc, exceptions.NotFound):
        return NotFound(str(exc.detail))
    if isinstance(exc, exceptions.APIException):
        problem = Problem(str(exc.detail))
        problem.status_code = exc.status_code
        return problem
    return None


def answered_on_purpose(response: HttpResponse, path: str, what: str) -> HttpResponse:
    """Mark ``response`` (a problem we chose, or Salesforce's own status through the proxy)
    as logged: it is no crash, so django.request must not log a 5xx at ERROR, which also
    emails the admins. A 5xx is logged here at WARNING, ``what`` saying which."""
    if response.status_code >= 500:
        logger.warning("%s %s: %s", response.status_code, what, path)
    response._has_been_logged = True  # read by django.utils.log.log_response
    return response


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: problem+json for every API error. Django's Http404 and
    PermissionDenied are converted by DRF before they get here. Unexpected exceptions are
    left to Django (logged, then ``server_error`` below)."""
    from rest_framework.views import set_rollback

    problem = to_problem(exc)
    if problem is None:
        return None
    set_rollback()
    request = context.get("request")
    response = Response(
        problem_body(problem, request.path if request is not None else ""),
        status=problem.status_code,
        headers=_headers(problem),
        content_type=CONTENT_TYPE,
    )
    if problem.status_code == 401:  # RFC 6750 §3
        response["WWW-Authenticate"] = 'Bearer realm="orgkeeper"'
    return answered_on_purpose(response, request.path if request is not None else "", problem.code)


def problem_response(problem: Problem, request: HttpRequest) -> JsonResponse:
    """A problem response outside DRF (URL resolution, crashes)."""
    return JsonResponse(
        problem_body(problem, request.path),
        status=problem.status_code,
        headers=_headers(problem),
        content_type=CONTENT_TYPE,
    )


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """The API URLconf's catch-all: a problem+json 404 for any method."""
    return problem_response(NotFound(), request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: problem+json under /api/v1/, the site's 404 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return problem_response(NotFound(), request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: problem+json under /api/v1/, the site's 500 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return problem_response(ServerError(), request)
    return defaults.server_error(request)
