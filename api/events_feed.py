"""GET /api/v1/events/?after=<cursor>: the team's published events in the order they were
recorded, so software that missed webhooks can reconcile. Needs the scope ``events:read``.

The cursor is opaque (an event's position). Events are listed FEED_SETTLE after they were
recorded: a transaction that wrote an earlier position may commit a moment after a later
one, and a reader that had already moved past it would never see it.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.forms import PUBLISHED_TYPES
from events.models import Event

from . import problems
from .models import APIKey
from .permissions import requires_scope
from .serializers import ProblemSerializer

FEED_SETTLE = timedelta(seconds=5)
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class EventSerializer(serializers.Serializer):
    """One event, as webhooks send it (``Event.payload``)."""

    id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=PUBLISHED_TYPES)
    version = serializers.IntegerField()
    created = serializers.DateTimeField()
    team = serializers.CharField(help_text="The team's slug.")
    actor = serializers.JSONField(
        help_text='{"type": "user", "email"}, {"type": "api_key", "name", "identifier"} '
        'or {"type": "system"}.'
    )
    connection = serializers.JSONField(
        allow_null=True, help_text='{"id", "name"} of the connection, or null.'
    )
    data = serializers.JSONField(help_text="The type's data; never a secret.")

    def to_representation(self, instance: Event) -> dict:
        return instance.payload()


class EventPageSerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    cursor = serializers.CharField(
        allow_null=True,
        help_text="Pass as ?after= to read on. Unchanged (the one you sent) when nothing new.",
    )
    has_more = serializers.BooleanField()


def _cursor(value: str | None) -> int:
    if value in (None, ""):
        return 0
    if not value.isdigit():
        raise problems.ValidationFailed(
            f"Invalid cursor {value!r}: pass the cursor of a previous answer.",
            errors={"after": ["Pass the cursor of a previous answer."]},
        )
    return int(value)


def _limit(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise problems.ValidationFailed(
            f"Invalid limit {value!r}: use 1 to {MAX_LIMIT}.",
            errors={"limit": [f"Use 1 to {MAX_LIMIT}."]},
        )
    return int(value)


def events_for_key(key: APIKey):
    """The published events the key may read: its team's, and for a key restricted to some
    connections only theirs and the team's own (member, key, webhook) events."""
    events = Event.objects.published().filter(team_id=key.team_id)
    if key.restricted:
        codes = key.connection_queryset().values("code")
        events = events.filter(Q(connection_code__isnull=True) | Q(connection_code__in=codes))
    return events


@extend_schema(
    tags=["events"],
    parameters=[
        OpenApiParameter(
            "after", str, description="A cursor from a previous answer; none: from the start."
        ),
        OpenApiParameter(
            "limit",
            int,
            description=f"At most this many events (1-{MAX_LIMIT}, default {DEFAULT_LIMIT}).",
        ),
    ],
    responses={
        200: EventPageSerializer,
        **{
            status: OpenApiResponse(ProblemSerializer, description="application/problem+json")
            for status in (400, 401, 403, 429)
        },
    },
)
class EventFeed(APIView):
    """The team's events, oldest first, after the cursor."""

    permission_classes = [requires_scope(APIKey.Scope.EVENTS_READ)]

    def get(self, request: Request) -> Response:
        after = _cursor(request.query_params.get("after"))
        limit = _limit(request.query_params.get("limit"))
        settled = timezone.now() - FEED_SETTLE
        page = list(
            events_for_key(request.auth)
            .filter(pk__gt=after, created__lte=settled)
            .select_related("team", "actor", "actor_key")
            .order_by("pk")[: limit + 1]
        )
        has_more, page = len(page) > limit, page[:limit]
        cursor = str(page[-1].pk) if page else (str(after) if after else None)
        body = {"events": [EventSerializer(event).data for event in page], "cursor": cursor}
        return Response({**body, "has_more": has_more})
