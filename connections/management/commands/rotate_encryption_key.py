"""Re-encrypt every stored secret with the current CRYPTOGRAPHY_KEY (README, "Rotating
CRYPTOGRAPHY_KEY"); a thin wrapper around connections.encryption.rotate_keys."""

from django.core.management.base import BaseCommand, CommandError

from connections.encryption import rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value with CRYPTOGRAPHY_KEY (reading old values with "
        "CRYPTOGRAPHY_OLD_KEYS), in locked batches. Resumable and idempotent: values already "
        "on the current key are skipped. Exits with status 1 after the run if a value is "
        "unreadable."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows per transaction (default 500).",
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        progress = self.stdout.write if options["verbosity"] > 1 else None
        report = rotate_keys(batch_size=batch_size, progress=progress)
        self.stdout.write(
            f"Rows checked: {report.checked}; re-encrypted: {report.reencrypted}; "
            f"already current: {report.current}; unreadable: {report.unreadable_rows}."
        )
        for label, pk, name in report.unreadable:
            self.stderr.write(
                f"Unreadable: {label} pk={pk} field {name}: no key in CRYPTOGRAPHY_KEY or "
                "CRYPTOGRAPHY_OLD_KEYS decrypts it."
            )
        if report.unreadable:
            self.stderr.write(
                "Unreadable values were left as they are. Put the key they were written with "
                "back into CRYPTOGRAPHY_OLD_KEYS and run the command again, or re-enter those "
                "secrets (re-authorize the connection, re-enter the consumer secret)."
            )
            raise CommandError(f"{report.unreadable_rows} rows hold unreadable values.")
        self.stdout.write(self.style.SUCCESS("Every secret is encrypted with the current key."))
