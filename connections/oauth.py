"""A connection's OAuth web server flow through its provider (connections.providers):
``start`` sends the admin to sign in, ``complete_authorization`` turns the callback's code
into a connected Connection, ``disconnect`` deletes the tokens and revokes them.

The callback view has already checked the flow's ``state``, its user and team access, and
claimed it (``AuthorizationRequest.claim``). Protocol: RFC 6749 §4.1
(https://www.rfc-editor.org/rfc/rfc6749#section-4.1) with PKCE (RFC 7636).
"""

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.submissions import once
from events.models import Event

from . import alerts, approvals, keepalive, providers, token_writes, tokens
from .callback_urls import redirect_uri_for
from .errors import Guidance
from .models import (
    AuthorizationRequest,
    ClientCredentials,
    Connection,
    ConnectionEvent,
    TokenSet,
    status_change,
)
from .providers.base import (
    Grant,
    Identity,
    ProviderError,
    SignatureMismatch,
    Target,
    new_code_verifier,
    new_state,
)
from .secrets import redact

logger = logging.getLogger(__name__)

# Either scope yields a refresh token (RFC 6749 §1.5; Salesforce's "refresh_token,
# offline_access").
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
    the approvals limit's, see ``approvals.limit_warning``)."""

    message: str
    warning: str = ""


class _OrganizationMismatch(Exception):
    """Raised under the row lock: the connection is for another organization."""

    def __init__(self, expected: str):
        self.expected = expected


class AlreadyDisconnected(Exception):
    """``disconnect`` found the connection disconnected already (a repeated POST)."""


def target(connection: Connection, instance_url: str = "") -> Target:
    """What a provider call for ``connection`` is about: its login URL and the API its
    tokens are for (``instance_url``, default the connection's)."""
    return Target(connection.login_url, instance_url or connection.instance_url)


def _flow_credentials(flow: AuthorizationRequest, provider):
    """The client ID and secret ``flow`` signs in with, as the provider decides (the flow's
    submitted or stored ones, or the provider's own app); None when there are none."""
    consumer_key, consumer_secret = flow.credentials()
    return provider.client_credentials(
        ClientCredentials(consumer_key=consumer_key, consumer_secret=consumer_secret)
    )


STATE_MAX_LENGTH = AuthorizationRequest._meta.get_field("state").max_length


def flow_for_state(state: str) -> AuthorizationRequest | None:
    """The flow a callback's ``state`` names (with its connection's team and its user), or
    None. A value no flow can have (too long, NUL) isn't looked up: PostgreSQL refuses NUL."""
    if not 0 < len(state) <= STATE_MAX_LENGTH or "\x00" in state:
        return None
    flows = AuthorizationRequest.objects.select_related("connection__team", "user")
    return flows.filter(state=state).first()


@dataclass(frozen=True)
class Refusal:
    """Why a callback can't use its flow, and the HTTP status of the page that says so."""

    reason: str
    status: int = 400


def claim(flow: AuthorizationRequest, user) -> Refusal | None:
    """Claim ``flow`` for ``user``'s callback (once: a replayed or double-clicked callback
    can't exchange the code twice), or say why not. An expired flow isn't claimed (the page
    can be reloaded); its connection stops waiting for it, unless a newer sign-in is under
    way or another one connected it meanwhile, and its secrets are forgotten."""
    if flow.user_id != user.pk:
        return Refusal("Another user started this sign-in.", 403)
    if flow.used_at is not None:
        return Refusal("This sign-in was already used.")
    if flow.is_expired():
        Connection.end_expired_sign_ins([flow.connection_id], user)
        AuthorizationRequest.forget_expired_secrets([flow.connection_id])
        return Refusal("The sign-in took more than 10 minutes.")
    if not flow.claim():
        return Refusal("This sign-in was already used.")
    return None


def authorization_url(flow: AuthorizationRequest, connection: Connection) -> str:
    """Where ``flow`` sends the browser: the provider's authorize endpoint for the
    connection with the flow's client ID, ``redirect_uri``, ``state`` and PKCE challenge."""
    provider = providers.for_connection(connection)
    credentials = _flow_credentials(flow, provider)
    return provider.authorization_url(
        target(connection),
        credentials.consumer_key if credentials else flow.consumer_key,
        flow.redirect_uri,
        flow.state,
        flow.code_verifier,
    )


def start(
    connection: Connection,
    user,
    request_host: str,
    consumer_key: str,
    consumer_secret: str = "",
    submission: uuid.UUID | None = None,
) -> str:
    """Start an OAuth web server flow with PKCE for ``user`` and return the authorize URL
    to redirect to. The flow's ``state``, code verifier, ``redirect_uri`` (the callback
    on the host the admin uses) and the submitted consumer key and secret (empty: keep
    the stored one) are kept in a new AuthorizationRequest; the credentials replace the
    stored ones only when the flow succeeds. A connection that holds tokens keeps its
    status and tokens until then; others wait for sign-in. ``submission`` (Connect's
    one-time form value): a second POST of the same form gets the first's authorize URL
    while that flow is unused and unexpired.
    Reference: https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
    """

    def create(submission: uuid.UUID | None = submission) -> AuthorizationRequest:
        return AuthorizationRequest.objects.create(
            state=new_state(),
            code_verifier=new_code_verifier(),
            redirect_uri=redirect_uri_for(request_host),
            connection=connection,
            user=user,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            submission=submission,
        )

    flows = AuthorizationRequest.objects.filter(connection=connection, user=user)
    flow, created = once(flows, submission, create)
    if not created and (flow.used_at is not None or flow.is_expired()):
        flow, created = create(submission=None), True  # an old page submitted again
    if not created:
        return authorization_url(flow, connection)
    if not connection.has_tokens:
        with transaction.atomic():
            # The status as of the row lock that end_expired_sign_ins takes: it either
            # sees this flow, or put the connection back to draft before this reads it.
            connection.status = (
                Connection.objects.select_for_update()
                .values_list("status", flat=True)
                .get(pk=connection.pk)
            )
            if connection.status != Connection.Status.PENDING_AUTHORIZATION:
                connection.status = Connection.Status.PENDING_AUTHORIZATION
                connection.save(update_fields=["status", "login_url", "updated"])
    label = providers.for_connection(connection).label
    connection.record(
        ConnectionEvent.Kind.AUTHORIZATION_STARTED,
        f"Sign-in to {label} started (callback {flow.redirect_uri}).",
        user,
    )
    return authorization_url(flow, connection)


def disconnect(connection: Connection, actor) -> bool:
    """Delete the tokens, mark the connection disconnected, then revoke the refresh token
    at the provider (which also revokes its access tokens). Returns False when the provider
    couldn't confirm the revoke (or has no per-token revoke); the tokens are deleted here
    anyway. Raises AlreadyDisconnected, changing nothing, when it is disconnected and holds
    no tokens (checked under the row lock, so of two Disconnects at once only the first acts).
    Reference: https://www.rfc-editor.org/rfc/rfc7009
    """
    Status = Connection.Status
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        held = TokenSet.objects.filter(connection=locked).first()
        if held is None and locked.status == Status.DISCONNECTED:
            raise AlreadyDisconnected
        refresh_token = held.refresh_token if held else None
        before = locked.status
        cleared = {}
        if held:
            held.delete()
            cleared["last_token_generation"] = held.generation
        # Nothing is refreshed any more, so the keep-alive's state and problems go too.
        cleared |= tokens.cleared_fields(Status.DISCONNECTED, None)
        for name, value in cleared.items():
            setattr(connection, name, value)
            setattr(locked, name, value)
        locked.save(update_fields=[*cleared, "updated"])
        event = connection.record(
            ConnectionEvent.Kind.DISCONNECTED,
            "Disconnected.",
            actor,
            type=Event.Type.CONNECTION_DISCONNECTED,
            **status_change(before, Status.DISCONNECTED),
        )
    provider = providers.for_connection(connection)
    message, revoked = event.message, True
    if refresh_token and provider.policies.has_per_token_revoke:
        try:
            provider.revoke(target(connection), refresh_token)
            message = f"Disconnected; the refresh token was revoked at {provider.label}."
        except ProviderError as error:
            revoked = False
            message = (
                f"Disconnected here, but {provider.label} couldn't revoke the refresh token "
                f"({error}). {provider.manual_revoke_hint}"
            )
    elif refresh_token:
        revoked = False
    if message != event.message:
        Event.objects.filter(pk=event.pk).update(message=message)
    return revoked


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
    text = redact("".join(c if c.isprintable() else " " for c in value), secrets)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _about(flow: AuthorizationRequest) -> dict[str, str]:
    """What guidance for this flow may name: its callback URL and the connection's org."""
    connection = flow.connection
    return {
        "redirect_uri": flow.redirect_uri,
        "org_id": connection.organization_id,
        "login_url": connection.login_url,
    }


def _complete(flow: AuthorizationRequest, params: Mapping[str, str]) -> Authorized:
    connection = flow.connection
    provider = providers.for_connection(connection)
    if params.get("error"):
        secrets = _known_secrets(flow)
        raise AuthorizationFailed(
            provider.explain_redirect(
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
            Guidance(f"{provider.label} sent no authorization code.", "Start again.")
        )
    credentials = _flow_credentials(flow, provider)
    if credentials is None:
        raise AuthorizationFailed(Guidance(provider.credentials_missing, "Nothing was saved."))
    try:
        grant = provider.exchange_code(
            target(connection),
            credentials,
            code,
            flow.redirect_uri,
            flow.code_verifier,
        )
    except ProviderError as error:
        if isinstance(error, SignatureMismatch) and error.grant:
            # Don't leave the refused grant alive (it counts toward the user's approvals).
            revoke_quietly(connection, error.grant.refresh_token or error.grant.access_token)
        raise AuthorizationFailed(provider.explain(error, **_about(flow))) from None
    try:
        who = provider.identity(grant)
    except ProviderError as error:
        revoke_quietly(connection, grant.refresh_token or grant.access_token)
        raise AuthorizationFailed(provider.identity_failed(error)) from None
    if not grant.refresh_token or not REFRESH_SCOPES & grant.scopes:
        revoke_quietly(connection, grant.refresh_token or grant.access_token)
        raise AuthorizationFailed(provider.missing_refresh_token(grant.scope))
    store = partial(_store, flow, grant, who)
    try:
        try:
            return store()
        except token_writes.RETRIED:
            # The code is spent: these tokens exist only in memory.
            return token_writes.write_again(
                store,
                f"the sign-in of connection {connection.pk}",
                token_writes.consequence(provider),
            )
    except _OrganizationMismatch as mismatch:
        # Don't let the unwanted grant count toward the user's approvals.
        revoke_quietly(connection, grant.refresh_token)
        raise AuthorizationFailed(
            provider.organization_mismatch(mismatch.expected, who.organization_id)
        ) from None


def _store(flow: AuthorizationRequest, grant: Grant, who: Identity) -> Authorized:
    """Store tokens, identity and the flow's consumer key and secret in one transaction,
    under the connection's row lock (the keep-alive takes the same lock), and revoke
    replaced tokens after commit."""
    now = timezone.now()
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=flow.connection_id)
        if connection.organization_id and connection.organization_id != who.organization_id:
            raise _OrganizationMismatch(connection.organization_id)
        held = TokenSet.objects.select_for_update().filter(connection=connection).first()
        old_refresh_token = held.refresh_token if held else None
        if held is None:
            held = TokenSet(connection=connection, generation=connection.last_token_generation)
        held.instance_url = connection.instance_url or connection.login_url
        tokens.apply(held, grant, now, refreshed=False)
        held.save()
        previous_key, consumer_key = _save_credentials(flow, connection)
        # This sign-in replaced an approval of the same user and app (a re-authorization):
        # Salesforce counted both until Orgkeeper revokes the old one after commit.
        replaced = bool(old_refresh_token) and (connection.user_id, previous_key) == (
            who.user_id,
            consumer_key,
        )

        # A first sign-in as an org user and app that another connection holds: the tokens
        # stay here, unused, until an admin chooses (connections.duplicates).
        # The choice exists because of the provider's approvals limit; without one, a second
        # connection of the same user is just another connection.
        limited = providers.for_connection(connection).policies.approvals_per_user_limit
        first = not connection.organization_id and limited is not None
        twin = approvals.twin(connection, who, consumer_key) if first else None
        message = _event_message(connection, who)
        if twin:
            app = providers.for_connection(connection).app_label
            message += f" {twin.name} holds this user and {app} already."
        previous_status = connection.status
        connection.organization_id = who.organization_id
        connection.user_id = who.user_id
        connection.username = who.username
        connection.instance_url = held.instance_url
        connection.identity_url = grant.identity_url
        tokens.mark_cleared(
            connection,
            Connection.Status.PENDING_AUTHORIZATION if twin else Connection.Status.CONNECTED,
            None if twin else tokens.next_refresh_time(now),
        )
        connection.duplicate_of = twin
        if previous_status in alerts.QUIET_STATUSES:
            connection.alerted_for = ""  # stale: these statuses never alert
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
        if old_refresh_token and old_refresh_token != grant.refresh_token:
            transaction.on_commit(
                partial(revoke_quietly, connection, old_refresh_token), robust=True
            )
    logger.info("Connection %s authorized for org %s", connection.pk, who.organization_id)
    keepalive.remember_provider(connection)  # its first refresh here needs no guess
    # After the commit: nothing here may put the tokens at risk.
    warning = "" if twin else approvals.limit_warning(connection, consumer_key, replaced)
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


def _save_credentials(flow: AuthorizationRequest, connection: Connection) -> tuple[str, str]:
    """Make the consumer key and secret this flow signed in with the External Client App's
    (caller's transaction, connection row locked). Returns the consumer key before and
    after ("" before for a new app)."""
    app = ClientCredentials.objects.filter(connection=connection).first()
    previous_key = app.consumer_key if app else ""
    app = app or ClientCredentials(connection=connection)
    if flow.consumer_key:
        app.consumer_key = flow.consumer_key
    if flow.consumer_secret:
        app.consumer_secret = flow.consumer_secret
    app.save()
    return previous_key, app.consumer_key


def _event_message(connection: Connection, who: Identity) -> str:
    if not connection.organization_id:
        return f"Authorized for org {who.organization_id} as {who.username}."
    message = f"Re-authorized for org {who.organization_id} as {who.username}"
    if connection.username and connection.username != who.username:
        message += f" (was {connection.username})"
    return message + "."


def revoke_quietly(connection: Connection, token: str) -> None:
    """Best-effort revoke at the connection's provider: a token we no longer keep shouldn't
    stay valid there."""
    provider = providers.for_connection(connection)
    if not provider.policies.has_per_token_revoke:
        return
    try:
        provider.revoke(target(connection), token)
    except ProviderError as error:
        logger.warning("Could not revoke a replaced token at %s: %s", connection.login_url, error)
