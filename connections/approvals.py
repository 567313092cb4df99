"""A provider that keeps a limited number of approvals (refresh tokens) per user and app
revokes the oldest when one more is made (``Policies.approvals_per_user_limit``; Salesforce:
five per user and External Client App, https://help.salesforce.com/s/articleView?id=platform.remoteaccess_request_approve.htm&type=5):
what that means for a team's connections.
"""

from django.db.models import Max, Q
from django.db.models.functions import Coalesce

from . import providers
from .errors import Classification, ErrorKind
from .models import Connection, ConnectionEvent


def holding_same_approval(connection: Connection, consumer_key: str):
    """The team's other connections that hold tokens of ``connection``'s user through the
    app ``consumer_key``, with ``authorized_at`` (their latest sign-in)."""
    last_sign_in = Max("events__created", filter=Q(events__kind=ConnectionEvent.Kind.AUTHORIZED))
    return (
        _others_of(connection, connection.organization_id, connection.user_id, consumer_key)
        .filter(tokens__isnull=False)
        .annotate(authorized_at=Coalesce(last_sign_in, "tokens__created"))
    )


def _others_of(connection: Connection, organization_id: str, user_id: str, consumer_key: str):
    """The team's connections other than ``connection`` of that user and app."""
    return Connection.objects.filter(
        team_id=connection.team_id,
        provider=connection.provider,
        organization_id=organization_id,
        user_id=user_id,
        client_credentials__consumer_key=consumer_key,
    ).exclude(pk=connection.pk)


def explain_revocation(connection: Connection, classification: Classification) -> Classification:
    """``classification`` of a refresh the provider refused as revoked, or, when the team
    holds the limit's number or more of newer approvals of the same user and app (so the
    provider revoked this one as the oldest), a reason that says so and names those
    connections."""
    provider = providers.for_connection(connection)
    limit = provider.policies.approvals_per_user_limit
    if limit is None or classification != provider.revoked:
        return classification
    own = connection.events.filter(kind=ConnectionEvent.Kind.AUTHORIZED).aggregate(
        at=Max("created")
    )["at"] or getattr(getattr(connection, "tokens", None), "created", None)
    app = getattr(connection, "client_credentials", None)
    if own is None or app is None:
        return classification
    newer = [
        other.name
        for other in holding_same_approval(connection, app.consumer_key)
        .filter(authorized_at__gt=own)
        .order_by("authorized_at")
    ]
    if len(newer) < limit:
        return classification
    return Classification(
        ErrorKind.NEEDS_REAUTHORIZATION,
        f"Pushed out by {provider.label}'s limit of {limit} approvals per user "
        f"and {provider.app_label}: {len(newer)} newer connections of this team signed in as "
        f"{connection.username} through the same app ({', '.join(newer)}), so "
        f"{provider.label} revoked this connection's refresh token as the oldest. Disconnect "
        "a connection you don't need, or re-authorize this one with another "
        f"{provider.label} user.",
    )


def limit_warning(connection: Connection, consumer_key: str, replaced: bool) -> str:
    """A warning when the team's connections hold the limit's number or more of refresh
    tokens of the same user through the same app (``consumer_key``), ``connection`` (just
    authorized) included: the provider revokes the oldest when one more is made, so
    another connection's token may have just died without a word. ``replaced``: this
    sign-in replaced the connection's own approval of the same user and app, which counted
    at the provider until Orgkeeper revoked it. Empty otherwise, and for providers without
    such a limit."""
    provider = providers.for_connection(connection)
    limit = provider.policies.approvals_per_user_limit
    if limit is None:
        return ""
    others = list(
        Connection.objects.filter(
            team_id=connection.team_id,
            user_id=connection.user_id,
            client_credentials__consumer_key=consumer_key,
            tokens__isnull=False,
        )
        .exclude(pk=connection.pk)
        .order_by("tokens__created")
        .values_list("name", flat=True)
    )
    holding = len(others) + 1
    approvals = holding + replaced  # at the provider, the moment this sign-in was approved
    shared = (
        f"{holding} connections of this team hold refresh tokens for {connection.username} "
        f"through this {provider.app_label}, and {provider.label} keeps at most "
        f"{limit} per user and app"
    )
    if approvals > limit:
        revoked = approvals - limit
        own = " or the token this sign-in replaced" if replaced else ""
        return (
            f"{shared}. This sign-in was approval {approvals}, so {provider.label} revoked the "
            f"{revoked} oldest: a token of {', '.join(others)}{own}. The keep-alive marks a "
            "connection that lost its token Needs re-authorization at its next refresh. Sign "
            f"in with another {provider.label} user, or disconnect the connections you don't "
            "need."
        )
    if holding == limit:
        return f"{shared}: the next sign-in with them revokes the oldest one."
    return ""


def twin(connection: Connection, who, consumer_key: str) -> Connection | None:
    """The team's (oldest) other connection of the user ``who`` (an Identity) through the
    app ``consumer_key``, not itself waiting for a choice; None if there is none."""
    return (
        _others_of(connection, who.organization_id, who.user_id, consumer_key)
        .exclude(status=Connection.Status.PENDING_AUTHORIZATION, duplicate_of__isnull=False)
        .order_by("created", "pk")
        .first()
    )
