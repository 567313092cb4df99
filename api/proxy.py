"""The Salesforce REST proxy: ``/api/v1/connections/{id}/proxy/services/<path>``.

Forwards the request to ``{current instance_url}/services/<path>`` with the connection's
access token and returns Salesforce's answer as it came (status, body, Content-Type,
Sforce-Limit-Info). Only end-to-end headers on an allowlist travel either way, so
hop-by-hop headers, cookies and the caller's Authorization never reach Salesforce, and
Salesforce's cookies never reach the caller.

On 401 INVALID_SESSION_ID it asks the keep-alive for a new token once, conditionally on the
token version it sent (``issue_access_token(rejected_generation=...)``), so any number of
proxied calls that saw the same 401 cause one refresh. It then retries once if it buffered
the body (up to API_PROXY_MAX_BODY bytes); a larger body was streamed to Salesforce and
can't be sent again, so Salesforce's 401 comes back and the caller's retry gets the new token.
Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

import itertools
import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from connections import http, keepalive, providers
from connections.models import TokenSet
from connections.providers.base import ApiError, Unavailable

from . import problems, views
from .access import get_connection_for_token
from .models import APIKey
from .permissions import requires_scope
from .proxy_paths import InvalidProxyPath, forwarded_path

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
# End-to-end request headers a REST call may need; Sforce-* (call options, query batch
# size, auto-assign...) go along too. Everything else stays here.
REQUEST_HEADERS = (
    "Content-Type",
    "Accept",
    "Accept-Language",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "X-PrettyPrint",
)
RESPONSE_HEADERS = (
    "Content-Type",
    "ETag",
    "Last-Modified",
    "Location",
    "Retry-After",
)


class _Body:
    """The request body, streamed from the client to Salesforce with its Content-Length
    (requests sends a file-like object that has ``__len__`` as is, in blocks)."""

    def __init__(self, stream, length: int) -> None:
        self.stream = stream
        self.length = length

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        return self.stream.read(size)

    def __iter__(self):
        while block := self.stream.read(CHUNK):
            yield block


class IgnoreAccept(BaseContentNegotiation):
    """The caller's Accept is for Salesforce (JSON or XML): DRF must not refuse it with 406.
    Orgkeeper's own answers (problem details) are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


def _request_headers(request: Request, provider) -> dict[str, str]:
    """The allowlisted headers, and those starting with one of the provider's
    ``proxy_header_prefixes`` (Salesforce's Sforce-*)."""
    headers = {name: request.headers[name] for name in REQUEST_HEADERS if name in request.headers}
    prefixes = tuple(prefix.lower() for prefix in provider.proxy_header_prefixes)
    for name, value in request.headers.items():
        if name.lower().startswith(prefixes):
            headers[name] = value
    return headers


class LengthRequired(problems.Problem):
    status_code = 411
    code = "length_required"
    title = "Length required"
    default_detail = "Send the request body with a Content-Length header, not chunked."


def _request_body(request: Request):
    """bytes (buffered, can be sent twice), a streamed ``_Body``, or None."""
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # Django reads a body by its Content-Length only: a chunked one would arrive empty.
        raise LengthRequired()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise problems.Problem("The Content-Length header is not a number.") from None
    if length <= 0 or request.stream is None:
        return None
    if length <= settings.API_PROXY_MAX_BODY:
        return request.stream.read()
    return _Body(request.stream, length)


def _unavailable(error: Exception, provider) -> problems.SalesforceUnavailable:
    return problems.SalesforceUnavailable(
        str(http.unreachable(error, provider.label)), retry_after=views.UNAVAILABLE_RETRY_AFTER
    )


def _is_invalid_session(upstream, provider) -> bool:
    """The provider's answer says the token is dead (Salesforce: 401 INVALID_SESSION_ID)."""
    if upstream.status_code != 401:
        return False
    try:
        body = upstream.content
    except requests.RequestException as error:
        raise _unavailable(error, provider) from None
    return provider.is_expired_session(upstream.status_code, body)


def _issue(connection, **options) -> keepalive.IssuedToken:
    try:
        return keepalive.issue_access_token(connection, **options)
    except keepalive.NotConnected:
        connection.refresh_from_db()
        raise views.connection_problem(connection) from None
    except keepalive.RefreshFailed as failure:
        raise views.refresh_problem(failure, connection) from None


def _joined_tokens(connection) -> TokenSet | None:
    """The TokenSet the connection lookup joined (saves ``issue_access_token`` a query)."""
    try:
        return connection.tokens
    except TokenSet.DoesNotExist:
        return None


def _send(
    provider, method: str, issued: keepalive.IssuedToken, path: str, query: str, headers, body
):
    url = f"{issued.instance_url}/{provider.proxy_prefix}{path}" + (f"?{query}" if query else "")
    try:
        return provider.forward(method, url, issued.access_token, headers, body)
    except Unavailable as error:
        raise problems.SalesforceUnavailable(
            str(error), retry_after=views.UNAVAILABLE_RETRY_AFTER
        ) from None
    except ApiError as error:
        raise problems.Misconfigured(str(error)) from None


def _stream(upstream, chunks):
    try:
        yield from chunks
    finally:
        upstream.close()


def _response(upstream, provider) -> HttpResponse | StreamingHttpResponse:
    """Salesforce's answer: its status, the allowlisted headers and the body. A body of up
    to CHUNK bytes goes in one piece with its Content-Length; a longer one is streamed
    (requests replays a body that was already read)."""
    try:
        chunks = upstream.iter_content(CHUNK)
        first = next(chunks, b"")
        second = next(chunks, None)
    except requests.RequestException as error:  # cut off before we answered: say so
        upstream.close()
        raise _unavailable(error, provider) from None
    if second is None:
        response = HttpResponse(first, status=upstream.status_code)
        response["Content-Length"] = str(len(first))
        upstream.close()
    else:
        body = _stream(upstream, itertools.chain((first, second), chunks))
        response = StreamingHttpResponse(body, status=upstream.status_code)
    for name in (*RESPONSE_HEADERS, *provider.proxy_response_headers):
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    if "Content-Type" not in upstream.headers:
        del response["Content-Type"]
    response["Cache-Control"] = "private, no-store"
    path = urlsplit(upstream.url).path  # no query: it may hold data
    return problems.answered_on_purpose(response, path, f"from {provider.label}")


def _final_answer(connection, upstream, provider) -> HttpResponse | StreamingHttpResponse:
    """The provider's answer to a fresh token; a 401 that says the app's session policy
    blocks the API becomes 424 misconfigured (another refresh can't help, the refresh token
    is fine)."""
    if _is_invalid_session(upstream, provider) and provider.session_policy_blocks_api(
        upstream.status_code, upstream.content
    ):
        upstream.close()
        logger.warning("Connection %s: the app's session policy blocks API use", connection.pk)
        problem = provider.session_policy_problem
        raise views.misconfigured_problem(connection, problem.reason, problem.step)
    return _response(upstream, provider)


@extend_schema(
    tags=["proxy"],
    request=None,
    responses={
        (200, "*/*"): OpenApiResponse(description="Salesforce's answer, as it came."),
        **views.problem_responses(400, 405, 409, 424, 503),
    },
)
class Proxy(APIView):
    """Call Salesforce's REST API with the connection's token: the request goes to
    ``{instance_url}/services/<path>`` with its query string, body, Content-Type, Accept and
    Sforce-* headers; Salesforce's status, body, Content-Type and Sforce-Limit-Info come
    back. A 401 INVALID_SESSION_ID refreshes the token once (conditionally) and retries a
    body up to API_PROXY_MAX_BODY bytes once. Redirects are not followed."""

    permission_classes = [requires_scope(APIKey.Scope.PROXY)]
    content_negotiation_class = IgnoreAccept
    # The issue's methods only: no HEAD (GET without a body) and no OPTIONS (DRF metadata).
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def _forward(self, request: Request, id: str, path: str, prefix: str = "services/"):
        connection = get_connection_for_token(request.auth, id)
        provider = providers.for_connection(connection)
        if prefix != provider.proxy_prefix:
            raise InvalidProxyPath(
                f"The proxy forwards only paths under {provider.proxy_prefix} for a "
                f"{provider.label} connection."
            )
        target = forwarded_path(path, request.META, prefix)
        query = request.META.get("QUERY_STRING", "")
        headers = _request_headers(request, provider)
        body = _request_body(request)
        issued = _issue(connection, tokens=_joined_tokens(connection))
        upstream = _send(provider, request.method, issued, target, query, headers, body)
        if not _is_invalid_session(upstream, provider):
            return _response(upstream, provider)
        logger.info("Connection %s: proxied call got 401, refreshing once", connection.pk)
        try:
            fresh = _issue(connection, rejected_generation=issued.generation)
        except Exception:
            upstream.close()
            raise
        if fresh.generation == issued.generation:  # too young to refresh: no new token
            return _final_answer(connection, upstream, provider)
        if isinstance(body, _Body):  # streamed: can't be sent again
            return _response(upstream, provider)
        upstream.close()
        retried = _send(provider, request.method, fresh, target, query, headers, body)
        return _final_answer(connection, retried, provider)

    get = post = put = patch = delete = _forward
