"""The engagements' public tables (public_data.py): counts per quarter, people at high safety level nowhere."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from rightsloop.core.periods import quarter_key
from rightsloop.core.registry import site
from rightsloop.engagements import actions, public_data
from rightsloop.engagements.models import Decision, Input
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_engagement, make_group, make_input, make_participation, make_relayed_input

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + datetime.timedelta(days=1)
EVER = datetime.date(2000, 1, 1)
QUARTER = quarter_key(TODAY.year, (TODAY.month - 1) // 3 + 1)


def rows(key: str, organisation, start=EVER, end=TOMORROW) -> dict:
    table = next(table for table in site.public_tables if table.key == key)
    found = table.rows(organisation, start, end)
    names = [name for name, _title, _description in table.dimensions]
    return {tuple(row[name] for name in names): row[table.measure[0]] for row in found}


@pytest.fixture
def heard(hr_lead):
    """A workshop (two phases) and an interview today; three people and a protected one speak, a proxy relays a
    group, a note has no speaker; one input adopted and told, one not adopted, the others undecided."""
    workshop = make_engagement(hr_lead, type="workshop", phases=["identify", "act"], starts_on=TODAY)
    make_engagement(hr_lead, type="interview", phases=["identify"], starts_on=TODAY)
    kenyan = make_stakeholder(hr_lead, name="Amani Kenyan", country="KE")
    french = make_stakeholder(hr_lead, name="Camille French", country="FR")
    unknown = make_stakeholder(hr_lead, name="Nowhere Person", country="")
    proxy = make_stakeholder(hr_lead, name="Riders Union", kind="proxy", country="KE")
    protected = make_stakeholder(hr_lead, name="Defender Hidden", country="BR", safety_level="high")
    told = make_participation(hr_lead, workshop, kenyan)
    adopted = make_input(hr_lead, workshop, told)
    rejected = make_input(hr_lead, workshop, make_participation(hr_lead, workshop, french))
    make_input(hr_lead, workshop, make_participation(hr_lead, workshop, unknown))
    make_relayed_input(hr_lead, workshop, proxy, make_group(hr_lead, proxy=proxy))
    make_input(hr_lead, workshop, None)  # a note with no speaker: an input, nobody heard
    secret = make_input(hr_lead, workshop, make_participation(hr_lead, workshop, protected,
                                                               override_reason="Asked to speak in person"))
    actions.record_decision(input=adopted, outcome="adopted", by=hr_lead)
    actions.record_decision(input=rejected, outcome="not_adopted", rationale="Out of scope.", by=hr_lead)
    actions.record_decision(input=secret, outcome="adopted", by=hr_lead)
    told.refresh_from_db()
    actions.mark_feedback_delivered(participation=told, channel="in_person", by=hr_lead)
    return hr_lead.organisation


def test_engagements_by_type_and_phase(heard):
    assert rows("engagements-by-type", heard) == {(QUARTER, "workshop"): 1, (QUARTER, "interview"): 1}
    assert rows("engagements-by-phase", heard) == {(QUARTER, "identify"): 2, (QUARTER, "act"): 1}
    # An engagement starting on the range's end is not in it.
    assert rows("engagements-by-type", heard, end=TODAY) == {}


def test_people_heard_by_region_leaves_out_the_protected_and_the_groups(heard):
    # Africa: the Kenyan (the proxy only relayed a group's words); Europe: the French; one without a country.
    assert rows("people-heard-by-region", heard) == {(QUARTER, "002"): 1, (QUARTER, "150"): 1,
                                                     (QUARTER, "unknown"): 1}


def test_loop_closure_counts_each_stage_without_the_protected_persons_inputs(heard):
    assert rows("loop-closure", heard) == {(QUARTER, "recorded"): 5, (QUARTER, "decided"): 2,
                                           (QUARTER, "reported"): 1, (QUARTER, "closed"): 1}


def test_decisions_by_outcome_without_the_protected_persons_inputs(heard):
    assert rows("decisions-by-outcome", heard) == {(QUARTER, "adopted"): 1, (QUARTER, "not_adopted"): 1}


def test_decisions_are_read_as_they_stood_at_the_end_of_the_range(hr_lead):
    yesterday = TODAY - datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    engagement = make_engagement(hr_lead, starts_on=yesterday)
    item = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    first = actions.record_decision(input=item, outcome="adopted", by=hr_lead)
    actions.record_decision(input=item, outcome="not_adopted", rationale="Changed our mind.", by=hr_lead)
    Input.objects.filter(pk=item.pk).update(recorded_at=datetime.datetime.combine(yesterday, datetime.time(9),
                                                                                  tzinfo=zone))
    Decision.objects.filter(pk=first.pk).update(decided_at=datetime.datetime.combine(yesterday, datetime.time(10),
                                                                                     tzinfo=zone))
    then = quarter_key(yesterday.year, (yesterday.month - 1) // 3 + 1)
    organisation = hr_lead.organisation
    assert rows("decisions-by-outcome", organisation, yesterday, TODAY) == {(then, "adopted"): 1}
    assert rows("decisions-by-outcome", organisation, yesterday, TOMORROW) == {(then, "not_adopted"): 1}
    assert rows("loop-closure", organisation, yesterday, TODAY)[(then, "decided")] == 1


def test_another_organisations_records_count_nowhere(heard, outsider):
    for table in public_data.TABLES:
        assert table.rows(outsider.organisation, EVER, TOMORROW) == [], table.key


def test_labels_are_words_in_the_active_language():
    label = public_data.label
    with translation.override("en"):
        assert label("type", "workshop") == "Workshop"
        assert label("region", "002") == "Africa"
        assert label("region", "unknown") == "Region not recorded"
        assert label("quarter", "2026-Q3") == "Q3 2026"
        assert label("stage", "closed").startswith("Loop closed")
        assert label("outcome", "not_adopted") == "Not adopted"
    with translation.override("fr"):
        assert label("outcome", "adopted") == "Adoptée"
        assert label("region", "002") == "Afrique"


def test_the_queries_do_not_grow_with_the_records(heard, hr_lead):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            for table in public_data.TABLES:
                table.rows(heard, EVER, TOMORROW)
        return len(queries)

    before = count()
    engagement = make_engagement(hr_lead, type="survey", phases=["track"], starts_on=TODAY)
    for number in range(5):
        person = make_stakeholder(hr_lead, name=f"Extra {number}", country="IN")
        make_input(hr_lead, engagement, make_participation(hr_lead, engagement, person))
    assert count() == before <= len(public_data.TABLES)
