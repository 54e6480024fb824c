"""What relationships tell the board (O1, question 5): are agreements reviewed when they said they would be, and
do stakeholders rate the relationship, with what result.

Counts only, never a name, a comment or a term of an agreement. Read as a member without grants reads them:
people at high safety level are left out of every count (stakeholders.queries.hidden_from_member), so not
even a count tells of them. Rating figures follow the trend page's rule (rating_queries): an aggregate of
fewer answers than the organisation's smallest group is not given, and where hiding one group would let it be
worked out from a total, the next smallest is hidden too.

Agreements (P1), rebuilt from their versions: the version governing on a day is the newest accepted by then.
- stocks on the period's last day: agreements in force, reviews overdue (a governing version past its review
  date on an agreement not ended);
- flows: reviews that came due in the period (a governing version's review date in it) and how many were met
  by its last day (a newer version accepted, or the agreement ended); NDA sunsets in the period and how many
  stakeholders were told (the reminder the daily task claims). "Under review" is a state without a date, so it
  is only given for the period still running.
Ratings (P2): rounds open at some time in the period, their invitations and answers; flags raised in the
period; flags not yet looked at on its last day.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rightsloop.accounts.roles import Capability
from rightsloop.core.evidence import (
    ATTENTION,
    DOWN,
    MISSING,
    OK,
    PERCENT,
    UP,
    ChartData,
    Evidence,
    Figure,
    Finding,
    Question,
    share,
)
from rightsloop.core.periods import Period
from rightsloop.stakeholders.queries import hidden_from_member

from . import rating_queries
from .models import (
    DIMENSIONS,
    AgreementReminder,
    AgreementState,
    AgreementVersion,
    Answer,
    Rating,
    RatingFlag,
    RatingInvitation,
    RatingRound,
    RatingTally,
    ReminderKind,
)

SOURCE_KEY = "relationships"
# Without a rating round this long before the period's last day, nobody is asking how the relationships feel.
ROUND_EXPECTED_DAYS = 365


def _day_end(day: datetime.date, start: datetime.datetime) -> datetime.datetime:
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=start.tzinfo)


# Agreements ------------------------------------------------------------------------------------------------------

def _agreements(organisation, hidden, period: Period, as_of: datetime.date, end: datetime.datetime,
                running: bool) -> dict[str, int]:
    """The agreement figures in one query over the accepted versions (a handful per agreement)."""
    accepted = AgreementVersion.objects.filter(agreement_id=OuterRef("agreement_id"), number__gt=OuterRef("number"),
                                               answer=Answer.ACCEPTED)
    superseded = Exists(accepted.filter(answered_at__lt=end))
    # Renewed before its review date (or before the NDA's sunset): that date no longer stood.
    renewed_before_review = Exists(accepted.filter(answered_at__date__lt=OuterRef("review_on")))
    renewed_before_sunset = Exists(accepted.filter(answered_at__date__lt=OuterRef("nda_sunset_on")))
    not_ended = Q(agreement__ended_on__isnull=True) | Q(agreement__ended_on__gt=as_of)
    governing = ~superseded & not_ended
    review_due = (Q(review_on__gte=period.start, review_on__lte=as_of) & ~renewed_before_review
                  & (Q(agreement__ended_on__isnull=True) | Q(agreement__ended_on__gte=F("review_on"))))
    sunset = Q(nda_sunset_on__gte=period.start, nda_sunset_on__lte=as_of) & ~renewed_before_sunset
    told = Exists(AgreementReminder.objects.filter(agreement_id=OuterRef("agreement_id"),
                                                   kind=ReminderKind.SUNSET_PASSED, about=OuterRef("nda_sunset_on"),
                                                   sent_on__lte=as_of))
    counts = {
        "in_force": Count("id", filter=governing & Q(starts_on__lte=as_of)),
        "overdue": Count("id", filter=governing & Q(review_on__lt=as_of)),
        "due": Count("id", filter=review_due),
        "met": Count("id", filter=review_due & (superseded | Q(agreement__ended_on__lte=as_of))),
        "sunsets": Count("id", filter=sunset),
        "told": Count("id", filter=sunset & told),
    }
    if running:
        counts["under_review"] = Count("id", filter=governing & Q(agreement__state=AgreementState.UNDER_REVIEW))
    return (AgreementVersion.objects.filter(agreement__organisation=organisation, answer=Answer.ACCEPTED,
                                            answered_at__lt=end)
            .exclude(agreement__stakeholder__in=hidden).aggregate(**counts))


# Ratings ---------------------------------------------------------------------------------------------------------

class _Threshold:
    """The smallest group the organisation shows: counts under it are not given (rating_queries.suppress)."""

    def __init__(self, smallest: int, answers: int):
        self.smallest, self.answers = smallest, answers

    @property
    def too_few(self) -> bool:
        return self.answers < self.smallest

    def count(self, value: int) -> int | None:
        """A count of answers (or of a group of them), or None where it would single out too few people: a group
        under the threshold, or any part of too few answers (even a zero tells something of each of them)."""
        if 0 < value < self.smallest or (self.too_few and self.answers):
            return None
        return value


def _ratings(organisation, hidden, period: Period, as_of: datetime.date, start: datetime.datetime,
             end_of_period: datetime.datetime, end: datetime.datetime) -> dict:
    """Rounds, invitations, answers and score sums of the rounds open in the period, less the hidden people."""
    rounds = RatingRound.objects.for_organisation(organisation)
    ran = rounds.filter(opens_on__lte=as_of, closes_on__gte=period.start).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    totals = rounds.aggregate(
        ran=Count("id", filter=Q(pk__in=ran.values("pk"))),
        invited=Sum("invited_count", filter=Q(pk__in=ran.values("pk"))),
        answered=Sum("answered_count", filter=Q(pk__in=ran.values("pk"))),
        recent=Count("id", filter=Q(opens_on__lte=as_of,
                                    opens_on__gt=as_of - datetime.timedelta(days=ROUND_EXPECTED_DAYS))),
        ever=Count("id", filter=Q(opens_on__lte=as_of)))
    left_out = RatingInvitation.objects.filter(round__in=ran, stakeholder__in=hidden).aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(answered=True)))
    sums = RatingTally.objects.filter(organisation=organisation, round__in=ran).aggregate(
        n=Sum("answers"), **{name: Sum(name) for name in DIMENSIONS})
    hidden_sums = Rating.objects.filter(round__in=ran, stakeholder__in=hidden).aggregate(
        n=Count("id"), **{name: Sum(name) for name in DIMENSIONS})
    flags = RatingFlag.objects.for_organisation(organisation).exclude(stakeholder__in=hidden).aggregate(
        raised=Count("id", filter=Q(created_at__gte=start, created_at__lt=end_of_period)),
        **{reason: Count("id", filter=Q(created_at__gte=start, created_at__lt=end_of_period, reason=reason))
           for reason in RatingFlag.Reason.values},
        unseen=Count("id", filter=Q(created_at__lt=end) & (Q(seen_at__isnull=True) | Q(seen_at__gte=end))))
    answers = (sums["n"] or 0) - hidden_sums["n"]
    return {
        "ran": totals["ran"], "recent": totals["recent"], "ever": totals["ever"],
        "invited": (totals["invited"] or 0) - left_out["invited"],
        "answered": (totals["answered"] or 0) - left_out["answered"],
        "answers": answers,
        "averages": {name: round(((sums[name] or 0) - (hidden_sums[name] or 0)) / answers, 2) if answers else None
                     for name in DIMENSIONS},
        "flags": flags,
    }


def _trend(organisation, hidden, period: Period, today: datetime.date, smallest: int) -> dict:
    """The average answer on each question per quarter (rounds by their opening), over the eight quarters that end
    with the period; a quarter with fewer answers than the smallest group is left empty."""
    last = min(Period(period.year, period.quarter or 4), Period.containing(today))
    quarters = [last]
    while len(quarters) < 8:
        quarters.insert(0, quarters[0].previous())
    rounds = RatingRound.objects.for_organisation(organisation).filter(
        opens_on__gte=quarters[0].start, opens_on__lte=quarters[-1].end)
    rows = list(RatingTally.objects.filter(organisation=organisation, round__in=rounds).order_by()
                .values("round__opens_on").annotate(n=Sum("answers"), **{name: Sum(name) for name in DIMENSIONS}))
    rows += [{**row, "n": -row["n"], **{name: -(row[name] or 0) for name in DIMENSIONS}}
             for row in Rating.objects.filter(round__in=rounds, stakeholder__in=hidden).order_by()
             .values("round__opens_on").annotate(n=Count("id"), **{name: Sum(name) for name in DIMENSIONS})]
    totals = [{"n": 0, **dict.fromkeys(DIMENSIONS, 0)} for _quarter in quarters]
    for row in rows:
        index = next(n for n, quarter in enumerate(quarters) if quarter.start <= row["round__opens_on"] <= quarter.end)
        for name in ("n", *DIMENSIONS):
            totals[index][name] += row[name] or 0
    return {"periods": [quarter.label for quarter in quarters],
            "series": [{"label": str(capfirst(Rating._meta.get_field(name).verbose_name)),
                        "values": [round(total[name] / total["n"], 2) if total["n"] >= smallest else None
                                   for total in totals]} for name in DIMENSIONS],
            "value_heading": _("Average answer (1 = poor, 5 = good)")}


# The evidence ----------------------------------------------------------------------------------------------------

def collect(organisation, period: Period, today: datetime.date) -> Evidence:
    """Question 5: agreement reviews kept or overdue, rating rounds run and what they flagged."""
    start, end_of_period = period.bounds()
    as_of = period.as_of(today)
    end = _day_end(as_of, start)
    running = period.is_running(today)
    # As a member without any grant sees them: every high-safety person left out.
    hidden = hidden_from_member(organisation, None).values("pk")
    agreements = _agreements(organisation, hidden, period, as_of, end, running)
    ratings = _ratings(organisation, hidden, period, as_of, start, end_of_period, end)
    small = _Threshold(rating_queries.smallest_group(organisation), ratings["answers"])
    flags = ratings["flags"]

    agreement_list, ratings_page = reverse("relationships:agreement-list"), reverse("relationships:ratings")
    review_list = f"{agreement_list}?review_due=1"
    view = Capability.RELATIONSHIPS_VIEW
    figures = [
        Figure("agreements_in_force", _("Relationship agreements in force"), agreements["in_force"],
               url=agreement_list, capability=view),
        Figure("reviews_due", _("Agreement reviews that came due"), agreements["due"], url=review_list,
               capability=view),
        Figure("reviews_met", _("Reviews that came due and were held (new terms accepted, or the agreement ended)"),
               share(agreements["met"], agreements["due"]), PERCENT, UP, review_list, view),
        Figure("reviews_overdue", _("Agreements past their review date"), agreements["overdue"], better=DOWN,
               url=review_list, capability=view),
    ]
    if running:
        figures.append(Figure("reviews_under_way", _("Agreements under review now"), agreements["under_review"],
                              url=f"{agreement_list}?state={AgreementState.UNDER_REVIEW}", capability=view))
    figures += [
        Figure("nda_sunsets", _("NDAs that reached their sunset"), agreements["sunsets"], url=agreement_list,
               capability=view),
        Figure("nda_sunsets_told", _("Stakeholders told their NDA had ended"),
               share(agreements["told"], agreements["sunsets"]), PERCENT, UP, agreement_list, view),
        Figure("rating_rounds", _("Relationship rating rounds run"), ratings["ran"], better=UP, url=ratings_page,
               capability=view),
        Figure("rating_invited", _("Stakeholders asked to rate the relationship"), ratings["invited"],
               url=ratings_page, capability=view),
        Figure("rating_answers", _("Ratings given"), small.count(ratings["answered"]), url=ratings_page,
               capability=view),
        Figure("rating_response_rate", _("Stakeholders asked who answered"),
               share(ratings["answered"], ratings["invited"]) if small.count(ratings["answered"]) is not None
               else None, PERCENT, UP, ratings_page, view),
        Figure("rating_flags", _("Low or falling ratings flagged"), small.count(flags["raised"]), better=DOWN,
               url=ratings_page, capability=view),
        Figure("rating_flags_unseen", _("Flagged ratings no owner had looked at"),
               _at_least_group(flags["unseen"], small.smallest), better=DOWN, url=ratings_page,
               capability=view),
    ]

    findings = []
    if agreements["overdue"]:
        findings.append(Finding(ngettext(
            "%(n)s relationship agreement was past its review date on %(day)s.",
            "%(n)s relationship agreements were past their review date on %(day)s.", agreements["overdue"])
            % {"n": agreements["overdue"], "day": date_format(as_of)}, review_list, view))
    untold = agreements["sunsets"] - agreements["told"]
    if untold:
        findings.append(Finding(ngettext(
            "%(n)s stakeholder whose NDA ended in the period has not been told they may speak openly.",
            "%(n)s stakeholders whose NDA ended in the period have not been told they may speak openly.", untold)
            % {"n": untold}, agreement_list, view))
    if flags["unseen"]:
        # No count: a few unseen flags would single out the few people who gave them.
        findings.append(Finding(_("Some low or falling ratings have not been looked at by the relationship's "
                                  "owner."), ratings_page, view))
    if ratings["ever"] and not ratings["recent"]:
        findings.append(Finding(_("No relationship rating round was run in the year to %(day)s.")
                                % {"day": date_format(as_of)}, ratings_page, view))
    nothing = not agreements["in_force"] and not agreements["due"] and not ratings["ever"]
    if nothing:
        findings.append(Finding(_("No relationship agreement is in force and no stakeholder has ever been asked "
                                  "to rate the relationship."), ratings_page, view, MISSING))

    reading = _agreement_reading(agreements) + " " + _rating_reading(ratings, small)
    status = MISSING if nothing else ATTENTION if findings else OK

    charts = []
    if not small.too_few:
        charts.append(ChartData(
            "bars", "relationship_ratings", _("How stakeholders rate the relationship"),
            _("The average answer to each question in the rounds run in the period, from 1 (poor) to 5 (good); "
              "for burden, 5 means light."),
            {"rows": [{"label": str(capfirst(Rating._meta.get_field(name).verbose_name)),
                       "value": ratings["averages"][name], "url": ratings_page, "capability": view}
                      for name in DIMENSIONS],
             "label_heading": _("Question"), "value_heading": _("Average answer (1 to 5)")}))
        reasons = _suppressed({reason: flags[reason] for reason in RatingFlag.Reason.values}, small.smallest)
        if any(value for value in reasons.values()):
            labels = {RatingFlag.Reason.LOW: _("Low"), RatingFlag.Reason.FALLING: _("Falling"),
                      RatingFlag.Reason.LOW_AND_FALLING: _("Low and falling")}
            charts.append(ChartData(
                "bars", "relationship_flags", _("Ratings flagged in the period, by reason"),
                _("Groups of fewer than %(n)s ratings are not shown.") % {"n": small.smallest},
                {"rows": [{"label": labels[reason], "value": value, "url": ratings_page, "capability": view}
                          for reason, value in reasons.items() if value],
                 "label_heading": _("Reason"), "value_heading": _("Ratings flagged")}))
    if ratings["ever"]:
        charts.append(ChartData("timeline", "relationship_rating_trend", _("Relationship ratings over eight quarters"),
                                _("The average answer to each question, by the quarter its round opened; a quarter "
                                  "with fewer than %(n)s answers is left empty.") % {"n": small.smallest},
                                _trend(organisation, hidden, period, today, small.smallest)))
    return Evidence(source=SOURCE_KEY, question=Question.MONITORING, title=_("Relationships with stakeholders"),
                    status=status, reading=reading, figures=figures, findings=findings, charts=charts)


def _at_least_group(value: int, smallest: int) -> int | None:
    return value if value == 0 or value >= smallest else None


def _suppressed(counts: dict[str, int], smallest: int) -> dict[str, int | None]:
    """The trend page's rule on a breakdown: groups under the threshold hidden, and the next smallest with a
    lone hidden one (so it cannot be worked out from the total)."""
    cells = {key: rating_queries.Cell(count=value, sums={}) for key, value in counts.items()}
    rating_queries.suppress(list(cells.values()), smallest)
    return {key: cell.count if cell.shown else None for key, cell in cells.items()}


def _agreement_reading(agreements: dict[str, int]) -> str:
    if not agreements["in_force"] and not agreements["due"]:
        return _("No relationship agreement was in force.")
    return "; ".join((
        ngettext("%(n)s agreement in force", "%(n)s agreements in force", agreements["in_force"])
        % {"n": agreements["in_force"]},
        ngettext("%(n)s past its review date", "%(n)s past their review date", agreements["overdue"])
        % {"n": agreements["overdue"]})) + "."


def _rating_reading(ratings: dict, small: _Threshold) -> str:
    if not ratings["ran"]:
        return _("No rating round ran in this period.")
    rounds = ngettext("%(n)s rating round ran", "%(n)s rating rounds ran", ratings["ran"]) % {"n": ratings["ran"]}
    if not ratings["answers"]:
        return _("%(rounds)s, with no answer yet.") % {"rounds": rounds}
    if small.too_few:
        return _("%(rounds)s, with fewer than %(smallest)s answers: too few to show.") % {
            "rounds": rounds, "smallest": small.smallest}
    flagged = small.count(ratings["flags"]["raised"])
    if flagged is None:
        return _("%(rounds)s; %(answers)s answers, a few of them flagged low or falling.") % {
            "rounds": rounds, "answers": ratings["answers"]}
    return _("%(rounds)s; %(answers)s answers, %(flagged)s flagged low or falling.") % {
        "rounds": rounds, "answers": ratings["answers"], "flagged": flagged}
