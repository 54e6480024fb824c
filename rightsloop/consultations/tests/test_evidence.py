"""Public consultations as evidence for the board (O1, question 2): consultations run and closed, responses heard,
themes decided, outcomes published and respondents told, for this quarter and the one before it."""

import datetime
import json

import pytest
from django.utils import timezone

from rightsloop.accounts.roles import Capability
from rightsloop.consultations import evidence
from rightsloop.consultations.actions import consultations as consultation_actions
from rightsloop.consultations.actions import outcomes
from rightsloop.consultations.models import MessageRun, ResponseImport, Theme, ThemeDecision
from rightsloop.core.evidence import ATTENTION, OK, Question
from rightsloop.core.periods import Period
from rightsloop.core.registry import site

from .factories import make_applied_import, make_consultation, make_final_theme

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CURRENT = Period.containing(TODAY)
PREVIOUS = CURRENT.previous()
SOON = TODAY + datetime.timedelta(days=30)
# Planted in every free-text field a consultation has: none of it may reach the board's evidence.
CANARY = "Canary-Kestrel-9034"


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def person(n, **fields):
    row = {"text": f"{CANARY} response {n}", "respondent": f"{CANARY}-id-{n}",
           "contact": f"{CANARY.lower()}-{n}@example.net"}
    row.update(fields)
    return row


def figures(found):
    return {figure.key: figure.value for figure in found.figures}


def consultation(by, *, starts_on, ends_on, rows, themes=(), prefix=CANARY):
    """A consultation with its responses imported and final themes (labelled with the canary)."""
    made = make_consultation(by, title=f"{prefix} title", starts_on=starts_on, ends_on=ends_on,
                             purpose=f"{prefix} purpose", question=f"{prefix} question?")
    make_applied_import(made, rows, by=by)
    ResponseImport.objects.filter(consultation=made).update(original_name=f"{prefix}.csv")
    responses = list(made.responses.order_by("line"))
    made_themes = []
    for n, label in enumerate(themes):
        theme = make_final_theme(made, f"{prefix} {label}", responses[n::len(themes)])
        Theme.objects.filter(pk=theme.pk).update(description=f"{prefix} description")
        made_themes.append(theme)
    return made, made_themes


def backdate(consultation, when: datetime.datetime) -> None:
    """Move what the actions wrote today into the previous quarter."""
    ResponseImport.objects.filter(consultation=consultation).update(created_at=when)
    Theme.objects.filter(consultation=consultation).update(created_at=when)
    ThemeDecision.objects.filter(theme__consultation=consultation).update(decided_at=when)
    MessageRun.objects.filter(consultation=consultation).update(started_at=when, finished_at=when)


@pytest.fixture
def world(hr_lead):
    # The previous quarter: closed, every theme decided, published, respondents told. Since then one decision
    # was revised and one theme added, decided today.
    earlier, (privacy, cost) = consultation(
        hr_lead, starts_on=PREVIOUS.start, ends_on=PREVIOUS.start + datetime.timedelta(days=10),
        rows=[person(1), person(2)], themes=["privacy", "cost"])
    outcomes.decide_theme(theme=privacy, outcome="adopted", rationale=f"{CANARY} rationale", by=hr_lead)
    outcomes.decide_theme(theme=cost, outcome="under_consideration", next_step=f"{CANARY} next step",
                          next_step_due=SOON, by=hr_lead)
    consultation_actions.change_settings(consultation=earlier, by=hr_lead, published=True)
    run = outcomes.start_sending(consultation=earlier, by=hr_lead, background=False)
    outcomes.deliver(run_id=run.pk)
    backdate(earlier, noon(PREVIOUS.start + datetime.timedelta(days=20)))
    outcomes.decide_theme(theme=cost, outcome="adopted", rationale=f"{CANARY} revised", by=hr_lead)
    late = make_final_theme(earlier, f"{CANARY} late", [])
    outcomes.decide_theme(theme=late, outcome="not_adopted", rationale=f"{CANARY} why not", by=hr_lead)
    # This quarter: one closed today with a theme undecided and nothing published, one still running.
    closed, (first, _second) = consultation(
        hr_lead, starts_on=CURRENT.start, ends_on=TODAY, rows=[person(3), person(4), person(5, contact="")],
        themes=["access", "cost"])
    outcomes.decide_theme(theme=first, outcome="not_adopted", rationale=f"{CANARY} not now", by=hr_lead)
    running, _themes = consultation(hr_lead, starts_on=CURRENT.start, ends_on=TODAY + datetime.timedelta(days=30),
                                    rows=[person(6)])
    return {"earlier": earlier, "closed": closed, "running": running}


def test_the_source_is_registered():
    source = next(source for source in site.evidence if source.key == "consultations")
    assert source.question == Question.MECHANISMS and source.collect is evidence.collect


def test_this_quarter_against_the_one_before(organisation, world):
    now = evidence.collect(organisation, CURRENT, TODAY)
    assert figures(now) == {"open": 2, "closed": 1, "responses": 4, "themes_final": 2, "themes_decided": 50.0,
                            "outcome_published": 0.0, "loops_closed": 0.0, "messages_sent": 0, "messages_failed": 0}
    assert now.status == ATTENTION
    assert now.reading == ("2 public consultations ran; 50% of the final themes decided; 0 respondents told the "
                           "outcome. 1 closed consultation has its loop still open.")
    [finding] = now.findings
    assert finding.text.startswith("A consultation closed on ")
    assert finding.text.endswith(": 1 of 2 themes have no decision; what we heard and what we did is not "
                                 "published.")
    assert finding.url == f"/consultations/{world['closed'].pk}/decisions/"
    assert finding.capability == Capability.CONSULTATIONS_VIEW
    funnel, bars = now.charts
    assert [step["value"] for step in funnel.data["steps"]] == [1, 1, 0, 0, 0]
    assert {row["label"]: row["value"] for row in bars.data["rows"]} == {
        "Adopted": 0, "Partly adopted": 0, "Not adopted": 1, "Under consideration": 0, "Not decided yet": 1}

    before = evidence.collect(organisation, PREVIOUS, TODAY)
    # As it stood on the quarter's last day: the theme added and decided today was not there, the revision made
    # today not yet made.
    assert figures(before) == {"open": 1, "closed": 1, "responses": 2, "themes_final": 2, "themes_decided": 100.0,
                               "outcome_published": 100.0, "loops_closed": 100.0, "messages_sent": 2,
                               "messages_failed": 0}
    assert before.status == OK and before.findings == []
    funnel, bars = before.charts
    assert [step["value"] for step in funnel.data["steps"]] == [1, 1, 1, 1, 1]
    assert {row["label"]: row["value"] for row in bars.data["rows"]} == {
        "Adopted": 1, "Partly adopted": 0, "Not adopted": 0, "Under consideration": 1, "Not decided yet": 0}


def test_a_decision_made_after_the_quarter_counts_as_missing_in_it(organisation, hr_lead):
    earlier, (theme,) = consultation(hr_lead, starts_on=PREVIOUS.start,
                                     ends_on=PREVIOUS.start + datetime.timedelta(days=5), rows=[person(1)],
                                     themes=["privacy"])
    consultation_actions.change_settings(consultation=earlier, by=hr_lead, published=True)
    backdate(earlier, noon(PREVIOUS.start + datetime.timedelta(days=6)))
    outcomes.decide_theme(theme=theme, outcome="adopted", by=hr_lead)
    before = evidence.collect(organisation, PREVIOUS, TODAY)
    assert figures(before)["themes_decided"] == 0.0
    assert [finding.text.split(": ", 1)[1].split(".")[0] for finding in before.findings] == [
        "1 of 1 theme has no decision"]
    now = evidence.collect(organisation, CURRENT, TODAY)
    assert now.findings == [] and figures(now)["open"] == 0


def test_nothing_anyone_wrote_reaches_the_evidence(organisation, world):
    for period in (CURRENT, PREVIOUS):
        text = json.dumps(evidence.collect(organisation, period, TODAY).to_json(), ensure_ascii=False)
        assert CANARY.lower() not in text.lower()


def test_another_organisations_consultations_are_never_counted(organisation, outsider, world):
    theirs, (theme,) = consultation(outsider, starts_on=CURRENT.start, ends_on=TODAY,
                                    rows=[person(7), person(8)], themes=["theirs"], prefix="Other")
    outcomes.decide_theme(theme=theme, outcome="adopted", by=outsider)
    consultation_actions.change_settings(consultation=theirs, by=outsider, published=True)
    run = outcomes.start_sending(consultation=theirs, by=outsider, background=False)
    outcomes.deliver(run_id=run.pk)
    now = evidence.collect(organisation, CURRENT, TODAY)
    assert figures(now) == {"open": 2, "closed": 1, "responses": 4, "themes_final": 2, "themes_decided": 50.0,
                            "outcome_published": 0.0, "loops_closed": 0.0, "messages_sent": 0, "messages_failed": 0}
    other = evidence.collect(theirs.organisation, CURRENT, TODAY)
    assert figures(other) == {"open": 1, "closed": 1, "responses": 2, "themes_final": 1, "themes_decided": 100.0,
                              "outcome_published": 100.0, "loops_closed": 100.0, "messages_sent": 2,
                              "messages_failed": 0}
    assert other.findings == []


def test_the_queries_do_not_grow_with_the_consultations(organisation, hr_lead, world,
                                                        django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        evidence.collect(organisation, CURRENT, TODAY)
    for n in range(7):  # closed this quarter with responses, never analysed
        consultation(hr_lead, starts_on=CURRENT.start, ends_on=TODAY, rows=[person(10 + n)])
    with django_assert_max_num_queries(5):
        now = evidence.collect(organisation, CURRENT, TODAY)
    assert figures(now)["closed"] == 8
    assert len(now.findings) == evidence.FINDINGS_SHOWN + 1
    assert now.findings[-1].text == "3 more closed consultations have their loop still open."
    assert "no theme was finalised" in now.findings[0].text


def test_a_closed_consultation_nobody_answered_is_not_a_finding(organisation, hr_lead):
    make_consultation(hr_lead, starts_on=CURRENT.start, ends_on=TODAY)
    now = evidence.collect(organisation, CURRENT, TODAY)
    assert figures(now)["closed"] == 1 and now.findings == [] and now.status == OK


def test_an_empty_quarter_reads_clearly(organisation):
    found = evidence.collect(organisation, Period(2025, 1), TODAY)
    assert found.status == OK
    assert found.reading == "No public consultation ran in this period."
    assert figures(found) == {"open": 0, "closed": 0, "responses": 0, "themes_final": 0, "themes_decided": None,
                              "outcome_published": None, "loops_closed": None, "messages_sent": 0,
                              "messages_failed": 0}
    assert found.charts == [] and found.findings == []
