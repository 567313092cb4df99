"""Salesforce keeps five approvals (refresh tokens) per user and External Client App, and
revokes the oldest when a sixth is made: what that means for a team's connections.
Reference: https://help.salesforce.com/s/articleView?id=platform.remoteaccess_request_approve.htm&type=5
"""

from django.db.models import Max, Q
from django.db.models.functions import Coalesce

from .errors import EXPIRED_REFRESH_TOKEN, INVALID_GRANT, Classification, ErrorKind
from .models import Connection, ConnectionEvent

APPROVALS_PER_USER_AND_APP = 5
_REVOKED = INVALID_GRANT[EXPIRED_REFRESH_TOKEN][1]


def holding_same_approval(connection: Connection, consumer_key: str):
    """The team's other connections that hold tokens of ``connection``'s Salesforce user
    through the External Client App ``consumer_key``, with ``authorized_at`` (their latest
    sign-in)."""
    last_sign_in = Max("events__created", filter=Q(events__kind=ConnectionEvent.Kind.AUTHORIZED))
    return (
        _others_of(connection, connection.organization_id, connection.user_id, consumer_key)
        .filter(tokens__isnull=False)
        .annotate(authorized_at=Coalesce(last_sign_in, "tokens__created"))
    )


def _others_of(connection: Connection, organization_id: str, user_id: str, consumer_key: str):
    """The team's connections other than ``connection`` of that org user and app."""
    return Connection.objects.filter(
        team_id=connection.team_id,
        organization_id=organization_id,
        user_id=user_id,
        client_app__consumer_key=consumer_key,
    ).exclude(pk=connection.pk)


def explain_revocation(connection: Connection, classification: Classification) -> Classification:
    """``classification`` of a refresh Salesforce refused as revoked, or, when the team holds
    five or more newer approvals of the same user and app (so Salesforce revoked this one
    as the oldest), a reason that says so and names those connections."""
    if classification.kind != ErrorKind.NEEDS_REAUTHORIZATION or classification.reason != _REVOKED:
        return classification
    own = connection.events.filter(kind=ConnectionEvent.Kind.AUTHORIZED).aggregate(
        at=Max("created")
    )["at"] or getattr(getattr(connection, "tokens", None), "created", None)
    app = getattr(connection, "client_app", None)
    if own is None or app is None:
        return classification
    newer = [
        other.name
        for other in holding_same_approval(connection, app.consumer_key)
        .filter(authorized_at__gt=own)
        .order_by("authorized_at")
    ]
    if len(newer) < APPROVALS_PER_USER_AND_APP:
        return classification
    return Classification(
        ErrorKind.NEEDS_REAUTHORIZATION,
        f"Pushed out by Salesforce's limit of {APPROVALS_PER_USER_AND_APP} approvals per user "
        f"and External Client App: {len(newer)} newer connections of this team signed in as "
        f"{connection.username} through the same app ({', '.join(newer)}), so Salesforce "
        "revoked this connection's refresh token as the oldest. Disconnect a connection you "
        "don't need, or re-authorize this one with another Salesforce user.",
    )


def twin(connection: Connection, who, consumer_key: str) -> Connection | None:
    """The team's (oldest) other connection of the Salesforce user ``who`` (a
    ``salesforce.Identity``) through the External Client App ``consumer_key``, not itself
    waiting for a choice; None if there is none."""
    return (
        _others_of(connection, who.organization_id, who.user_id, consumer_key)
        .exclude(status=Connection.Status.PENDING_AUTHORIZATION, duplicate_of__isnull=False)
        .order_by("created", "pk")
        .first()
    )
