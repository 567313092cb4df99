"""The HTTP API (/api/v1/): connections, access tokens and the connection test. Every view
loads its connection through ``get_connection_for_key``; errors are problem details."""

from functools import cache

from django.conf import settings
from django.db.models.functions import Lower
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connections import guidance, keepalive, providers
from connections.errors import ErrorKind
from connections.models import Connection, ConnectionEvent, TokenSet
from connections.providers.base import ProviderError, Unavailable

from . import problems, versions
from .access import TOKEN_SECRETS, get_connection_for_key, get_connection_for_token
from .models import APIKey
from .permissions import requires_scope
from .serializers import (
    AccessTokenRequestSerializer,
    AccessTokenSerializer,
    ConnectionSerializer,
    InvalidTokenRequestSerializer,
    ProblemSerializer,
    TestResultSerializer,
)

Status = Connection.Status
Scope = APIKey.Scope

# Seconds a caller should wait before retrying a 503.
REFRESH_RETRY_AFTER = 2
UNAVAILABLE_RETRY_AFTER = 30


def problem_responses(*statuses: int) -> dict:
    """drf-spectacular ``responses`` entries: a problem for 401, 403, 404, 429 and ``statuses``."""
    problem = OpenApiResponse(ProblemSerializer, description="RFC 9457 problem details")
    return {(status, problems.CONTENT_TYPE): problem for status in (401, 403, 404, 429, *statuses)}


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def misconfigured_problem(
    connection: Connection, text: str, step: int | None = None
) -> problems.Misconfigured:
    """424 misconfigured with the guidance ``text``, the setup ``step`` that fixes it (the
    provider's Classification.step; None: no step) and the connection's page."""
    return problems.Misconfigured(
        f"The connection is misconfigured: {text}",
        guidance=text,
        setup_step=step,
        fix_url=_absolute(connection.get_absolute_url()),
    )


def recorded_setup_step(connection: Connection) -> int | None:
    """The setup step of the classification that gave the connection its status reason, as
    the connection's history recorded it (``status_change``'s ``error.setup_step``); None
    when no recorded misconfiguration has that reason."""
    return (
        connection.events.filter(
            data__error__kind=str(ErrorKind.MISCONFIGURED),
            data__error__reason=connection.status_reason,
        )
        .order_by("-created", "-id")
        .values_list("data__error__setup_step", flat=True)
        .first()
    )


def connection_problem(connection: Connection) -> problems.Problem:
    """The problem for a connection whose status gives no usable token."""
    if connection.status == Status.NEEDS_REAUTHORIZATION:
        return problems.NeedsReauthorization(
            connection.status_reason
            or "Salesforce no longer accepts this connection's refresh token.",
            reauthorize_url=_absolute(
                reverse("connections:credentials", args=[connection.team.slug, connection.code])
            ),
        )
    if connection.status == Status.MISCONFIGURED:
        text = connection.status_reason or connection.last_error
        step = recorded_setup_step(connection) if connection.status_reason else None
        return misconfigured_problem(connection, text, step)
    if connection.status == Status.CONNECTED:  # changed under us: the caller may retry
        return problems.RefreshInProgress(retry_after=REFRESH_RETRY_AFTER)
    return problems.NotConnected(guidance.not_connected(connection))


def refresh_problem(failure: keepalive.RefreshFailed, connection: Connection) -> problems.Problem:
    """The problem for a refresh that failed (the keep-alive recorded it)."""
    result = failure.result
    if result.busy:
        return problems.RefreshInProgress(retry_after=REFRESH_RETRY_AFTER)
    if result.kind == ErrorKind.TRANSIENT:
        return problems.SalesforceUnavailable(
            f"The token couldn't be refreshed: {result.message}",
            retry_after=UNAVAILABLE_RETRY_AFTER,
        )
    connection.refresh_from_db()
    return connection_problem(connection)


def _not_connected(connection: Connection) -> problems.Problem:
    connection.refresh_from_db()
    return connection_problem(connection)


class ConnectionPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema(
    tags=["connections"],
    parameters=[
        OpenApiParameter("status", str, enum=list(Status.values), description="Only this status.")
    ],
    responses={200: ConnectionSerializer(many=True), **problem_responses()},
)
class ConnectionList(generics.ListAPIView):
    """The key's team's connections (or the subset the key is restricted to)."""

    serializer_class = ConnectionSerializer
    pagination_class = ConnectionPagination
    permission_classes = [requires_scope(Scope.CONNECTIONS_READ)]

    def get_queryset(self):
        queryset = (
            self.request.auth.connection_queryset()
            .select_related("team", "tokens")
            .defer(*TOKEN_SECRETS)
            .order_by(Lower("name"), "pk")
        )
        status = self.request.query_params.get("status")
        if status is not None:
            if status not in Status.values:
                raise problems.ValidationFailed(
                    f"Unknown status {status!r}: use one of {', '.join(Status.values)}.",
                    errors={"status": [f"Choose one of {', '.join(Status.values)}."]},
                )
            queryset = queryset.filter(status=status)
        return queryset


@extend_schema(tags=["connections"], responses={200: ConnectionSerializer, **problem_responses()})
class ConnectionDetail(APIView):
    """One connection."""

    permission_classes = [requires_scope(Scope.CONNECTIONS_READ)]

    def get(self, request: Request, id: str) -> Response:
        connection = get_connection_for_key(
            request.auth, id, ("team", "tokens"), with_access_token=False
        )
        return Response(ConnectionSerializer(connection).data)


def _token_response(connection: Connection, issued: keepalive.IssuedToken) -> Response:
    # Plain values (AccessTokenSerializer documents them): DRF's JSON encoder writes the
    # datetimes as ISO 8601, and a serializer per request costs more than the rest.
    said = providers.for_connection(connection).policies.token_response_has_expires_in
    data = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "instance_url": issued.instance_url,
        "api_base_url": versions.api_base_url(connection, issued.instance_url, issued.access_token),
        "org_id": connection.organization_id,
        "user_id": connection.user_id,
        "username": connection.username,
        "issued_at": issued.issued_at,
        "expires_at": issued.expires_at,
        # "provider": the token response's expires_in; "estimate": ACCESS_TOKEN_LIFETIME.
        "expires_at_source": "provider" if said else "estimate",
        "token_version": issued.generation,
        "refreshed": issued.refreshed,
    }
    response = Response(data)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _issue(connection: Connection, **options) -> Response:
    try:
        tokens = connection.tokens
    except TokenSet.DoesNotExist:
        tokens = None
    try:
        issued = keepalive.issue_access_token(connection, tokens=tokens, **options)
    except keepalive.NotConnected:
        raise _not_connected(connection) from None
    except keepalive.RefreshFailed as failure:
        raise refresh_problem(failure, connection) from None
    return _token_response(connection, issued)


TOKEN_ERRORS = problem_responses(400, 409, 424, 503)


@cache
def _token_request_defaults() -> dict:
    """What AccessTokenRequestSerializer makes of an empty body."""
    body = AccessTokenRequestSerializer(data={})
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class AccessToken(APIView):
    """A current access token, refreshed first when it would live less than
    ``min_ttl_seconds`` (or on ``force_refresh``, at most once per 30 s). Concurrent
    refreshes are single-flight: one token request at Salesforce."""

    permission_classes = [requires_scope(Scope.TOKENS_ISSUE)]

    @extend_schema(
        tags=["tokens"],
        request=AccessTokenRequestSerializer,
        responses={200: AccessTokenSerializer, **TOKEN_ERRORS},
    )
    def post(self, request: Request, id: str) -> Response:
        connection = get_connection_for_token(request.auth, id)
        data = {} if request.data is None else request.data
        if type(data) is dict and not data:
            # No body, the usual call: the defaults, without building a serializer.
            options = _token_request_defaults()
        else:
            body = AccessTokenRequestSerializer(data=data)
            body.is_valid(raise_exception=True)
            options = body.validated_data
        return _issue(
            connection,
            min_ttl=options["min_ttl_seconds"],
            force_refresh=options["force_refresh"],
        )


class InvalidAccessToken(APIView):
    """Report that Salesforce refused the token ``token_version`` (HTTP 401). If it is still
    the current one, Orgkeeper refreshes (once, however many callers report it); if a newer
    token exists, that one comes back at once with ``refreshed: false``."""

    permission_classes = [requires_scope(Scope.TOKENS_ISSUE)]

    @extend_schema(
        tags=["tokens"],
        request=InvalidTokenRequestSerializer,
        responses={200: AccessTokenSerializer, **TOKEN_ERRORS},
    )
    def post(self, request: Request, id: str) -> Response:
        connection = get_connection_for_token(request.auth, id)
        body = InvalidTokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _issue(connection, rejected_generation=body.validated_data["token_version"])


class TestConnection(APIView):
    """The connection page's Test connection: one REST call with the stored tokens
    (refreshing once on 401 INVALID_SESSION_ID). ``ok`` says whether Salesforce answered."""

    permission_classes = [requires_scope(Scope.CONNECTIONS_READ)]

    @extend_schema(
        tags=["connections"],
        request=None,
        responses={200: TestResultSerializer, **problem_responses(409, 424, 503)},
    )
    def post(self, request: Request, id: str) -> Response:
        connection = get_connection_for_key(request.auth, id)
        via = f" (API key {request.auth.label})"
        provider = providers.for_connection(connection)
        try:
            body = keepalive.call_api(connection, provider.probe)
        except keepalive.NotConnected:
            raise _not_connected(connection) from None
        except keepalive.RefreshFailed as failure:
            connection.record(
                ConnectionEvent.Kind.TEST_FAILED, f"{failure.result.message}{via}", request.auth
            )
            raise refresh_problem(failure, connection) from None
        except ProviderError as error:
            text = provider.probe_failed(error)
            connection.record(ConnectionEvent.Kind.TEST_FAILED, f"{text}{via}", request.auth)
            if isinstance(error, Unavailable):
                raise problems.SalesforceUnavailable(
                    text, retry_after=UNAVAILABLE_RETRY_AFTER
                ) from None
            return Response(
                TestResultSerializer({"ok": False, "message": text, "api_versions": []}).data
            )
        found = provider.api_versions(body)
        text = provider.probe_passed(body)
        connection.record(ConnectionEvent.Kind.TESTED, f"{text}{via}", request.auth)
        return Response(
            TestResultSerializer({"ok": True, "message": text, "api_versions": found}).data
        )
