"""Walk the whole audit chain in order and name the first broken entry (docs/security/x3-audit.md)."""

from contextlib import closing

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from rightsloop.core import audit, keys
from rightsloop.core.models import AuditChainHead, AuditEntry

CHUNK = 5000


def parse_anchor(text: str) -> tuple[int, str]:
    sequence, _sep, hash_ = text.partition(":")
    if not sequence.isdigit() or len(hash_) != 64:
        raise CommandError("--anchor takes SEQUENCE:HASH, as printed by an earlier run.")
    return int(sequence), hash_.lower()


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain from the first entry to the head; print the count and head when "
        "intact, or the first broken entry (sequence, id, reason) and exit with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", metavar="SEQUENCE:HASH", type=parse_anchor,
            help="A head printed by an earlier run and kept off this machine: the chain must still contain it.",
        )

    def handle(self, *args, anchor: tuple[int, str] | None = None, **options):
        key = keys.audit_key()
        # The head first: entries appended during the walk come after it and are checked like the rest.
        head = AuditChainHead.objects.filter(pk=audit.HEAD_ID).first()
        rows = AuditEntry.objects.order_by("sequence").values_list(*audit.CHAIN_FIELDS).iterator(chunk_size=CHUNK)
        # Closed at once when the walk stops early, so PostgreSQL's server-side cursor goes with it.
        with closing(rows):
            result = audit.verify((audit.ChainEntry._make(row) for row in rows), head, key, anchor=anchor)
        for reason in audit.unguarded_reasons(connection):
            self.stderr.write(self.style.WARNING(
                f"Warning: this database connection may change audit rows: {reason} "
                "(see docs/security/x3-audit.md)."
            ))
        if result.problem is not None:
            raise CommandError(
                f"Audit chain broken at entry {result.problem}. "
                f"{result.checked} entries before it verified.", returncode=1,
            )
        if head is None:
            self.stdout.write(self.style.SUCCESS("Audit chain intact: no entries yet."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact: {result.checked} entries verified; head {head.sequence}:{head.entry_hash}"
        ))
