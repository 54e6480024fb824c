"""The database itself refuses to change or delete audit rows (migration 0005), and 0004 chains old rows.

The test database is built without migrations, so these tests run the migrations' own functions on the
test's connection, inside its transaction, which rolls them back afterwards.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import ProtectedError

from rightsloop.core import audit, keys
from rightsloop.core.audit import ChainEntry, verify
from rightsloop.core.models import AuditChainHead, AuditEntry

from .database_owner import as_owner, lend_audit_updates_to_this_test, runs_as_application_role

append_only = importlib.import_module("rightsloop.core.migrations.0005_audit_append_only")
existing_rows = importlib.import_module("rightsloop.core.migrations.0004_audit_chain_existing_rows")

pytestmark = pytest.mark.django_db


class TestConnectionEditor:
    """What the migrations' functions use of a schema editor, on the test's own connection and transaction."""

    __test__ = False
    connection = connection

    def execute(self, sql, params=None):
        as_owner(sql, params)  # migrations run as the tables' owner


def install_append_only_triggers() -> None:
    append_only.remove_triggers(apps, TestConnectionEditor())  # in case the database was migrated
    append_only.install_triggers(apps, TestConnectionEditor())


def remove_append_only_triggers() -> None:
    append_only.remove_triggers(apps, TestConnectionEditor())


def sql(statement: str, params=None) -> None:
    """Raw SQL as an intruder with the owner's access would run it: only the triggers stand in the way."""
    as_owner(statement, params)


def refused(change) -> bool:
    try:
        with transaction.atomic():
            change()
    except IntegrityError as error:
        return "audit" in str(error)  # refused by the triggers, not by something else
    except ProgrammingError as error:
        # The application role (CI's PostgreSQL run) is refused by its privileges before the triggers.
        return "permission denied" in str(error) and runs_as_application_role()
    return False


@pytest.fixture
def append_only_log(db):
    install_append_only_triggers()


def test_the_application_cannot_update_or_delete_an_audit_row(append_only_log, organisation):
    entry = audit.record(organisation=organisation, by=None, action="thing.done", summary="as it happened")

    assert refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(summary="rewritten"))
    assert refused(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())
    assert refused(entry.delete)
    assert refused(lambda: sql("UPDATE core_auditentry SET summary = 'rewritten' WHERE id = %s", [entry.pk]))
    assert refused(lambda: sql("DELETE FROM core_auditentry"))
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred foreign key check
        assert refused(lambda: sql("TRUNCATE core_auditentry"))

    assert AuditEntry.objects.get(pk=entry.pk).summary == "as it happened"


def test_the_chain_head_only_moves_forward_one_entry_at_a_time(append_only_log, organisation):
    audit.record(organisation=organisation, by=None, action="thing.done")
    head = AuditChainHead.objects.get()

    assert refused(lambda: AuditChainHead.objects.update(sequence=head.sequence - 1))
    assert refused(lambda: AuditChainHead.objects.update(sequence=head.sequence + 2))
    assert refused(lambda: AuditChainHead.objects.all().delete())
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        assert refused(lambda: sql("TRUNCATE core_auditchainhead"))


def test_appends_still_work_and_verify(append_only_log, organisation, admin):
    for n in range(3):
        audit.record(organisation=organisation, by=admin, action=f"thing.{n}")
    entries = (ChainEntry.of(entry) for entry in AuditEntry.objects.order_by("sequence"))
    assert verify(entries, AuditChainHead.objects.get(), keys.audit_key()).intact


def test_a_removed_user_leaves_their_audit_entries_as_they_were(append_only_log, organisation, admin):
    entry = audit.record(organisation=organisation, by=admin, action="thing.done")
    user_id, username = admin.user.pk, admin.user.username

    admin.user.delete()

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor_id, stored.actor_label, stored.entry_hash) == (user_id, username, entry.entry_hash)


def test_an_organisation_with_audit_entries_cannot_be_deleted(append_only_log, organisation):
    audit.record(organisation=organisation, by=None, action="thing.done", target=organisation)
    with pytest.raises(ProtectedError):
        organisation.delete()


def test_the_upgrade_chains_the_rows_written_before_it(organisation):
    # Rows as migration 0003 leaves them: no place in a chain yet, no hashes, no head.
    at = datetime.datetime(2025, 5, 1, 8, 30, 15, 123456, tzinfo=datetime.UTC)
    for n in range(7):
        AuditEntry.objects.create(sequence=10_000 - n, organisation=organisation, action=f"old.{n}",
                                  summary=f"written before the chain {n}", changed_fields=["name"],
                                  at=at + datetime.timedelta(minutes=n), previous_hash="", entry_hash="")

    lend_audit_updates_to_this_test()  # migrations run as the tables' owner
    existing_rows.chain_existing_rows(apps, TestConnectionEditor())

    ordered = AuditEntry.objects.order_by("sequence")
    assert list(ordered.values_list("action", flat=True)) == [f"old.{n}" for n in range(7)]  # in id order
    head = AuditChainHead.objects.get()
    assert verify((ChainEntry.of(entry) for entry in ordered), head, keys.audit_key()).checked == 7
    assert audit.record(organisation=organisation, by=None, action="new").sequence == 8


def test_the_upgrade_of_an_empty_log_needs_no_key(db, monkeypatch):
    monkeypatch.delenv("RIGHTSLOOP_AUDIT_KEY", raising=False)
    keys.forget()
    existing_rows.chain_existing_rows(apps, TestConnectionEditor())
    assert not AuditChainHead.objects.exists()
