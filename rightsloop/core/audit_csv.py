"""The audit log as CSV for auditors: the sentences people read, beside the raw values the chain seals.

Streamed, a few hundred entries at a time, each batch named as the page names it (core.audit_log.readable):
a record the exporter may not see is named generically, a protected stakeholder by pseudonym at most. Cells a
spreadsheet would run as formulas are made plain text (core.spreadsheets.guard).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .audit import utc_timestamp
from .audit_log import readable
from .spreadsheets import guard

if TYPE_CHECKING:
    from rightsloop.accounts.viewer import Viewer

COLUMNS = ("sequence", "at_utc", "who", "role", "area", "what_happened", "record", "action", "target_type",
           "target_id", "summary", "changed_fields", "entry_hash")
BATCH = 500


class _Line:
    """A file-like object that hands back what csv.writer writes, so each row can be streamed."""

    def write(self, value: str) -> str:
        return value


def rows(viewer: Viewer, entries: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(COLUMNS)
    found = entries.iterator(chunk_size=BATCH)
    while batch := list(islice(found, BATCH)):
        for row in readable(viewer, batch):
            entry = row.entry
            yield writer.writerow([guard(value) for value in (
                entry.sequence, utc_timestamp(entry.at), row.who, entry.actor_role, row.area, row.sentence,
                row.target.text if row.target else "", entry.action, entry.target_type, entry.target_id,
                entry.summary, "; ".join(entry.changed_fields), entry.entry_hash,
            )])
