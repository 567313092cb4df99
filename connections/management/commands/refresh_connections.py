"""Refresh Salesforce connections in the foreground, through the same code path as the
keep-alive tasks (connections.keepalive.refresh_connection). Exits 1 when an ID is unknown
or any refresh failed, so cron and monitoring notice; skipped ones are not failures."""

from django.core.management.base import BaseCommand, CommandError

from connections import keepalive
from connections.models import Connection


class Command(BaseCommand):
    help = (
        "Refresh Salesforce connections now: the due ones (--due, as the keep-alive sweep "
        "does) or the given IDs (--connection, forced). Prints one line per connection, "
        "then exits with status 1 if any refresh failed."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--due", action="store_true", help="Refresh the connections due now.")
        group.add_argument(
            "--connection",
            type=int,
            nargs="+",
            metavar="ID",
            help="Refresh these connections (by ID), even if not due; each once.",
        )

    def handle(self, *args, due: bool, connection: list[int] | None, **options):
        if due:
            ids, force = keepalive.claim_due_connections(), False
        else:
            # A repeated ID is refreshed once, in the order first given.
            ids, force = list(dict.fromkeys(connection)), True
            found = Connection.objects.filter(id__in=ids).values_list("id", flat=True)
            missing = set(ids) - set(found)
            if missing:
                raise CommandError(f"No connection with ID {', '.join(map(str, sorted(missing)))}.")
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
