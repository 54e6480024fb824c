"""Write and verify the audit log, a hash chain sealed with the audit key (docs/security/x3-audit.md).

Each entry holds its place in one chain (`sequence`), the hash of the entry before it (`previous_hash`)
and its own `entry_hash`: HMAC-SHA256 under the audit key (core.keys, never the database) over a canonical
serialisation of every stored field and `previous_hash`. The one AuditChainHead row holds the last
sequence and hash under a seal of its own; every append locks it, so the chain stays in order on
PostgreSQL and SQLite alike. Without the key, nobody can edit, delete, reorder or truncate entries
without verify() naming the first broken one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import keys
from .models import AuditChainHead, AuditEntry, Organisation

if TYPE_CHECKING:
    from rightsloop.accounts.viewer import Viewer

GENESIS = "0" * 64  # the previous_hash of the first entry
HEAD_ID = 1
_ENTRY_DOMAIN = b"rightsloop audit entry v1\n"
_HEAD_DOMAIN = b"rightsloop audit head v1\n"

# What verify_audit reads of each row, in ChainEntry's order.
CHAIN_FIELDS = (
    "id", "sequence", "organisation_id", "actor_id", "actor_label", "actor_role", "action",
    "target_type", "target_id", "summary", "changed_fields", "at", "previous_hash", "entry_hash",
)


class ChainEntry(NamedTuple):
    """An audit row as the chain sees it: every stored field, without the model around it."""

    id: int | None
    sequence: int
    organisation_id: int | None
    actor_id: int | None
    actor_label: str
    actor_role: str
    action: str
    target_type: str
    target_id: str
    summary: str
    changed_fields: list[str]
    at: datetime
    previous_hash: str
    entry_hash: str

    @classmethod
    def of(cls, row) -> ChainEntry:
        """Read the chain's fields from an AuditEntry (or a historical model in a migration)."""
        return cls(*(getattr(row, name) for name in CHAIN_FIELDS))


class ChainHead(Protocol):
    sequence: int
    entry_hash: str
    seal: str


def utc_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry: ChainEntry) -> bytes:
    """Serialise what the hash covers: every stored field but the row id, and the previous hash."""
    return json.dumps(
        {
            "sequence": entry.sequence,
            "organisation": entry.organisation_id,
            "actor": entry.actor_id,
            "actor_label": entry.actor_label,
            "actor_role": entry.actor_role,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "summary": entry.summary,
            "changed_fields": list(entry.changed_fields),
            "at": utc_timestamp(entry.at),
            "previous_hash": entry.previous_hash,
        },
        sort_keys=True, separators=(",", ":"), ensure_ascii=True,
    ).encode()


def entry_hash(entry: ChainEntry, key: bytes) -> str:
    return hmac.new(key, _ENTRY_DOMAIN + canonical(entry), hashlib.sha256).hexdigest()


def head_seal(sequence: int, last_hash: str, key: bytes) -> str:
    """Seal the head, so that rewinding it to hide a truncated tail needs the key too."""
    return hmac.new(key, _HEAD_DOMAIN + f"{sequence}:{last_hash}".encode(), hashlib.sha256).hexdigest()


# Writing -----------------------------------------------------------------

def record(
    *,
    organisation: Organisation | None,
    by: Viewer | None,
    action: str,
    target: models.Model | None = None,
    summary: str = "",
    changed_fields: Iterable[str] = (),
) -> AuditEntry:
    """Append one audit entry to the chain; call it from inside the action's transaction."""
    key = keys.audit_key()
    # No savepoint: inside the caller's transaction this adds no query; alone, it makes one.
    with transaction.atomic(savepoint=False):
        head = _locked_head(key)
        entry = AuditEntry(
            sequence=head.sequence + 1,
            organisation=organisation,
            actor=by.user if by else None,
            actor_label=by.user.get_username() if by else "system",
            actor_role=by.role if by else "",
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            summary=str(summary)[:300],
            changed_fields=sorted({str(name) for name in changed_fields}),
            # Taken under the head's lock, so time never runs backwards along the chain.
            at=timezone.now(),
            previous_hash=head.entry_hash,
        )
        entry.entry_hash = entry_hash(ChainEntry.of(entry), key)
        entry.save(force_insert=True)
        head.sequence, head.entry_hash = entry.sequence, entry.entry_hash
        head.seal = head_seal(head.sequence, head.entry_hash, key)
        head.save(update_fields=["sequence", "entry_hash", "seal"])
    return entry


class ChainHeadMissing(Exception):
    """The audit log has entries but no chain head: someone removed it."""


# Audit entries that record a reading, not a change: they leave every figure as it was.
READS = ("grievance.read", "grievance.attachment_read", "identity.read", "identity.revealed", "stakeholder.exported",
         "board_pack.downloaded")


def latest_change(organisation: Organisation) -> str:
    """The organisation's latest recorded change: its newest audit entry that is not a read (sequence and seal).

    Every state change goes through an action that writes the audit log in its transaction, so a new change
    means a new version: remembered figures (the grievance self-check, the board view) are fresh while it holds.
    The entry's seal (a hash over its time and content) keeps two databases that reuse a sequence number apart
    (a test database rolled back, a restore).
    """
    return _stamp(AuditEntry.objects.filter(organisation=organisation))


def latest_change_among(organisations) -> str:
    """latest_change over several organisations (ids or a queryset of them): one audit chain numbers them all."""
    return _stamp(AuditEntry.objects.filter(organisation__in=organisations))


def _stamp(entries) -> str:
    newest = entries.exclude(action__in=READS).order_by("-sequence").values_list("sequence", "entry_hash").first()
    return f"{newest[0]}-{newest[1][:16]}" if newest else "0"


def _locked_head(key: bytes) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    # The first entry of a new database (migration 0004 made the head where entries existed). A concurrent
    # first append blocks on this insert until the other commits, then fails and appends after it.
    try:
        with transaction.atomic():
            head = AuditChainHead.objects.create(pk=HEAD_ID, sequence=0, entry_hash=GENESIS,
                                                 seal=head_seal(0, GENESIS, key))
            if AuditEntry.objects.exists():
                raise ChainHeadMissing("The audit chain head is missing while audit entries exist: run "
                                       "manage.py verify_audit, and see docs/security/x3-audit.md.")
            return head
    except IntegrityError:
        return AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)


# Verifying ---------------------------------------------------------------

class Reason(models.TextChoices):
    EDITED = "edited", _("edited")
    MISSING = "missing", _("missing (deleted)")
    REORDERED = "reordered", _("reordered")
    TRUNCATED = "truncated", _("truncated tail")
    WRONG_HEAD = "wrong_head", _("wrong head")


def _same(stored, expected: str | None) -> bool:
    return isinstance(stored, str) and expected is not None and hmac.compare_digest(
        stored.encode(), expected.encode())


def _hash_or_none(entry: ChainEntry, key: bytes) -> str | None:
    """The entry's hash, or None when a field was changed into something no entry can hold."""
    try:
        return entry_hash(entry, key)
    except (TypeError, ValueError, AttributeError):
        return None


@dataclass(frozen=True)
class Problem:
    """The first place where the chain does not hold, and why."""

    reason: Reason
    sequence: int
    entry_id: int | None
    detail: str

    def __str__(self) -> str:
        where = f"{self.sequence}" + (f" (id {self.entry_id})" if self.entry_id is not None else "")
        return f"{where}: {self.reason.label} - {self.detail}"


@dataclass(frozen=True)
class Verification:
    checked: int
    last_sequence: int
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(entries: Iterable[ChainEntry], head: ChainHead | None, key: bytes,
           anchor: tuple[int, str] | None = None) -> Verification:
    """Walk entries in sequence order and return how many held, and the first problem if any.

    `head` is the chain head read before the entries: entries after it (appended while the walk ran)
    are checked like any other, and every entry up to it must be present. `anchor` is a (sequence, hash)
    kept off the machine by an earlier run: the chain must still contain it.
    """
    expected, previous_hash, previous_id, checked = 1, GENESIS, None, 0

    def result(reason: Reason, sequence: int, entry_id: int | None, detail: str) -> Verification:
        return Verification(checked, expected - 1, Problem(reason, sequence, entry_id, detail))

    for entry in entries:
        if entry.sequence > expected:
            missing = f"{expected}" if entry.sequence == expected + 1 else f"{expected} to {entry.sequence - 1}"
            return result(Reason.MISSING, expected, None,
                          f"entry {missing} is not there, between ids {previous_id} and {entry.id} "
                          f"(the next entry is {entry.sequence})")
        if entry.sequence < expected:
            return result(Reason.REORDERED, entry.sequence, entry.id,
                          f"sequence {entry.sequence} appears again after {expected - 1}")
        if previous_id is not None and entry.id is not None and entry.id <= previous_id:
            return result(Reason.REORDERED, entry.sequence, entry.id,
                          f"its row id {entry.id} is not after the previous entry's id {previous_id}: rows were moved")
        if not _same(entry.entry_hash, _hash_or_none(entry, key)):
            return result(Reason.EDITED, entry.sequence, entry.id,
                          "its fields (or its sequence or hashes) changed after it was written")
        if not _same(entry.previous_hash, previous_hash):
            return result(Reason.REORDERED, entry.sequence, entry.id,
                          "it was written after a different entry than the one now before it")
        if head is not None and entry.sequence == head.sequence and entry.entry_hash != head.entry_hash:
            return result(Reason.WRONG_HEAD, entry.sequence, entry.id,
                          "the chain head names a different hash for this entry")
        if anchor is not None and entry.sequence == anchor[0] and entry.entry_hash != anchor[1]:
            return result(Reason.EDITED, entry.sequence, entry.id,
                          "its hash differs from the anchor kept off the machine: the chain was rewritten "
                          "up to here by someone holding the audit key")
        expected, previous_hash, previous_id, checked = expected + 1, entry.entry_hash, entry.id, checked + 1

    last = expected - 1
    if anchor is not None and anchor[0] > last:
        return result(Reason.TRUNCATED, last + 1, None,
                      f"the chain ends at entry {last}, before the anchor's entry {anchor[0]}")
    if head is None:
        if checked:
            return result(Reason.WRONG_HEAD, last, None, "there is no chain head, yet there are entries")
        return Verification(0, 0, None)
    if not _same(head.seal, head_seal(head.sequence, head.entry_hash, key)):
        return result(Reason.WRONG_HEAD, head.sequence, None,
                      "the chain head is not sealed by the audit key: it was rewound or rewritten "
                      "(to hide a truncated tail, for instance)")
    if head.sequence > last:
        return result(Reason.TRUNCATED, last + 1, None,
                      f"the chain ends at entry {last} but its head is at {head.sequence}: "
                      "the last entries were deleted")
    if head.sequence == 0 and head.entry_hash != GENESIS:
        return result(Reason.WRONG_HEAD, 0, None, "the chain head of an empty chain names a hash")
    return Verification(checked, last, None)


@dataclass(frozen=True)
class PageCheck:
    verified_up_to: int | None
    problem: Problem | None


def check_page(entries: Sequence[AuditEntry]) -> PageCheck:
    """Check a page of entries against their own hashes and their predecessors' in one query."""
    if not entries:
        return PageCheck(None, None)
    key = keys.audit_key()
    # Each sequence's hash and row id: rows swapped in the table keep valid seals, only their ids betray them.
    rows = {entry.sequence: (entry.entry_hash, entry.pk) for entry in entries}
    wanted = {entry.sequence - 1 for entry in entries} - set(rows) - {0}
    rows.update((sequence, (entry_hash, pk)) for sequence, entry_hash, pk in
                AuditEntry.objects.filter(sequence__in=wanted).values_list("sequence", "entry_hash", "id"))
    rows[0] = (GENESIS, None)
    for entry in sorted(entries, key=lambda e: e.sequence):
        if not _same(entry.entry_hash, _hash_or_none(ChainEntry.of(entry), key)):
            return PageCheck(None, Problem(Reason.EDITED, entry.sequence, entry.pk, "changed after it was written"))
        before = rows.get(entry.sequence - 1)
        if before is None:
            return PageCheck(None, Problem(Reason.MISSING, entry.sequence - 1, None, "the entry before is gone"))
        before_hash, before_id = before
        if not _same(entry.previous_hash, before_hash):
            return PageCheck(None, Problem(Reason.REORDERED, entry.sequence, entry.pk,
                                           "written after a different entry"))
        if before_id is not None and before_id >= entry.pk:
            return PageCheck(None, Problem(Reason.REORDERED, entry.sequence, entry.pk,
                                           "its row comes before the entry written before it: rows were moved"))
    return PageCheck(max(entry.sequence for entry in entries), None)


def changed(instance: models.Model, before: dict, fields: Iterable[str]) -> list[str]:
    """Name the fields whose value differs from the snapshot taken before an edit."""
    return [name for name in fields if before.get(name) != getattr(instance, name)]


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    return {name: getattr(instance, name) for name in fields}


# The database's own guard ----------------------------------------------------

# The append-only triggers of migration core 0005, by database vendor.
APPEND_ONLY_TRIGGERS = {
    "postgresql": ("core_auditentry_append_only", "core_auditentry_no_truncate",
                   "core_auditchainhead_forward_only", "core_auditchainhead_no_truncate"),
    "sqlite": ("core_auditentry_no_update", "core_auditentry_no_delete",
               "core_auditchainhead_forward_only", "core_auditchainhead_no_delete"),
}


def unguarded_reasons(connection) -> list[str]:
    """Why this database connection could change audit rows, leaving only the chain to notice; empty if none.

    The chain still proves tampering (verify); these are the guards in front of it: the triggers, and on
    PostgreSQL an application role that is no superuser (which could switch the triggers off with
    `session_replication_role`), does not own the audit tables (which could drop them) and was not granted
    UPDATE or DELETE on the entries (docs/security/x3-audit.md, "Database roles").
    """
    reasons = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN (to_regclass('core_auditentry'), to_regclass('core_auditchainhead'))"
            )
            present = {name for (name,) in cursor.fetchall()}
            cursor.execute(
                "SELECT r.rolsuper, pg_has_role(current_user, c.relowner, 'USAGE'), "
                "has_table_privilege(current_user, c.oid, 'UPDATE, DELETE') "
                "FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'core_auditentry'::regclass"
            )
            superuser, owner, may_change = cursor.fetchone()
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {name for (name,) in cursor.fetchall()}
            superuser = owner = may_change = False
        else:
            return [f"no append-only guard is known for {connection.vendor}"]
    missing = [name for name in APPEND_ONLY_TRIGGERS[connection.vendor] if name not in present]
    if missing:
        reasons.append("the append-only triggers of migration core 0005 are missing or disabled "
                       f"({', '.join(missing)})")
    if superuser:
        reasons.append("it connects as a PostgreSQL superuser, which can switch the triggers off "
                       "(SET session_replication_role = replica)")
    elif owner:
        reasons.append("it connects as the owner of the audit tables, which can drop or disable the triggers")
    elif may_change:
        reasons.append("its role is granted UPDATE or DELETE on the audit entries (run create_database_roles)")
    return reasons
