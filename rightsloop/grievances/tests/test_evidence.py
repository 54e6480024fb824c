"""The grievance mechanism's evidence for the board (O1): question 2 (the channel) and question 5 (its review),
against the self-check's hand-built quarter (Q4 2026, read on 15 December 2026) and the quarter before it."""

import datetime
import json

import pytest

from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.evidence import ATTENTION, MISSING, OK, Question
from rightsloop.core.periods import Period
from rightsloop.core.registry import site
from rightsloop.grievances import evidence, selfcheck
from rightsloop.grievances.actions.assessments import assess
from rightsloop.grievances.models import GrievanceSettings, SelfAssessment
from rightsloop.grievances.vocabulary import Assessment, Criterion, MessageDirection, Satisfaction, Stage

from .factories_selfcheck import action, appeal, at, confirm, make_case, message, move, plan, quarter_of_cases

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 15)
Q4, Q3 = Period(2026, 4), Period(2026, 3)
CANARY = "Canary-Wanjiru-5521"


def figures(found):
    return {figure.key: figure.value for figure in found.figures}


@pytest.fixture
def handlers(organisation):
    return [make_member(organisation, Role.HR_LEAD).user for _n in range(3)]


@pytest.fixture
def quarter(organisation, hr_lead, handlers):
    return quarter_of_cases(organisation, hr_lead, handlers)


def test_both_sources_are_registered():
    sources = {source.key: source for source in site.evidence}
    assert sources["grievances"].question == Question.MECHANISMS
    assert sources["grievances"].collect is evidence.mechanism
    assert sources["grievances_effectiveness"].question == Question.MONITORING


# Question 2 ---------------------------------------------------------------------------------------------------

def test_the_mechanism_in_a_quarter_and_the_one_before(organisation, quarter):
    q4 = evidence.mechanism(organisation, Q4, TODAY)
    assert figures(q4) == {
        "received": 5,
        "acknowledged_in_time": 60.0,       # A, D, F of A, B (late), C (never), D, F
        "answered_in_time": 66.7,           # A, H, K, L of those six; I late, J never
        "days_to_acknowledge": 5.0,         # the stays in "received" that ended in Q4
        "days_to_answer": 65.0,
        "resolved": 3,                      # H, K (not admissible), L
        "days_to_resolve": 85.0,            # K 65, H 85, L 87 days from receipt
        "overdue": 2,                       # C (acknowledgement) and J (response) on 15 December
        "appeals": 3,
        "remedy_plans": 2,
        "remedy_actions_overdue": 2,        # the planned apology and the disputed compensation, due 1 December
        "satisfied": 50.0,
    }
    assert q4.status == ATTENTION
    assert q4.reading == ("The public grievance page is open. 5 grievances received; 60% of acknowledgements on "
                          "time; 2 open cases overdue.")
    texts = [finding.text for finding in q4.findings]
    assert texts == ["2 of 5 acknowledgements due in the period came late or not at all.",
                     "2 of 6 substantive responses due in the period came late or not at all.",
                     "2 open cases were overdue on Dec. 15, 2026.",
                     "2 remedy actions were past their due date on Dec. 15, 2026."]
    chart = q4.charts[0]
    assert chart.kind == "bars"
    assert [(row["label"], row["value"]) for row in chart.data["rows"]] == [
        ("The public grievance page", 3), ("Hotline", 1), ("SMS", 1)]

    q3 = evidence.mechanism(organisation, Q3, TODAY)
    assert figures(q3) == {
        "received": 6, "acknowledged_in_time": 80.0, "answered_in_time": 100.0, "days_to_acknowledge": None,
        "days_to_answer": 25.5, "resolved": 1, "days_to_resolve": 111.0,
        # On 30 September nothing was overdue yet: J's response fell due in November, the actions in December.
        "overdue": 0, "appeals": 1, "remedy_plans": 1, "remedy_actions_overdue": 0, "satisfied": None,
    }
    assert [finding.text for finding in q3.findings] == [
        "1 of 5 acknowledgements due in the period came late or not at all."]


def test_the_figures_agree_with_the_self_check(organisation, quarter):
    check = selfcheck.self_check(organisation, selfcheck.Period(2026, 4), today=TODAY)

    def theirs(criterion, key):
        return next(figure for figure in check.criterion(criterion).figures if figure.key == key)

    ours = figures(evidence.mechanism(organisation, Q4, TODAY))
    assert ours["received"] == theirs(Criterion.ACCESSIBLE, "received").value
    assert ours["acknowledged_in_time"] == round(100 * theirs(Criterion.PREDICTABLE, "acknowledged_in_time").value, 1)
    assert ours["days_to_answer"] == theirs(Criterion.PREDICTABLE, "days_to_answer").value
    assert ours["overdue"] == theirs(Criterion.PREDICTABLE, "overdue_now").value
    assert ours["satisfied"] == round(100 * theirs(Criterion.RIGHTS_COMPATIBLE, "satisfied").value, 1)


def test_a_closed_intake_is_a_finding(organisation, quarter):
    GrievanceSettings.objects.filter(organisation=organisation).update(intake_open=False)
    found = evidence.mechanism(organisation, Q4, TODAY)
    assert found.reading.startswith("The public grievance page is closed to new grievances.")
    assert found.findings[0].text.startswith("The public grievance page takes no new grievances")
    assert found.findings[0].capability == Capability.GRIEVANCES_OVERSEE
    assert found.status == ATTENTION


def test_every_figure_links_to_the_self_check_of_its_period(organisation, quarter):
    found = evidence.mechanism(organisation, Q4, TODAY)
    assert {(figure.url, figure.capability) for figure in found.figures} == {
        ("/grievances/self-check/?period=2026-Q4", Capability.GRIEVANCES_OVERSEE)}
    assert all(row["capability"] == Capability.GRIEVANCES_OVERSEE for row in found.charts[0].data["rows"])


def test_a_case_overdue_then_but_answered_since_counts_on_that_day(organisation):
    late = make_case(organisation, received="2026-08-01", stage=Stage.ACKNOWLEDGED,
                     acknowledged_at=at("2026-10-20"),     # acknowledgement due 8 August, given in October
                     responded_at=at("2026-10-25"))        # response due 30 October, in time
    assert figures(evidence.mechanism(organisation, Q3, TODAY))["overdue"] == 1
    assert figures(evidence.mechanism(organisation, Q4, TODAY))["overdue"] == 0
    late.stage, late.closed_at = Stage.CLOSED, at("2026-09-15")
    late.save(update_fields=["stage", "closed_at"])
    assert figures(evidence.mechanism(organisation, Q3, TODAY))["overdue"] == 0  # finished before the day


def test_an_empty_period_reads_clearly(organisation):
    found = evidence.mechanism(organisation, Period(2025, 1), TODAY)
    assert found.status == OK
    assert found.reading == "The public grievance page is open. No grievance was received or due in this period."
    assert figures(found)["received"] == 0 and figures(found)["acknowledged_in_time"] is None
    assert figures(found)["days_to_resolve"] is None and found.charts == [] and found.findings == []


def test_another_organisations_cases_are_never_counted(organisation, other_organisation, outsider, quarter):
    others = [make_member(other_organisation, Role.HR_LEAD).user for _n in range(3)]
    quarter_of_cases(other_organisation, outsider, others)
    make_case(other_organisation, received="2026-11-02", satisfaction=Satisfaction.NOT_SATISFIED,
              satisfaction_at=at("2026-11-20"))
    GrievanceSettings.objects.filter(organisation=other_organisation).update(intake_open=False)
    ours = evidence.mechanism(organisation, Q4, TODAY)
    assert figures(ours)["received"] == 5 and figures(ours)["satisfied"] == 50.0
    assert figures(ours)["overdue"] == 2 and figures(ours)["remedy_actions_overdue"] == 2
    assert ours.reading.startswith("The public grievance page is open.")
    assert figures(evidence.mechanism(other_organisation, Q4, TODAY))["received"] == 6


def test_nothing_a_person_or_a_handler_wrote_reaches_the_evidence(organisation, hr_lead, handlers, quarter):
    case = make_case(organisation, received="2026-11-03", description=f"{CANARY} what happened",
                     affected_people=f"{CANARY} who", wanted_outcome=f"{CANARY} wanted", when_text=f"{CANARY} when",
                     complainant_name=f"{CANARY} name", complainant_contact=f"{CANARY}@example.net",
                     represents=f"{CANARY} represents", outcome_summary=f"{CANARY} outcome",
                     not_admissible_reasons=f"{CANARY} reasons", satisfaction_note=f"{CANARY} satisfaction",
                     satisfaction=Satisfaction.PARTLY, satisfaction_at=at("2026-11-30"), product=CANARY,
                     acknowledged_at=at("2026-11-04"))
    case.stage = Stage.RECEIVED
    move(case, Stage.ACKNOWLEDGED, at("2026-11-04"), note=f"{CANARY} note")
    message(case, MessageDirection.FROM_COMPLAINANT, when=at("2026-11-05"), text=f"{CANARY} message")
    appeal(case, previous=handlers[0], new=handlers[1], when=at("2026-11-20"))
    remedy = plan(organisation, grievances=[case], when=at("2026-11-06"))
    remedy.title = CANARY
    remedy.save(update_fields=["title"])
    corrective = action(remedy, hr_lead.user, when=at("2026-11-07"))
    corrective.description = f"{CANARY} action"
    corrective.save()
    answer = confirm(corrective, case, "disputed", at("2026-11-08"))
    answer.note = f"{CANARY} confirmation"
    answer.save()
    GrievanceSettings.objects.filter(organisation=organisation).update(products=[CANARY])
    assess(organisation=organisation, criterion=Criterion.LEGITIMATE, assessment=Assessment.PARTLY,
           notes=f"{CANARY} our notes", by=hr_lead)
    for found in (evidence.mechanism(organisation, Q4, TODAY), evidence.effectiveness(organisation, Q4, TODAY)):
        text = json.dumps(found.to_json(), ensure_ascii=False)
        assert CANARY.lower() not in text.lower()
        assert "Amina" not in text and "Secret account" not in text and "Messenger" not in text
    assert figures(evidence.mechanism(organisation, Q4, TODAY))["received"] == 6  # the case itself is counted


def test_the_query_count_stays_the_same_with_more_cases(organisation, quarter, handlers,
                                                        django_assert_max_num_queries):
    with django_assert_max_num_queries(13):
        evidence.mechanism(organisation, Q4, TODAY)
    with django_assert_max_num_queries(5):
        evidence.effectiveness(organisation, Q4, TODAY)
    for n in range(20):
        case = make_case(organisation, received=f"2026-11-{n % 28 + 1:02d}", acknowledged_at=at("2026-11-28"),
                         handler=handlers[n % 3], satisfaction=Satisfaction.SATISFIED,
                         satisfaction_at=at("2026-12-01"))
        case.stage = Stage.RECEIVED
        move(case, Stage.ACKNOWLEDGED, at("2026-11-28"))
        appeal(case, previous=handlers[0], new=handlers[1], when=at("2026-12-01"))
    with django_assert_max_num_queries(13):
        found = evidence.mechanism(organisation, Q4, TODAY)
    assert figures(found)["received"] == 25 and figures(found)["appeals"] == 23
    with django_assert_max_num_queries(5):
        evidence.effectiveness(organisation, Q4, TODAY)


# Question 5 ---------------------------------------------------------------------------------------------------

def _assessed(organisation, by, criterion, assessment, when=None):
    row = assess(organisation=organisation, criterion=criterion, assessment=assessment, notes="", by=by)
    if when is not None:
        SelfAssessment.objects.filter(pk=row.pk).update(at=when)
    return row


def test_the_review_of_the_mechanism_as_it_stood_at_each_quarters_end(organisation, hr_lead, quarter):
    _assessed(organisation, hr_lead, Criterion.TRANSPARENT, Assessment.MEETS, at("2025-06-01"))
    _assessed(organisation, hr_lead, Criterion.LEGITIMATE, Assessment.NOT_YET, at("2026-10-02"))
    _assessed(organisation, hr_lead, Criterion.LEGITIMATE, Assessment.MEETS, at("2026-12-01"))
    _assessed(organisation, hr_lead, Criterion.ACCESSIBLE, Assessment.PARTLY, at("2026-11-01"))
    _assessed(organisation, hr_lead, Criterion.PREDICTABLE, Assessment.NOT_YET, at("2026-11-02"))
    _assessed(organisation, hr_lead, Criterion.EQUITABLE, Assessment.MEETS, at("2026-12-20"))  # after the 15th

    q4 = evidence.effectiveness(organisation, Q4, TODAY)
    assert figures(q4) == {"criteria_met": 2, "criteria_partly": 1, "criteria_not_met": 1, "criteria_unassessed": 4,
                           "assessments_recorded": 5}
    assert q4.status == ATTENTION
    assert q4.reading == ("By its own assessment the mechanism meets 2 of 8 criteria, partly meets 1 and does not "
                          "yet meet 1.")
    assert [finding.text for finding in q4.findings] == [
        "Criteria the mechanism does not meet yet: Predictable.",
        "Criteria never assessed: Equitable, Rights-compatible, A source of continuous learning, Based on engagement "
        "and dialogue.",
        "The assessment of Transparent is more than a year old."]
    table = q4.tables[0]
    assert table.rows[0] == ["Legitimate", "Meets the criterion", "Dec. 1, 2026"]
    assert table.rows[3] == ["Equitable", "Not assessed", ""]

    q3 = evidence.effectiveness(organisation, Q3, TODAY)
    assert figures(q3) == {"criteria_met": 1, "criteria_partly": 0, "criteria_not_met": 0, "criteria_unassessed": 7,
                           "assessments_recorded": 0}

    trend = q4.charts[0]
    assert trend.kind == "timeline" and trend.data["periods"][-2:] == ["Q3 2026", "Q4 2026"]
    satisfied, acknowledged, reviewed = (series["values"] for series in trend.data["series"])
    assert satisfied[-2:] == [None, 50.0]
    assert acknowledged[-2:] == [80.0, 60.0]
    assert reviewed[-2:] == [100.0, 66.7]


def test_a_mechanism_never_assessed_is_missing(organisation, quarter):
    found = evidence.effectiveness(organisation, Q4, TODAY)
    assert found.status == MISSING
    assert found.reading == "No review of the grievance mechanism against the UNGP 31 criteria has been recorded."
    assert found.findings[0].severity == MISSING
    assert figures(found)["criteria_unassessed"] == 8


def test_another_organisations_assessments_are_not_read(organisation, other_organisation, outsider, hr_lead):
    _assessed(other_organisation, outsider, Criterion.LEGITIMATE, Assessment.MEETS)
    found = evidence.effectiveness(organisation, Q4, TODAY)
    assert figures(found)["criteria_met"] == 0 and found.status == MISSING
    assert figures(evidence.effectiveness(other_organisation, Q4, TODAY))["criteria_met"] == 1


def test_the_medians_read_the_latest_cases_of_the_period_only(organisation, quarter, monkeypatch):
    monkeypatch.setattr(selfcheck, "MEDIAN_SAMPLE", 2)
    # Answered last in Q4: K on 5 November (65 days) and A on 1 November (31.5 days).
    assert figures(evidence.mechanism(organisation, Q4, TODAY))["days_to_answer"] == round((65 + 31.5) / 2, 1)
