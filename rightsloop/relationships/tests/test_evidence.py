"""Relationships as evidence for the board (O1, question 5): agreement reviews kept or overdue, NDA sunsets told,
rating rounds and what they flagged, small groups hidden as on the trend page."""

import datetime
import json

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.evidence import ATTENTION, MISSING, Question
from rightsloop.core.periods import Period
from rightsloop.core.registry import site
from rightsloop.relationships import agreements, evidence, ratings
from rightsloop.relationships.models import (
    AgreementVersion,
    Rating,
    RatingFlag,
    RatingRound,
    RatingSettings,
)
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .agreement_factories import make_agreement, make_terms
from .rating_factories import GOOD, make_round

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CURRENT = Period.containing(TODAY)
LATER = CURRENT.previous()          # "B": the quarter before this one
EARLIER = LATER.previous()          # "A": the one before that
DAY = datetime.timedelta(days=1)
# Planted in every free-text field agreements and ratings have: none of it may reach the board's evidence.
CANARY = "Canary-Amani-2231"
FREE_TEXT = {name: f"{CANARY} {name}" for name in (
    "briefing_notes", "loop_closure_notes", "our_handling", "their_handling", "attribution_notes",
    "compensation_terms")}


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def figures(found):
    return {figure.key: figure.value for figure in found.figures}


def person(by, **fields):
    return make_stakeholder(by, name=f"{CANARY} person", email=f"{CANARY.lower()}@example.net", **fields)


def agreement(by, stakeholder, *, answered: datetime.date, review_on: datetime.date, sunset=None):
    """An agreement in force since the start of EARLIER, its first version accepted on `answered`."""
    made = make_agreement(by, stakeholder, state="in_force", starts_on=EARLIER.start, review_on=review_on,
                          nda_scope=f"{CANARY} nda" if sunset else "", nda_sunset_on=sunset, **FREE_TEXT)
    AgreementVersion.objects.filter(agreement=made).update(answered_at=noon(answered))
    return made


def renew(by, made, *, answered: datetime.date, review_on: datetime.date):
    made = agreements.revise_agreement(agreement=made, by=by)
    made = agreements.update_draft(agreement=made, by=by, terms=make_terms(
        starts_on=answered, review_on=review_on, nda_scope="", nda_sunset_on=None, **FREE_TEXT))
    made = agreements.propose_agreement(agreement=made, by=by)
    made = agreements.answer_agreement(agreement=made, answer="accepted", comment=f"{CANARY} comment",
                                       via="in_person", by=by)
    AgreementVersion.objects.filter(agreement=made, number=2).update(answered_at=noon(answered))
    return made


def backdate_round(round, opens_on: datetime.date, answered: datetime.date, *, seen=None) -> None:
    """Move a round, its answers and its flags to when they should have happened."""
    RatingRound.objects.filter(pk=round.pk).update(opens_on=opens_on, closes_on=opens_on + 20 * DAY,
                                                   closed_at=noon(opens_on + 20 * DAY))
    Rating.objects.filter(round=round).update(answered_at=noon(answered))
    RatingFlag.objects.filter(rating__round=round).update(created_at=noon(answered))


def rate(round, people, **scores):
    for someone in people:
        ratings.record_rating(round=round, stakeholder=someone, scores={**GOOD, **scores},
                              comment=f"{CANARY} comment", language="en")


@pytest.fixture
def world(organisation, admin, hr_lead):
    a, b = EARLIER, LATER
    people = [person(admin) for _n in range(8)]
    protected = person(admin, safety_level="high", safe_channels=["in_person"])
    # Agreements -------------------------------------------------------------------------------------------------
    renewed = agreement(admin, people[0], answered=a.start + DAY, review_on=b.start + 10 * DAY,
                        sunset=a.start + 20 * DAY)
    agreements.send_agreement_reminders(today=a.start + 21 * DAY)   # tells people[0] their NDA has ended
    renew(admin, renewed, answered=b.start + 20 * DAY, review_on=b.end + 200 * DAY)
    agreement(admin, people[1], answered=a.start + DAY, review_on=a.start + 40 * DAY)          # never reviewed
    ended = agreement(admin, people[2], answered=a.start + DAY, review_on=b.start + 5 * DAY)
    agreements.end_agreement(agreement=ended, reason=f"{CANARY} why it ended", by=admin, on=b.start + 30 * DAY)
    agreement(admin, people[3], answered=a.start + DAY, review_on=b.end + 300 * DAY, sunset=b.start + 15 * DAY)
    agreement(admin, protected, answered=a.start + DAY, review_on=a.start + 10 * DAY)          # never counted
    make_agreement(admin, people[4], state="proposed", starts_on=a.start, review_on=a.start + 10 * DAY,
                   nda_scope="", nda_sunset_on=None, **FREE_TEXT)                               # never accepted
    # Ratings: the earlier round, two low answers (and the protected person's); the later one, five falling.
    earlier = make_round(admin, [*people, protected], title=f"{CANARY} round")
    rate(earlier, people[:6])
    rate(earlier, [people[6], people[7], protected], trust=1)
    backdate_round(earlier, a.start + 5 * DAY, a.start + 6 * DAY)
    seen = RatingFlag.objects.get(stakeholder=people[6])
    ratings.mark_flag_seen(viewer=admin, flag=seen)
    RatingFlag.objects.filter(pk=seen.pk).update(seen_at=noon(a.start + 7 * DAY))
    later = make_round(admin, people, title=f"{CANARY} later round")
    rate(later, people[:5], trust=3)
    rate(later, people[5:7])
    backdate_round(later, b.start + 5 * DAY, b.start + 6 * DAY)
    return {"people": people, "protected": protected}


def test_the_source_is_registered():
    source = next(source for source in site.evidence if source.key == "relationships")
    assert source.question == Question.MONITORING and source.collect is evidence.collect


def test_a_quarter_against_the_one_before(organisation, world):
    before = evidence.collect(organisation, EARLIER, TODAY)
    assert figures(before) == {
        "agreements_in_force": 4, "reviews_due": 1, "reviews_met": 0.0, "reviews_overdue": 1,
        "nda_sunsets": 1, "nda_sunsets_told": 100.0,
        "rating_rounds": 1, "rating_invited": 8, "rating_answers": 8, "rating_response_rate": 100.0,
        # Two low answers, and one of them not looked at: fewer than five, so no number is given.
        "rating_flags": None, "rating_flags_unseen": None,
    }
    assert before.status == ATTENTION
    assert [finding.text for finding in before.findings] == [
        f"1 relationship agreement was past its review date on {date_format(EARLIER.end)}.",
        "Some low or falling ratings have not been looked at by the relationship's owner."]
    assert before.reading == ("4 agreements in force; 1 past its review date. 1 rating round ran; 8 answers, a few "
                              "of them flagged low or falling.")
    averages = {row["label"]: row["value"] for row in before.charts[0].data["rows"]}
    assert averages["Trust"] == 3.25  # six answered 4, two answered 1; the protected person's 1 left out
    assert [chart.key for chart in before.charts] == ["relationship_ratings", "relationship_rating_trend"]

    after = evidence.collect(organisation, LATER, TODAY)
    assert figures(after) == {
        "agreements_in_force": 3, "reviews_due": 2, "reviews_met": 100.0, "reviews_overdue": 1,
        "nda_sunsets": 1, "nda_sunsets_told": 0.0,
        "rating_rounds": 1, "rating_invited": 8, "rating_answers": 7, "rating_response_rate": 87.5,
        "rating_flags": 5, "rating_flags_unseen": 6,
    }
    assert [finding.text for finding in after.findings] == [
        f"1 relationship agreement was past its review date on {date_format(LATER.end)}.",
        "1 stakeholder whose NDA ended in the period has not been told they may speak openly.",
        "Some low or falling ratings have not been looked at by the relationship's owner."]
    charts = {chart.key: chart for chart in after.charts}
    assert [(row["label"], row["value"]) for row in charts["relationship_flags"].data["rows"]] == [("Falling", 5)]
    trend = charts["relationship_rating_trend"].data
    assert trend["periods"][-2:] == [EARLIER.label, LATER.label]
    assert trend["series"][0]["values"][-2:] == [3.25, 3.29]
    assert all(figure.capability == Capability.RELATIONSHIPS_VIEW and figure.url for figure in after.figures)


def test_under_review_is_given_only_while_the_period_runs(organisation, admin, world):
    made = make_agreement(admin, world["people"][5], state="in_force", review_on=TODAY + 30 * DAY, **FREE_TEXT)
    agreements.start_review(agreement=made, by=admin)
    assert figures(evidence.collect(organisation, CURRENT, TODAY))["reviews_under_way"] == 1
    assert "reviews_under_way" not in figures(evidence.collect(organisation, LATER, TODAY))


def test_a_larger_smallest_group_hides_every_rating_figure(organisation, world):
    RatingSettings.objects.create(organisation=organisation, smallest_group=10)
    after = evidence.collect(organisation, LATER, TODAY)
    shown = figures(after)
    assert shown["rating_answers"] is None and shown["rating_response_rate"] is None
    assert shown["rating_flags"] is None and shown["rating_flags_unseen"] is None
    assert shown["rating_rounds"] == 1 and shown["rating_invited"] == 8
    assert after.reading.endswith("1 rating round ran, with fewer than 10 answers: too few to show.")
    trend = next(chart for chart in after.charts if chart.key == "relationship_rating_trend")
    assert all(value is None for series in trend.data["series"] for value in series["values"])
    assert "relationship_ratings" not in {chart.key for chart in after.charts}


def test_no_count_under_the_smallest_group_is_given(organisation, world):
    for period in (EARLIER, LATER):
        found = evidence.collect(organisation, period, TODAY).to_json()
        for figure in found["figures"]:
            if figure["key"].startswith("rating_") and figure["key"] not in ("rating_rounds", "rating_invited") \
                    and figure["unit"] == "count":
                assert figure["value"] is None or figure["value"] == 0 or figure["value"] >= 5, figure
        for chart in found["charts"]:
            for row in chart["data"].get("rows", []):
                if chart["key"] == "relationship_flags":
                    assert row["value"] >= 5


def test_nothing_anyone_wrote_reaches_the_evidence(organisation, world):
    for period in (EARLIER, LATER, CURRENT):
        text = json.dumps(evidence.collect(organisation, period, TODAY).to_json(), ensure_ascii=False)
        assert CANARY.lower() not in text.lower()


def test_another_organisations_relationships_are_never_counted(organisation, other_organisation, world):
    theirs = make_member(other_organisation, Role.ADMIN)
    people = [make_stakeholder(theirs) for _n in range(6)]
    agreement(theirs, people[0], answered=EARLIER.start + DAY, review_on=EARLIER.start + 10 * DAY)
    round = make_round(theirs, people)
    rate(round, people, trust=1)
    backdate_round(round, LATER.start + DAY, LATER.start + 2 * DAY)
    ours = figures(evidence.collect(organisation, LATER, TODAY))
    assert ours["agreements_in_force"] == 3 and ours["reviews_overdue"] == 1
    assert ours["rating_answers"] == 7 and ours["rating_flags"] == 5 and ours["rating_flags_unseen"] == 6
    other = figures(evidence.collect(other_organisation, LATER, TODAY))
    assert other["reviews_overdue"] == 1 and other["rating_answers"] == 6 and other["rating_flags"] == 6


def test_the_queries_do_not_grow_with_the_relationships(organisation, admin, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        evidence.collect(organisation, LATER, TODAY)
    people = [make_stakeholder(admin) for _n in range(6)]
    for someone in people:
        agreement(admin, someone, answered=EARLIER.start + DAY, review_on=LATER.start + 2 * DAY)
    round = make_round(admin, people)
    rate(round, people, safety=1)
    backdate_round(round, LATER.start + 9 * DAY, LATER.start + 10 * DAY)
    with django_assert_max_num_queries(9):
        after = evidence.collect(organisation, LATER, TODAY)
    assert figures(after)["reviews_overdue"] == 7 and figures(after)["rating_rounds"] == 2


def test_nothing_in_place_is_missing(other_organisation):
    found = evidence.collect(other_organisation, LATER, TODAY)
    assert found.status == MISSING
    assert found.reading == "No relationship agreement was in force. No rating round ran in this period."
    assert [finding.severity for finding in found.findings] == [MISSING]
    assert figures(found)["reviews_met"] is None and figures(found)["rating_answers"] == 0
    assert found.charts == []


def test_no_round_for_a_year_is_a_finding(organisation, admin):
    people = [make_stakeholder(admin) for _n in range(5)]
    round = make_round(admin, people)
    rate(round, people)
    backdate_round(round, EARLIER.start - 400 * DAY, EARLIER.start - 399 * DAY)
    found = evidence.collect(organisation, LATER, TODAY)
    assert f"No relationship rating round was run in the year to {date_format(LATER.end)}." in [
        finding.text for finding in found.findings]
