"""Replace the database with an encrypted archive's content, after verifying all of it."""

from pathlib import Path

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from rightsloop.core import audit, backups


class Command(BaseCommand):
    help = ("Restore the database from an archive written by `backup`. Stop the web server, the task worker and "
            "the scheduler first. The archive is decrypted and verified in full before the database is touched; "
            "the current database is first backed up beside the other archives, and erasures made since the "
            "backup are replayed from the erasure log.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default).")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="Do not ask for confirmation.")
        parser.add_argument("--no-safety-backup", action="store_true",
                            help="Do not back up the current database first (when it is lost or beyond saving).")

    def handle(self, *args, archive: Path, database: str, interactive: bool, no_safety_backup: bool, **options):
        try:
            with backups.verified(archive, using=database) as checked:
                header = checked.header
                self.stdout.write(f"{archive}: verified {header.vendor} backup of {header.created_at}, "
                                  f"key {header.kek_id}.")
                if checked.files is None:
                    self.stdout.write("This archive predates backups of files: the sealed files on disk are left "
                                      "as they are.")
                else:
                    self.stdout.write(f"It holds {checked.file_count} sealed file(s); they replace the ones on "
                                      "disk.")
                if interactive and not self._confirmed():
                    raise CommandError("Restore cancelled; nothing changed.")
                backups.ensure_not_in_use(database)
                if not no_safety_backup:
                    saved, _header = self._safety_backup(database)
                    self.stdout.write(f"The database as it was: {saved}")
                backups.load(checked, using=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {archive}.")
        if self._replay_erasures(database):
            # The restored chain continues with a record of the restore itself.
            with transaction.atomic(using=database):
                audit.record(organisation=None, by=None, action="backup.restored",
                             summary=f"{archive.name} ({header.vendor}) of {header.created_at}")

    def _replay_erasures(self, database: str) -> bool:
        """Erase again whoever was erased after the backup was taken (the erasure log lives outside the database)."""
        executor = MigrationExecutor(connections[database])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending or database != DEFAULT_DB_ALIAS or "replay_erasures" not in get_commands():
            self.stdout.write(self.style.WARNING(
                f"The backup predates {len(pending)} migration(s): run `manage.py migrate`, then "
                "`manage.py replay_erasures`, before starting the app; until then people erased after this "
                "backup was taken are readable again." if pending else
                "Run `manage.py replay_erasures` before starting the app, so that people erased after this "
                "backup was taken stay erased."
            ))
            return False
        call_command("replay_erasures", stdout=self.stdout)
        return True

    def _confirmed(self) -> bool:
        try:
            answer = input("This replaces every record in the database. Type 'yes' to continue: ")
        except EOFError:
            return False
        return answer.strip().lower() == "yes"

    def _safety_backup(self, database: str):
        try:
            return backups.back_up(using=database, label="-before-restore")
        except backups.BackupError as error:
            raise backups.BackupError(
                f"Could not back up the current database first ({error}); nothing changed. If it is lost or "
                "beyond saving, restore again with --no-safety-backup."
            ) from None
