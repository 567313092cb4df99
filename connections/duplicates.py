"""A first sign-in as a Salesforce user and External Client App that another connection of
the team holds already (``Connection.duplicate_of``, set by connections.oauth): its tokens
wait, unused, until an admin either re-authorizes that connection with them (its old
approval revoked, this new connection removed) or confirms keeping both.

Both choices lock the rows and check that the choice is still open, so a double click, a
reload or a choice made meanwhile in another tab changes nothing the second time.
"""

from functools import partial

from django.db import transaction

from . import alerts
from . import tokens as token_fields
from .models import (
    AuthorizationRequest,
    ClientCredentials,
    Connection,
    ConnectionEvent,
    TokenSet,
    status_change,
)
from .oauth import record_sign_in, revoke_quietly

Status = Connection.Status


class ChoiceMade(Exception):
    """The connection no longer waits for a choice (made already, or it was disconnected)."""


def _open(connection: Connection, twin_pk: int | None = None) -> bool:
    return (
        connection.status == Status.PENDING_AUTHORIZATION
        and TokenSet.objects.filter(connection=connection).exists()
        and (twin_pk is None or connection.duplicate_of_id == twin_pk)
    )


def reauthorize_twin(twin: Connection, duplicate_code, actor) -> None:
    """Move the tokens and consumer secret of the team's connection ``duplicate_code``
    (waiting for a choice, ``duplicate_of`` = ``twin``) to ``twin``, delete it, and revoke
    ``twin``'s old refresh token after commit. Raises ChoiceMade when it no longer waits."""
    duplicate = Connection.objects.filter(team_id=twin.team_id, code=duplicate_code).first()
    if duplicate is None:
        raise ChoiceMade
    with transaction.atomic():
        rows = Connection.objects.select_for_update().filter(pk__in=[twin.pk, duplicate.pk])
        locked = {row.pk: row for row in rows.order_by("pk")}
        twin, duplicate = locked[twin.pk], locked.get(duplicate.pk)
        if duplicate is None or not _open(duplicate, twin.pk):
            raise ChoiceMade
        tokens = TokenSet.objects.select_for_update().get(connection=duplicate)
        old = TokenSet.objects.select_for_update().filter(connection=twin).first()
        old_refresh_token = old.refresh_token if old else None
        generation = max(old.generation if old else 0, twin.last_token_generation)
        if old:
            old.delete()
        tokens.connection = twin
        tokens.generation = generation + 1
        tokens.save()
        app = ClientCredentials.objects.get(connection=duplicate)
        ClientCredentials.objects.update_or_create(
            connection=twin,
            defaults={"consumer_key": app.consumer_key, "consumer_secret": app.consumer_secret},
        )
        previous_status = twin.status
        for name in ("username", "instance_url", "identity_url"):
            setattr(twin, name, getattr(duplicate, name))
        token_fields.mark_cleared(
            twin,
            Status.CONNECTED,
            token_fields.next_refresh_time(tokens.refresh_token_last_used_at),
        )
        twin.save()
        record_sign_in(
            twin,
            f"Re-authorized for org {twin.organization_id} as {twin.username} with the sign-in "
            f"made for the new connection {duplicate.name}, which was removed.",
            actor,
            previous_status,
            reauthorized=old is not None,
        )
        if previous_status not in (
            Status.CONNECTED,
            Status.NEEDS_REAUTHORIZATION,
            Status.MISCONFIGURED,
        ):
            twin.record(
                ConnectionEvent.Kind.STATUS_CHANGED,
                f"{Status(previous_status).label} → {Status.CONNECTED.label}: re-authorized.",
                actor,
            )
        # The sign-in now belongs to the twin: reloading its callback leads there.
        AuthorizationRequest.objects.filter(connection=duplicate).update(connection=twin)
        duplicate.delete_recorded(actor)
        if twin.alerted_for:
            transaction.on_commit(partial(alerts.notify, twin.pk), robust=True)
        if old_refresh_token and old_refresh_token != tokens.refresh_token:
            transaction.on_commit(partial(revoke_quietly, twin, old_refresh_token), robust=True)


def keep_both(duplicate: Connection, actor) -> None:
    """Confirm ``duplicate`` (waiting for a choice) as a connection of its own: it becomes
    connected and the keep-alive refreshes it. Raises ChoiceMade when it no longer waits."""
    with transaction.atomic():
        duplicate = Connection.objects.select_for_update().get(pk=duplicate.pk)
        if not _open(duplicate):
            raise ChoiceMade
        tokens = TokenSet.objects.get(connection=duplicate)
        twin_name = duplicate.duplicate_of.name if duplicate.duplicate_of else "another one"
        duplicate.status = Status.CONNECTED
        duplicate.duplicate_of = None
        duplicate.next_refresh_at = token_fields.next_refresh_time(
            tokens.refresh_token_last_used_at
        )
        duplicate.save(update_fields=["status", "duplicate_of", "next_refresh_at", "updated"])
        duplicate.record(
            ConnectionEvent.Kind.STATUS_CHANGED,
            f"{Status.PENDING_AUTHORIZATION.label} → {Status.CONNECTED.label}: kept as a second "
            f"connection of {duplicate.username} next to {twin_name}, as an admin confirmed.",
            actor,
            type=ConnectionEvent.Type.CONNECTION_CONNECTED,
            **status_change(Status.PENDING_AUTHORIZATION, Status.CONNECTED),
        )
