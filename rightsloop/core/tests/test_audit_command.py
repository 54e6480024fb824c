"""manage.py verify_audit on a real database tampered with in SQL: it names the first broken entry."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rightsloop.core import audit

from .test_audit_triggers import install_append_only_triggers, remove_append_only_triggers, sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(organisation):
    # As an intruder with database access would: without the append-only triggers (rolled back after the test).
    remove_append_only_triggers()
    return [audit.record(organisation=organisation, by=None, action=f"thing.{n}", summary=f"entry {n}")
            for n in range(6)]


def verify_audit(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def broken(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        verify_audit(*args)
    assert error.value.returncode == 1
    return str(error.value)


def test_an_intact_chain_prints_its_count_and_head(entries):
    out, _err = verify_audit()
    assert f"Audit chain intact: 6 entries verified; head 6:{entries[-1].entry_hash}" in out


def test_an_empty_log_is_intact(db):
    assert "no entries yet" in verify_audit()[0]


def test_an_edited_row_is_named(entries):
    sql("UPDATE core_auditentry SET summary = 'nothing happened' WHERE id = %s", [entries[2].pk])
    assert f"broken at entry 3 (id {entries[2].pk}): edited" in broken()


def test_a_deleted_row_is_named(entries):
    sql("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    message = broken()
    assert "broken at entry 2: missing (deleted)" in message
    assert f"between ids {entries[0].pk} and {entries[2].pk}" in message


def test_swapped_rows_are_named(entries):
    second, fifth = entries[1].pk, entries[4].pk
    sql("UPDATE core_auditentry SET sequence = 1000 WHERE id = %s", [second])
    sql("UPDATE core_auditentry SET sequence = 2 WHERE id = %s", [fifth])
    sql("UPDATE core_auditentry SET sequence = 5 WHERE id = %s", [second])
    assert f"broken at entry 2 (id {fifth}): edited" in broken()


def test_a_truncated_tail_is_named(entries):
    sql("DELETE FROM core_auditentry WHERE id IN (%s, %s)", [entries[4].pk, entries[5].pk])
    assert "broken at entry 5: truncated tail" in broken()


def test_a_truncated_tail_behind_a_rewound_head_is_named(entries):
    sql("DELETE FROM core_auditentry WHERE id IN (%s, %s)", [entries[4].pk, entries[5].pk])
    sql("UPDATE core_auditchainhead SET sequence = 4, entry_hash = %s", [entries[3].entry_hash])
    assert "broken at entry 4: wrong head" in broken()


def test_a_deleted_head_is_named(entries):
    sql("DELETE FROM core_auditchainhead")
    assert "broken at entry 6: wrong head" in broken()


def test_an_anchor_from_an_earlier_run_must_still_be_there(entries):
    assert "intact" in verify_audit("--anchor", f"4:{entries[3].entry_hash}")[0]
    assert "truncated tail" in broken("--anchor", f"9:{'0' * 64}")
    with pytest.raises(CommandError, match="SEQUENCE:HASH"):
        verify_audit("--anchor", "four")


def test_it_warns_when_the_append_only_triggers_are_missing(entries):
    assert "triggers of migration core 0005 are missing" in verify_audit()[1]
    install_append_only_triggers()
    if connection.vendor == "postgresql":
        sql("SET CONSTRAINTS ALL IMMEDIATE")
    assert "missing or disabled" not in verify_audit()[1]
