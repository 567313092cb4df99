"""Refresh connections (of any provider) in the foreground, through the same code path as the
keep-alive tasks (connections.keepalive.refresh_connection). Exits 1 when an ID is unknown
or any refresh failed, so cron and monitoring notice; skipped ones are not failures."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from connections import keepalive
from connections.models import Connection


def _lookup(given: str) -> int | None:
    """The internal ID of the connection ``given`` names: its ``id`` in the API and the
    pages (a UUID, the connection's ``code``) or its internal integer ID; None if unknown."""
    if given.isdecimal():
        found = Connection.objects.filter(pk=int(given))
    else:
        try:
            found = Connection.objects.filter(code=uuid.UUID(given))
        except ValueError:
            return None
    return found.values_list("pk", flat=True).first()


class Command(BaseCommand):
    help = (
        "Refresh connections now: the due ones (--due, as the keep-alive sweep does) or the "
        "given ones (--connection, forced). Prints one line per connection, then exits with "
        "status 1 if any refresh failed."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--due", action="store_true", help="Refresh the connections due now.")
        group.add_argument(
            "--connection",
            nargs="+",
            metavar="ID",
            help="Refresh these connections, even if not due; each once. An ID is the "
            "connection's id in the API (a UUID) or its internal integer ID.",
        )

    def handle(self, *args, due: bool, connection: list[str] | None, **options):
        if due:
            ids, force = keepalive.claim_due_connections(), False
        else:
            given = list(dict.fromkeys(connection))
            found = {name: _lookup(name) for name in given}
            missing = [name for name, pk in found.items() if pk is None]
            if missing:
                raise CommandError(f"No connection with ID {', '.join(sorted(missing))}.")
            # A connection named twice (even by both IDs) is refreshed once, first order kept.
            ids, force = list(dict.fromkeys(found.values())), True
        names = dict(Connection.objects.filter(id__in=ids).values_list("id", "name"))
        failed = 0
        for connection_id in ids:
            result = keepalive.refresh_connection(connection_id, force=force)
            failed += result.outcome == keepalive.Outcome.FAILED
            outcome = f"{result.outcome} ({result.kind})" if result.kind else str(result.outcome)
            name = names.get(connection_id, connection_id)
            self.stdout.write(f"{name}: {outcome}: {result.message}")
        if not ids:
            self.stdout.write("No connections due.")
        if failed:
            raise CommandError(f"{failed} of {len(ids)} refreshes failed.")
