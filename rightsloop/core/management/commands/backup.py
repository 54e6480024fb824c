"""Write an encrypted archive of the whole database (see docs/security/x6-durability.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction

from rightsloop.core import audit, backups


class Command(BaseCommand):
    help = ("Back up the database into an archive encrypted under the key encryption key "
            "(default: var/backups/rightsloop-<vendor>-<UTC time>.rlbackup). Safe while the app runs.")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Archive path, or a folder to write a timestamped one into.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")

    def handle(self, *args, output: Path | None, database: str, **options):
        try:
            path, header = backups.back_up(output=output, using=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        # A backup is an export of everything: it leaves a trace (after the snapshot, so not inside it).
        with transaction.atomic(using=database):
            audit.record(organisation=None, by=None, action="backup.created",
                         summary=f"{path.name} ({header.vendor}) under key {header.kek_id}")
        self.stdout.write(f"{path}\t{path.stat().st_size} bytes\t{header.vendor}\tkey {header.kek_id}")
        if options["verbosity"] > 1:
            self.stdout.write(f"Readable only with key encryption key {header.kek_id}: keep an offline copy of it.")
