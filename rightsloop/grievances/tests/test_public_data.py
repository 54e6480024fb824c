"""The grievance mechanism's public tables (public_data.py): cases received by channel, finished by outcome,
remedy actions by type; read from the self-check's columns only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from rightsloop.core.periods import quarter_key
from rightsloop.grievances import public_data
from rightsloop.grievances.actions import cases, remedy
from rightsloop.grievances.actions.intake import GrievanceReport, submit_grievance
from rightsloop.grievances.models import Grievance

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)
EVER = datetime.date(2000, 1, 1)
QUARTER = quarter_key(TODAY.year, (TODAY.month - 1) // 3 + 1)


def submit(organisation, channel: str = "web", what: str = "case") -> Grievance:
    return submit_grievance(
        organisation=organisation, channel=channel, submission_key=f"public data {channel} {what}",
        report=GrievanceReport(mode="anonymous", raised_by="affected",
                               description=f"Private account of Jane Canary: {what}")).grievance


def walk(grievance: Grievance, by, *stages: str) -> None:
    for stage in stages:
        if stage == "not_admissible":
            cases.move_stage(grievance=grievance, to=stage, reasons="Another mechanism deals with it.", by=by)
            continue
        if stage == "closed":
            cases.record_outcome(grievance=grievance, summary="We changed the product.", by=by)
        cases.move_stage(grievance=grievance, to=stage, by=by)


def rows(key: str, organisation, end=TOMORROW) -> dict:
    table = next(table for table in public_data.TABLES if table.key == key)
    names = [name for name, _title, _description in table.dimensions]
    return {tuple(row[name] for name in names): row[table.measure[0]]
            for row in table.rows(organisation, EVER, end)}


def test_received_finished_and_remedied(hr_lead):
    organisation = hr_lead.organisation
    remedied, plain, refused = (submit(organisation, "web", "one"), submit(organisation, "web", "two"),
                                submit(organisation, "hotline", "three"))
    submit(organisation, "sms", "four")
    plan = remedy.create_plan(grievances=[remedied], title="Restore the accounts", by=hr_lead)
    for kind in ("restitution", "apology"):
        remedy.add_action(plan=plan, remedy_type=kind, description=f"Private detail for Jane Canary: {kind}",
                          owner=hr_lead.user, due_on=TOMORROW, by=hr_lead)
    for case in (remedied, plain, refused):
        cases.acknowledge(grievance=case, by=hr_lead)
        cases.move_stage(grievance=case, to="assessing", by=hr_lead)
    walk(remedied, hr_lead, "investigating", "closed")
    walk(plain, hr_lead, "investigating", "closed")
    walk(refused, hr_lead, "not_admissible")
    assert rows("grievances-received", organisation) == {(QUARTER, "web"): 2, (QUARTER, "hotline"): 1,
                                                         (QUARTER, "sms"): 1}
    assert rows("grievances-finished", organisation) == {(QUARTER, "closed_with_remedy"): 1,
                                                         (QUARTER, "closed_without_remedy"): 1,
                                                         (QUARTER, "not_admissible"): 1}
    assert rows("remedy-actions", organisation) == {(QUARTER, "restitution"): 1, (QUARTER, "apology"): 1}
    assert all(rows(key, organisation, end=TODAY) == {} for key in
               ("grievances-received", "grievances-finished", "remedy-actions"))


def test_labels():
    with translation.override("en"):
        assert public_data.label("channel", "hotline") == "Hotline"
        assert public_data.label("outcome", "not_admissible").startswith("Not admissible")
        assert public_data.label("remedy_type", "non_repetition") == "Guarantee of non-repetition"


def test_another_organisation_and_a_constant_number_of_queries(hr_lead, outsider):
    organisation = hr_lead.organisation
    submit(organisation)

    def count(of) -> int:
        with CaptureQueriesContext(connection) as queries:
            for table in public_data.TABLES:
                table.rows(of, EVER, TOMORROW)
        return len(queries)

    assert all(table.rows(outsider.organisation, EVER, TOMORROW) == [] for table in public_data.TABLES)
    few = count(organisation)
    for n in range(4):
        submit(organisation, "letter", f"more {n}")
    assert count(organisation) == few == len(public_data.TABLES)
