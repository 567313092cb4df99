"""Completing an OAuth web server flow: the callback's code becomes a connected Connection.

The callback view has already checked the flow's ``state``, its user and team access, and
claimed it (``AuthorizationRequest.claim``). Protocol facts: shared/salesforce-oauth.md §1-4.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import alerts, approvals, guidance, keepalive, salesforce, token_writes
from .approvals import APPROVALS_PER_USER_AND_APP
from .guidance import Guidance
from .models import (
    AuthorizationRequest,
    Connection,
    ConnectionEvent,
    ExternalClientApp,
    TokenSet,
    status_change,
)

logger = logging.getLogger(__name__)

# Either scope yields a refresh token (seed step 3: "refresh_token, offline_access").
REFRESH_SCOPES = {"refresh_token", "offline_access"}
# How much of a redirect's ``error`` and ``error_description`` is shown and stored.
MAX_ERROR_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 1000


class AuthorizationFailed(Exception):
    """The flow ended without tokens being stored; ``guidance`` says why and what to do."""

    def __init__(self, guidance: Guidance):
        super().__init__(guidance.title)
        self.guidance = guidance


@dataclass(frozen=True)
class Authorized:
    """A completed sign-in: ``message`` (also the event's text) and ``warning`` (empty, or
    the five-approval limit's, see ``approval_limit_warning``)."""

    message: str
    warning: str = ""


class _OrganizationMismatch(Exception):
    def __init__(self, expected: str):
        self.expected = expected


@sensitive_variables()
def complete_authorization(flow: AuthorizationRequest, params: Mapping[str, str]) -> Authorized:
    """Finish a claimed flow from the callback's query ``params`` (``code`` or ``error`` and
    ``error_description``): exchange the code, read the identity URL and store the tokens.
    Returns the success message (also recorded as an event) and any warning.
    Raises AuthorizationFailed: nothing stored, a waiting connection is back to its previous
    status, and the failure is recorded as an event.
    """
    try:
        return _complete(flow, params)
    except AuthorizationFailed as failure:
        connection = flow.connection
        connection.abandon_authorization()
        connection.record(
            ConnectionEvent.Kind.AUTHORIZATION_FAILED, failure.guidance.summary, flow.user
        )
        logger.info("Authorization of connection %s failed: %s", connection.pk, failure)
        raise


def _known_secrets(flow: AuthorizationRequest) -> list[str | None]:
    """What a callback's error text must not repeat: the flow's secrets and the stored ones."""
    tokens = TokenSet.objects.filter(connection_id=flow.connection_id).first()
    return [
        flow.code_verifier,
        *flow.credentials(),
        flow.consumer_secret,
        *((tokens.access_token, tokens.refresh_token) if tokens else ()),
    ]


def _from_redirect(value: str, limit: int, secrets: list[str | None]) -> str:
    """A parameter of the redirect back from Salesforce, fit to show and store: printable
    characters only, no secret, at most ``limit`` characters (anyone can craft this URL)."""
    text = salesforce.redact("".join(c if c.isprintable() else " " for c in value), secrets)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _about(flow: AuthorizationRequest) -> dict[str, str]:
    """What guidance for this flow may name: its callback URL and the connection's org."""
    connection = flow.connection
    return {
        "redirect_uri": flow.redirect_uri,
        "org_id": connection.organization_id,
        "login_url": connection.login_url,
    }


def _complete(flow: AuthorizationRequest, params: Mapping[str, str]) -> str:
    if params.get("error"):
        secrets = _known_secrets(flow)
        raise AuthorizationFailed(
            guidance.explain(
                _from_redirect(params["error"], MAX_ERROR_LENGTH, secrets),
                _from_redirect(
                    params.get("error_description", ""), MAX_DESCRIPTION_LENGTH, secrets
                ),
                **_about(flow),
            )
        )
    code = params.get("code", "")
    if not code:
        raise AuthorizationFailed(
            Guidance("Salesforce sent no authorization code.", "Start again.")
        )
    connection = flow.connection
    consumer_key, consumer_secret = flow.credentials()
    try:
        token = salesforce.exchange_code(
            connection.login_url,
            consumer_key,
            consumer_secret,
            code,
            flow.redirect_uri,
            flow.code_verifier,
        )
    except salesforce.SalesforceError as error:
        if isinstance(error, salesforce.SignatureMismatch) and error.token:
            # Don't leave the refused grant alive (it counts toward the user's five).
            _revoke_quietly(
                connection.login_url, error.token.refresh_token or error.token.access_token
            )
        raise AuthorizationFailed(guidance.explain_exception(error, **_about(flow))) from None
    try:
        who = salesforce.identity(token.identity_url, token.access_token)
    except salesforce.SalesforceError as error:
        _revoke_quietly(connection.login_url, token.refresh_token or token.access_token)
        raise AuthorizationFailed(guidance.identity_failed(error)) from None
    if not token.refresh_token or not REFRESH_SCOPES & token.scopes:
        _revoke_quietly(connection.login_url, token.refresh_token or token.access_token)
        raise AuthorizationFailed(guidance.missing_refresh_token(token.scope))
    store = partial(_store, flow, token, who)
    try:
        try:
            return store()
        except token_writes.RETRIED:
            # The code is spent: these tokens exist only in memory.
            return token_writes.write_again(store, f"the sign-in of connection {connection.pk}")
    except _OrganizationMismatch as mismatch:
        # Don't let the unwanted grant count toward the user's five-approval limit.
        _revoke_quietly(connection.login_url, token.refresh_token)
        raise AuthorizationFailed(
            guidance.organization_mismatch(mismatch.expected, who.organization_id)
        ) from None


def _store(
    flow: AuthorizationRequest, token: salesforce.TokenResponse, who: salesforce.Identity
) -> Authorized:
    """Store tokens, identity and the flow's consumer key and secret in one transaction,
    under the connection's row lock (the keep-alive takes the same lock), and revoke
    replaced tokens after commit."""
    now = timezone.now()
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=flow.connection_id)
        if connection.organization_id and connection.organization_id != who.organization_id:
            raise _OrganizationMismatch(connection.organization_id)
        tokens = TokenSet.objects.select_for_update().filter(connection=connection).first()
        old_refresh_token = tokens.refresh_token if tokens else None
        if tokens is None:
            tokens = TokenSet(connection=connection, generation=connection.last_token_generation)
        tokens.access_token = token.access_token
        tokens.refresh_token = token.refresh_token
        tokens.instance_url = token.instance_url or connection.instance_url or connection.login_url
        tokens.scope = token.scope
        tokens.issued_at = token.issued_at
        tokens.signature_verified = token.signature_verified
        tokens.refresh_token_last_used_at = now
        tokens.refreshed_at = None
        tokens.generation += 1
        tokens.save()
        previous_key, consumer_key = _save_credentials(flow, connection)
        # This sign-in replaced an approval of the same user and app (a re-authorization):
        # Salesforce counted both until Orgkeeper revokes the old one after commit.
        replaced = bool(old_refresh_token) and (connection.user_id, previous_key) == (
            who.user_id,
            consumer_key,
        )

        # A first sign-in as an org user and app that another connection holds: the tokens
        # stay here, unused, until an admin chooses (connections.duplicates).
        twin = None if connection.organization_id else approvals.twin(connection, who, consumer_key)
        message = _event_message(connection, who)
        if twin:
            message += f" {twin.name} holds this user and External Client App already."
        previous_status = connection.status
        connection.organization_id = who.organization_id
        connection.user_id = who.user_id
        connection.username = who.username
        connection.instance_url = tokens.instance_url
        connection.identity_url = token.identity_url
        connection.status = (
            Connection.Status.PENDING_AUTHORIZATION if twin else Connection.Status.CONNECTED
        )
        connection.duplicate_of = twin
        connection.status_reason = ""
        connection.consecutive_failures = 0
        connection.failing_since = None
        connection.last_error = ""
        connection.last_error_at = None
        if previous_status in alerts.QUIET_STATUSES:
            connection.alerted_for = ""  # stale: these statuses never alert
        connection.next_refresh_at = None if twin else keepalive.next_refresh_time(now)
        connection.save()
        if twin:
            # Not connected yet: connections.duplicates records what the admin chooses.
            connection.record(
                ConnectionEvent.Kind.AUTHORIZED,
                message,
                flow.user,
                **status_change(previous_status, connection.status),
            )
        else:
            record_sign_in(connection, message, flow.user, previous_status, bool(old_refresh_token))
        if connection.alerted_for:
            # The team was emailed about a problem: announce the recovery once, like the
            # keep-alive does after a successful refresh (alerts.notify claims it).
            transaction.on_commit(partial(alerts.notify, connection.pk), robust=True)
        if old_refresh_token and old_refresh_token != token.refresh_token:
            transaction.on_commit(
                partial(_revoke_quietly, connection.login_url, old_refresh_token), robust=True
            )
    logger.info("Connection %s authorized for org %s", connection.pk, who.organization_id)
    # After the commit: nothing here may put the tokens at risk.
    warning = "" if twin else approval_limit_warning(connection, consumer_key, replaced)
    flow.connection = connection
    return Authorized(message, warning)


def record_sign_in(
    connection: Connection, message: str, actor, previous_status: str, reauthorized: bool
) -> None:
    """Record a sign-in that made ``connection`` connected: ``connection.reauthorized`` when
    it held tokens before (``reauthorized``), else ``connection.connected``; then
    ``connection.recovered`` when it came back from needs_reauthorization or misconfigured,
    published together in that order. Call inside the transaction that changed the connection."""
    Type = ConnectionEvent.Type
    change = status_change(previous_status, connection.status)
    events = [
        connection.event(
            ConnectionEvent.Kind.AUTHORIZED,
            message,
            actor,
            type=Type.CONNECTION_REAUTHORIZED if reauthorized else Type.CONNECTION_CONNECTED,
            **change,
        )
    ]
    if previous_status in (
        Connection.Status.NEEDS_REAUTHORIZATION,
        Connection.Status.MISCONFIGURED,
    ):
        label = Connection.Status(previous_status).label
        events.append(
            connection.event(
                ConnectionEvent.Kind.STATUS_CHANGED,
                f"{label} → {connection.get_status_display()}: re-authorized.",
                actor,
                type=Type.CONNECTION_RECOVERED,
                **change,
            )
        )
    # One batch: webhooks fan both out together, the re-authorization first.
    ConnectionEvent.objects.bulk_create(events)


def approval_limit_warning(connection: Connection, consumer_key: str, replaced: bool) -> str:
    """A warning when the team's connections hold five or more refresh tokens of the same
    Salesforce user through the same External Client App (``consumer_key``), ``connection``
    (just authorized) included. Salesforce keeps five approvals per user and app and revokes
    the oldest when a sixth is made, so another connection's token may have just died without
    a word. ``replaced``: this sign-in replaced the connection's own approval of the same user
    and app, which counted at Salesforce until Orgkeeper revoked it. Empty otherwise.
    Reference: salesforce-oauth.md §3.6; https://help.salesforce.com/s/articleView?id=platform.remoteaccess_request_approve.htm&type=5
    """
    others = list(
        Connection.objects.filter(
            team_id=connection.team_id,
            user_id=connection.user_id,
            client_app__consumer_key=consumer_key,
            tokens__isnull=False,
        )
        .exclude(pk=connection.pk)
        .order_by("tokens__created")
        .values_list("name", flat=True)
    )
    holding = len(others) + 1
    approvals = holding + replaced  # at Salesforce, the moment this sign-in was approved
    shared = (
        f"{holding} connections of this team hold refresh tokens for {connection.username} "
        "through this External Client App, and Salesforce keeps at most "
        f"{APPROVALS_PER_USER_AND_APP} per user and app"
    )
    if approvals > APPROVALS_PER_USER_AND_APP:
        revoked = approvals - APPROVALS_PER_USER_AND_APP
        own = " or the token this sign-in replaced" if replaced else ""
        return (
            f"{shared}. This sign-in was approval {approvals}, so Salesforce revoked the "
            f"{revoked} oldest: a token of {', '.join(others)}{own}. The keep-alive marks a "
            "connection that lost its token Needs re-authorization at its next refresh. Sign "
            "in with another Salesforce user, or disconnect the connections you don't need."
        )
    if holding == APPROVALS_PER_USER_AND_APP:
        return f"{shared}: the next sign-in with them revokes the oldest one."
    return ""


def _save_credentials(flow: AuthorizationRequest, connection: Connection) -> tuple[str, str]:
    """Make the consumer key and secret this flow signed in with the External Client App's
    (caller's transaction, connection row locked). Returns the consumer key before and
    after ("" before for a new app)."""
    app = ExternalClientApp.objects.filter(connection=connection).first()
    previous_key = app.consumer_key if app else ""
    app = app or ExternalClientApp(connection=connection)
    if flow.consumer_key:
        app.consumer_key = flow.consumer_key
    if flow.consumer_secret:
        app.consumer_secret = flow.consumer_secret
    app.save()
    return previous_key, app.consumer_key


def _event_message(connection: Connection, who: salesforce.Identity) -> str:
    if not connection.organization_id:
        return f"Authorized for org {who.organization_id} as {who.username}."
    message = f"Re-authorized for org {who.organization_id} as {who.username}"
    if connection.username and connection.username != who.username:
        message += f" (was {connection.username})"
    return message + "."


def _revoke_quietly(login_url: str, token: str) -> None:
    """Best-effort revoke: a token we no longer keep shouldn't stay valid at Salesforce."""
    try:
        salesforce.revoke(login_url, token)
    except salesforce.SalesforceError as error:
        logger.warning("Could not revoke a replaced token at %s: %s", login_url, error)
