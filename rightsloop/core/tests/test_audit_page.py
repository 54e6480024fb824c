"""The audit log page shows each entry's place in the chain and checks the page it shows, cheaply."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.core import audit

from .test_audit_triggers import remove_append_only_triggers, sql

pytestmark = pytest.mark.django_db


def record(organisation, count: int, action: str = "thing.done") -> list:
    return [audit.record(organisation=organisation, by=None, action=f"{action}.{n}", summary=f"{action} {n}")
            for n in range(count)]


def test_the_page_shows_sequences_and_how_far_the_chain_was_verified(auditor, other_organisation, sign_in):
    ours = []
    for _round in range(3):  # interleaved with another organisation's entries, which link ours together
        ours += record(auditor.organisation, 2, "ours")
        record(other_organisation, 2, "theirs")

    page = sign_in(auditor).get("/audit/").content.decode()

    assert f"Chain verified up to entry {ours[-1].sequence}" in page
    assert f"<td>{ours[0].sequence}</td>" in page
    assert "theirs" not in page


def test_the_page_checks_in_a_constant_number_of_queries(auditor, other_organisation, sign_in):
    client = sign_in(auditor)
    record(other_organisation, 1)
    record(auditor.organisation, 3)
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    for _round in range(30):
        record(other_organisation, 1)
        record(auditor.organisation, 2)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/audit/").content.decode()
    assert len(many) == len(few)
    assert "Chain verified up to entry" in page


def test_an_entry_edited_in_the_database_is_flagged(auditor, sign_in):
    remove_append_only_triggers()
    entries = record(auditor.organisation, 4)
    sql("UPDATE core_auditentry SET summary = 'nothing happened' WHERE id = %s", [entries[1].pk])

    page = sign_in(auditor).get("/audit/").content.decode()

    assert f"The audit chain is broken at entry {entries[1].sequence}: edited." in page
    assert "Chain verified" not in page


def test_a_deleted_predecessor_is_flagged(auditor, other_organisation, sign_in):
    remove_append_only_triggers()
    record(auditor.organisation, 1)
    theirs = record(other_organisation, 1)
    ours = record(auditor.organisation, 1)
    sql("DELETE FROM core_auditentry WHERE id = %s", [theirs[0].pk])

    page = sign_in(auditor).get("/audit/").content.decode()

    assert f"The audit chain is broken at entry {ours[0].sequence - 1}: missing (deleted)." in page
