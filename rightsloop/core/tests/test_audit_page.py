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
    assert f">{ours[0].sequence}</td>" in page
    assert "theirs" not in page


def test_the_page_checks_in_a_constant_number_of_queries(auditor, other_organisation, sign_in):
    client = sign_in(auditor)
    record(other_organisation, 1)
    # Enough entries without a record to fill a page: the members' own entries name records of their own.
    record(auditor.organisation, 50)
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


# The readable log (issue 16) -------------------------------------------------------------------------------

def _entries(page: str) -> list[str]:
    """The sentences of the page's rows, tags removed."""
    import re

    cells = re.findall(r"<tr><td>(.*?)</td>", page, re.S)
    return [re.sub(r"<[^>]+>", "", cell).split(" · ")[0].strip() for cell in cells]


def test_entries_read_as_sentences_with_the_record_linked(auditor, hr_lead, sign_in):
    from django.urls import reverse

    from rightsloop.engagements import actions as engagement_actions
    from rightsloop.engagements.tests.factories import make_engagement, make_input

    hr_lead.user.first_name, hr_lead.user.last_name = "Maria", "Okafor"
    hr_lead.user.save(update_fields=["first_name", "last_name"])
    engagement = make_engagement(hr_lead, title="Content moderation consultation")
    item = make_input(hr_lead, engagement)
    engagement_actions.record_decision(input=item, outcome="adopted", rationale="We will publish it.", by=hr_lead)

    page = sign_in(auditor).get("/audit/").content.decode()

    assert _entries(page)[:3] == [
        "Maria Okafor recorded a decision on an input in “Content moderation consultation”",
        "Maria Okafor recorded an input in “Content moderation consultation”",
        "Maria Okafor created the engagement “Content moderation consultation”",
    ]
    inputs_page = reverse("engagements:inputs", args=[engagement.pk])
    assert (f'Maria Okafor recorded a decision on <a href="{inputs_page}">an input in “Content moderation '
            "consultation”</a>") in page
    assert "· Engagements and the loop" in page
    assert "<code>decision.recorded</code>" not in page and "engagements.input:" not in page


def test_a_record_the_reader_may_not_see_is_named_generically_and_not_linked(auditor, hr_lead, sign_in):
    from rightsloop.stakeholders.pseudonyms import pseudonym
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    open_person = make_stakeholder(hr_lead, name="Amina Yusuf")
    elevated = make_stakeholder(hr_lead, name="Elevated Person", safety_level="elevated")
    hidden = make_stakeholder(hr_lead, name="Hidden Person", safety_level="high")

    page = sign_in(auditor).get("/audit/").content.decode()

    sentences = _entries(page)
    assert "Hidden Person" not in page and "Elevated Person" not in page
    assert f'<a href="/stakeholders/{open_person.pk}/">Amina Yusuf</a>' in page
    # Elevated: the reader may open the record, which the log names by its pseudonym only.
    assert f'<a href="/stakeholders/{elevated.pk}/">{pseudonym(elevated.pk)}</a>' in page
    # High, without a grant: not even the pseudonym, no link.
    assert pseudonym(hidden.pk) not in page and f"/stakeholders/{hidden.pk}/" not in page
    assert f"{hr_lead.user.display_name} registered a stakeholder" in sentences


def test_filters_by_person_kind_of_action_record_and_dates(auditor, hr_lead, admin, sign_in):
    import datetime

    from django.utils import timezone

    from rightsloop.engagements.tests.factories import make_engagement
    from rightsloop.risks.tests.factories import make_risk

    make_engagement(hr_lead, title="Workshop in Nairobi")
    make_engagement(admin, title="Survey of riders")
    make_risk(hr_lead, title="Location data exposure")
    client = sign_in(auditor)

    def sentences(**query) -> list[str]:
        response = client.get("/audit/", query)
        assert response.status_code == 200
        return _entries(response.content.decode())

    page = client.get("/audit/").content.decode()
    assert f'<option value="{admin.user.pk}">{admin.user.display_name}</option>' in page
    assert '<optgroup label="Engagements and the loop">' in page
    assert '<option value="engagement.created">Someone created the engagement …</option>' in page
    assert '<option value="input.recorded">Someone recorded an input</option>' in page
    assert '<option value="engagements.engagement">Engagement</option>' in page

    by_admin = sentences(actor=admin.user.pk)
    assert by_admin and all(sentence.startswith(admin.user.display_name) for sentence in by_admin)
    assert any("“Survey of riders”" in sentence for sentence in by_admin)
    assert len(sentences(action="engagement.created")) == 2
    assert sentences(action="risk.registered") == [
        f"{hr_lead.user.display_name} registered the risk “Location data exposure”"]
    assert sentences(target_kind="engagements.engagement", search="nairobi") == [
        f"{hr_lead.user.display_name} created the engagement “Workshop in Nairobi”"]
    today = timezone.localdate()
    assert sentences(since=today + datetime.timedelta(days=1)) == []
    assert len(sentences(since=today, until=today, action="engagement.created")) == 2


def test_invalid_filters_show_their_errors_and_no_entries(auditor, hr_lead, sign_in):
    from rightsloop.engagements.tests.factories import make_engagement

    make_engagement(hr_lead, title="Workshop in Nairobi")
    client = sign_in(auditor)

    for query in ({"since": "2026-05-02", "until": "2026-05-01"}, {"action": "thing.done"}, {"actor": "nobody"},
                  {"since": "yesterday"}):
        response = client.get("/audit/", query)
        assert response.status_code == 400, query
        assert "Workshop in Nairobi" not in response.content.decode()
        assert client.get("/audit/export.csv", query).status_code == 400


def test_the_readable_page_names_records_in_a_constant_number_of_queries(auditor, hr_lead, sign_in):
    from rightsloop.engagements.tests.factories import make_engagement, make_input
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    client = sign_in(auditor)
    engagement = make_engagement(hr_lead)
    make_input(hr_lead, engagement)
    make_stakeholder(hr_lead)
    # The same kinds of record on both pages (the members' own entries would leave the longer one).
    mine = {"actor": hr_lead.user.pk}
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/", mine)
    for _round in range(8):
        other = make_engagement(hr_lead)
        make_input(hr_lead, other)
        make_stakeholder(hr_lead)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/audit/", mine).content.decode()
    assert len(many) == len(few)
    assert page.count("registered <a href=") == 9


# The CSV export --------------------------------------------------------------------------------------------

def _csv(response) -> list[dict]:
    import csv
    import io

    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_export_holds_the_filtered_sentences_and_raw_values_and_is_itself_audited(auditor, hr_lead, sign_in):
    from rightsloop.core.models import AuditEntry
    from rightsloop.engagements.tests.factories import make_engagement

    engagement = make_engagement(hr_lead, title="Workshop in Nairobi")
    make_engagement(hr_lead, title="Survey of riders")

    response = sign_in(auditor).get("/audit/export.csv", {"search": "nairobi"})

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = _csv(response)
    assert [row["what_happened"] for row in rows] == [
        f"{hr_lead.user.display_name} created the engagement “Workshop in Nairobi”"]
    row = rows[0]
    entry = AuditEntry.objects.get(sequence=int(row["sequence"]))
    assert (row["action"], row["target_type"], row["target_id"]) == (
        "engagement.created", "engagements.engagement", str(engagement.pk))
    assert (row["who"], row["role"], row["area"], row["record"], row["entry_hash"]) == (
        hr_lead.user.display_name, "hr_lead", "Engagements and the loop", "“Workshop in Nairobi”", entry.entry_hash)
    assert row["at_utc"].endswith("Z")
    exported = AuditEntry.objects.filter(action="audit_log.exported").get()
    assert (exported.actor_id, exported.summary) == (auditor.user.pk, "search=yes")


def test_the_export_cannot_run_formulas_and_names_no_protected_person(auditor, hr_lead, sign_in):
    from rightsloop.engagements.tests.factories import make_engagement
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    hr_lead.user.first_name, hr_lead.user.last_name = "=cmd|' /C calc'!A0", ""
    hr_lead.user.save(update_fields=["first_name", "last_name"])
    make_engagement(hr_lead, title="Workshop")
    make_stakeholder(hr_lead, name="Hidden Person", safety_level="high")
    audit.record(organisation=auditor.organisation, by=None, action="thing.done", summary="@SUM(1+1)")

    response = sign_in(auditor).get("/audit/export.csv")
    body = b"".join(response.streaming_content).decode()

    assert "Hidden Person" not in body
    rows = _csv_rows(body)
    assert next(row for row in rows if row["action"] == "thing.done")["summary"] == "'@SUM(1+1)"
    created = next(row for row in rows if row["action"] == "engagement.created")
    assert created["who"] == "'=cmd|' /C calc'!A0"
    assert created["what_happened"] == "'=cmd|' /C calc'!A0 created the engagement “Workshop”"
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    registered = next(row for row in rows if row["action"] == "stakeholder.registered")
    assert registered["record"] == "a stakeholder"


def _csv_rows(body: str) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def test_only_those_who_may_read_the_log_may_export_it(hr_lead, board, sign_in):
    assert sign_in(hr_lead).get("/audit/export.csv").status_code == 403
    assert sign_in(board).get("/audit/export.csv").status_code == 403


def test_every_kind_of_record_an_app_registers_names_its_own_model(auditor, admin, hr_lead):
    from django.apps import apps

    from rightsloop.core.registry import site

    assert len(site.audit_targets) > 20
    for label, target in site.audit_targets.items():
        model = apps.get_model(label)
        for viewer in (auditor, admin, hr_lead):
            found = target.visible(viewer)
            assert found.model is model, label
            list(found[:1])  # a query the database answers
