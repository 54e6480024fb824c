"""core.audit.record(): one sealed, chained entry per call, inside the caller's transaction, in three queries."""

import datetime
import itertools
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from rightsloop.core import audit, keys
from rightsloop.core.audit import GENESIS, ChainEntry, entry_hash, head_seal, verify
from rightsloop.core.models import AuditChainHead, AuditEntry

from .database_owner import as_owner

pytestmark = pytest.mark.django_db


def walk():
    entries = (ChainEntry.of(entry) for entry in AuditEntry.objects.order_by("sequence"))
    return verify(entries, AuditChainHead.objects.filter(pk=audit.HEAD_ID).first(), keys.audit_key())


def test_the_first_entry_starts_the_chain_and_seals_what_is_stored(organisation, admin):
    before = timezone.now()
    entry = audit.record(organisation=organisation, by=admin, action="organisation.updated", target=organisation,
                         summary="Ünïcode, quotes \" and a very long tail " + "x" * 400,
                         changed_fields=["name", "feedback_days", "name"])

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.sequence == AuditEntry.objects.count()
    assert stored.previous_hash == (GENESIS if stored.sequence == 1 else
                                    AuditEntry.objects.get(sequence=stored.sequence - 1).entry_hash)
    assert stored.entry_hash == entry.entry_hash == entry_hash(ChainEntry.of(stored), keys.audit_key())
    assert (stored.actor_id, stored.actor_label, stored.actor_role) == (admin.user.pk, admin.user.username, "admin")
    assert stored.changed_fields == ["feedback_days", "name"] and len(stored.summary) == 300
    assert stored.at.utcoffset() == datetime.timedelta(0) and before <= stored.at <= timezone.now()
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.entry_hash) == (stored.sequence, stored.entry_hash)
    assert head.seal == head_seal(head.sequence, head.entry_hash, keys.audit_key())
    assert walk().intact


def test_entries_follow_each_other(organisation):
    entries = [audit.record(organisation=organisation, by=None, action=f"thing.{n}") for n in range(5)]
    assert [e.sequence for e in entries] == list(range(entries[0].sequence, entries[0].sequence + 5))
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in itertools.pairwise(entries))
    assert walk().checked == AuditEntry.objects.count()


def test_recording_makes_three_small_queries(organisation, django_assert_num_queries):
    audit.record(organisation=organisation, by=None, action="chain.started")
    # Lock the head, insert the entry, move the head: nothing grows with the size of the log.
    with django_assert_num_queries(3) as captured:
        audit.record(organisation=organisation, by=None, action="thing.done", target=organisation)
    assert "FOR UPDATE" in captured.captured_queries[0]["sql"] or connection.vendor == "sqlite"


def test_a_rolled_back_action_leaves_no_gap(organisation):
    audit.record(organisation=organisation, by=None, action="before")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(organisation=organisation, by=None, action="rolled.back")
        raise RuntimeError("the action failed")
    after = audit.record(organisation=organisation, by=None, action="after")
    assert not AuditEntry.objects.filter(action="rolled.back").exists()
    assert after.sequence == AuditEntry.objects.get(action="before").sequence + 1
    assert walk().intact


def test_entries_without_an_organisation_or_actor_are_chained_too():
    entry = audit.record(organisation=None, by=None, action="system.started")
    assert entry.actor_label == "system" and walk().intact


def test_a_removed_head_stops_appends_instead_of_forking_the_chain(organisation):
    audit.record(organisation=organisation, by=None, action="thing.done")
    as_owner("DELETE FROM core_auditchainhead")  # as an intruder would, without the append-only triggers
    with pytest.raises(audit.ChainHeadMissing):
        audit.record(organisation=organisation, by=None, action="thing.done")


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="SQLite's IMMEDIATE transactions serialise writers before the head is read")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_form_one_unbroken_chain(organisation):
    threads, per_thread, start, errors = 8, 25, threading.Barrier(8), []

    def append(number: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                with transaction.atomic():
                    audit.record(organisation=organisation, by=None, action=f"thread.{number}.{n}")
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=append, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, threads * per_thread + 1))
    assert walk().intact
