import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightsloop.engagements import actions, queries
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_metrics(hr_lead, decision_maker):
    overdue = make_engagement(hr_lead, starts_on=TODAY - datetime.timedelta(days=70),
                              feedback_due_on=TODAY - datetime.timedelta(days=1))
    due_soon = make_engagement(hr_lead, starts_on=TODAY - datetime.timedelta(days=50),
                               feedback_due_on=TODAY + datetime.timedelta(days=3))
    make_engagement(hr_lead, starts_on=TODAY, feedback_due_on=TODAY + datetime.timedelta(days=40))
    people = [make_participation(hr_lead, due_soon, make_stakeholder(hr_lead)) for _ in range(3)]
    decided = [make_input(hr_lead, due_soon, person) for person in people]
    make_input(hr_lead, overdue, owning_function="legal")
    make_input(hr_lead, overdue, owning_function="")
    for item in decided:
        actions.record_decision(input=item, outcome="adopted", by=hr_lead)
    for person, days_late in zip(people[:2], (10, 20), strict=True):
        person.refresh_from_db()
        report = actions.mark_feedback_delivered(participation=person, channel="in_person", by=hr_lead)
        report.days_to_feedback = days_late
        report.save(update_fields=["days_to_feedback"])

    metrics = queries.loop_metrics(hr_lead, TODAY)
    assert metrics.awaiting_decision == 2
    assert metrics.untriaged == 1
    assert metrics.overdue == 1
    assert metrics.due_this_week == 1
    assert (metrics.inputs_total, metrics.decided_total) == (5, 3)
    assert metrics.share_decided == pytest.approx(0.6)
    assert metrics.median_days_to_feedback == 15
    assert list(queries.overdue_loops(hr_lead, TODAY)) == [overdue]

    product = queries.loop_metrics(decision_maker, TODAY)
    assert product.awaiting_decision == 0  # the undecided inputs are routed to legal, or nowhere


def test_median_with_odd_count(hr_lead):
    engagement = make_engagement(hr_lead)
    for days in (3, 9, 4):
        person = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
        actions.record_decision(input=make_input(hr_lead, engagement, person), outcome="adopted", by=hr_lead)
        person.refresh_from_db()
        report = actions.mark_feedback_delivered(participation=person, channel="in_person", by=hr_lead)
        report.days_to_feedback = days
        report.save(update_fields=["days_to_feedback"])
    assert queries.median_days_to_feedback(hr_lead) == 4


def test_metrics_use_a_fixed_number_of_queries(hr_lead):
    for _ in range(5):
        engagement = make_engagement(hr_lead)
        for _ in range(5):
            make_input(hr_lead, engagement)
    with CaptureQueriesContext(connection) as captured:
        queries.loop_metrics(hr_lead, TODAY)
    # Totals, awaiting, untriaged, due this week, overdue, closed, the count behind the median, broken promises.
    assert len(captured) == 8


def test_decision_queue_shows_a_decision_maker_only_their_function(hr_lead, decision_maker):
    engagement = make_engagement(hr_lead)
    mine = make_input(hr_lead, engagement, owning_function="product")
    make_input(hr_lead, engagement, owning_function="legal")
    make_input(hr_lead, engagement, owning_function="")
    assert list(queries.decision_queue(decision_maker)) == [mine]
    assert queries.decision_queue(hr_lead).count() == 2
    actions.record_decision(input=mine, outcome="adopted", by=decision_maker)
    assert list(queries.decision_queue(decision_maker)) == []
    assert list(queries.decision_queue(decision_maker, awaiting=False)) == [mine]


def test_decision_makers_reach_only_inputs_routed_to_them(hr_lead, decision_maker):
    engagement = make_engagement(hr_lead)
    legal = make_input(hr_lead, engagement, owning_function="legal")
    with pytest.raises(Http404):
        queries.access_input(decision_maker, legal.pk)
    with pytest.raises(Http404):
        queries.access_engagement(decision_maker, engagement.pk)


def test_anonymised_inputs_never_name_the_speaker(hr_lead, auditor):
    engagement = make_engagement(hr_lead)
    person = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, name="Ruth Wanjiku"))
    item = make_input(hr_lead, engagement, person)
    for viewer in (hr_lead, auditor):
        label = queries.speaker_label(item, viewer)
        assert "Ruth" not in label and "Anonymised" in label


def test_engagement_inputs_page_reads_in_constant_queries(hr_lead):
    engagement = make_engagement(hr_lead)
    people = [make_participation(hr_lead, engagement, make_stakeholder(hr_lead)) for _ in range(4)]
    for number in range(20):
        item = make_input(hr_lead, engagement, people[number % 4], tags=["privacy", f"t{number}"])
        actions.record_decision(input=item, outcome="not_adopted", rationale="No.", by=hr_lead)
    with CaptureQueriesContext(connection) as captured:
        rows = list(queries.engagement_inputs(engagement))
        _ = [(r.speaker.stakeholder.name, [t.name for t in r.tags.all()], r.current_decision.decided_by) for r in rows]
    assert len(captured) == 2
