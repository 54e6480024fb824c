"""What the grievance mechanism tells the board (O1): is the channel open and does it answer (question 2), and
is its effectiveness reviewed (question 5).

Counts only, read the way the UNGP 31 self-check reads them (selfcheck.py): received, due and finished cases
by their own dates, the self-check's kept facts (`acknowledged_in_time`, `responded_in_time`, each stay's
length), the organisation's own assessments. No sealed column is read, not even for its emptiness, and no
text a person or a handler wrote. Two figures reach beyond the self-check's columns, to plain dates only: the
open cases overdue on the period's last day (rebuilt from the receipt, acknowledgement, answer and finish
dates) and the remedy actions past their due date then (due, delivery and dispute dates).

Flows count what happened in the period; stocks (overdue cases and actions, the standing assessments) are
read as of `period.as_of(today)`.
"""

from __future__ import annotations

import datetime
import statistics
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rightsloop.accounts.roles import Capability
from rightsloop.core.evidence import (
    ATTENTION,
    DAYS,
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
    Table,
    share,
)
from rightsloop.core.periods import Period

from . import selfcheck
from .models import (
    FINISHED_STAGES,
    Appeal,
    Grievance,
    GrievanceSettings,
    RemedyAction,
    RemedyPlan,
    SelfAssessment,
)
from .vocabulary import ActionStatus, Assessment, Channel, Criterion, Satisfaction, Stage

MECHANISM_KEY = "grievances"
EFFECTIVENESS_KEY = "grievances_effectiveness"
# A standing self-assessment older than this on the period's last day is due for review.
ASSESSMENT_STALE_DAYS = 365


def _self_check_url(period: Period) -> str:
    return f"{reverse('grievances:self-check')}?{urlencode({'period': period.key})}"


def _check_period(period: Period) -> selfcheck.Period:
    return selfcheck.Period(period.year, period.quarter)


def _day_end(day: datetime.date, start: datetime.datetime) -> datetime.datetime:
    """Midnight after `day`, in the time zone of `start` (the period's bounds)."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=start.tzinfo)


def _latest_median_days(cases, answered: str) -> float | None:
    """The median days from receipt to `answered` over the latest MEDIAN_SAMPLE cases of `cases`, as the
    self-check reads each stage's median: a bounded read, where a median over every case of a year made the
    database work out each case's duration (0.5 s a median on SQLite at 40,000 cases)."""
    pairs = cases.order_by(f"-{answered}", "-id").values_list("received_at", answered)[:selfcheck.MEDIAN_SAMPLE]
    days = [(done - received).total_seconds() / 86400 for received, done in pairs if received and done]
    return statistics.median(days) if days else None


def _round(days: float | None) -> float | None:
    return None if days is None else round(days, 1)


# Question 2: the channel and how it answers ---------------------------------------------------------------------

def _deadlines(cases, period: Period, today: datetime.date) -> dict[str, int]:
    """The self-check's promises: acknowledgements and responses that fell due in the period (judged today)."""
    ack_due = Q(acknowledge_due_on__lt=today) | Q(acknowledged_in_time__isnull=False)
    respond_due = Q(respond_due_on__lt=today) | Q(responded_in_time__isnull=False)
    within = {"gte": period.start, "lte": period.end}
    acknowledged = cases.filter(**{f"acknowledge_due_on__{op}": day for op, day in within.items()}).aggregate(
        due=Count("acknowledge_due_on", filter=ack_due),
        in_time=Count("acknowledge_due_on", filter=Q(acknowledged_in_time=True)))
    responded = cases.filter(**{f"respond_due_on__{op}": day for op, day in within.items()}).aggregate(
        due=Count("respond_due_on", filter=respond_due),
        in_time=Count("respond_due_on", filter=Q(responded_in_time=True)))
    return {"ack_due": acknowledged["due"], "ack_in_time": acknowledged["in_time"],
            "respond_due": responded["due"], "respond_in_time": responded["in_time"]}


def _overdue_on(cases, as_of: datetime.date, end: datetime.datetime) -> int:
    """Cases open on `as_of` whose acknowledgement or substantive response was overdue that day.

    Rebuilt from dates: open then (not finished, or finished after), an acknowledgement due before and not
    given by then, a response due before and not given by then. On today it is the self-check's "open cases
    overdue today"; for an earlier day a case re-opened since by an appeal is read with its new response date.
    """
    open_then = Q(stage__in=selfcheck.TIMED_STAGES) | Q(finished_at__gte=end)
    ack_overdue = Q(acknowledge_due_on__lt=as_of) & (Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=end))
    respond_overdue = Q(respond_due_on__lt=as_of) & (Q(responded_at__isnull=True) | Q(responded_at__gte=end))
    return (cases.filter(received_at__lt=end)
            .alias(finished_at=Coalesce("closed_at", "stage_changed_at"))
            .filter(open_then).filter(ack_overdue | respond_overdue).count())


def _remedy_overdue_on(organisation, as_of: datetime.date, end: datetime.datetime) -> int:
    """Remedy actions due before `as_of` and not delivered by then (or disputed by then, so owed again).

    A delivery moves the action out of "planned" and a new one follows a dispute, so: never delivered, delivered
    (last) after that day, or disputed before it and not delivered since.
    """
    undelivered = (Q(status=ActionStatus.PLANNED) | Q(delivered_at__gte=end)
                   | (Q(status=ActionStatus.DISPUTED) & (Q(disputed_at__isnull=True) | Q(disputed_at__lt=end))))
    return (RemedyAction.objects.filter(plan__organisation=organisation, created_at__lt=end, due_on__lt=as_of)
            .filter(undelivered).count())


def mechanism(organisation, period: Period, today: datetime.date) -> Evidence:
    """Question 2: whether the public channel is open, what came in, and whether the promises were kept."""
    start, end_of_period = period.bounds()
    as_of = period.as_of(today)
    end = _day_end(as_of, start)
    in_period = Q(received_at__gte=start, received_at__lt=end_of_period)
    cases = Grievance.objects.for_organisation(organisation).order_by()
    mechanism_settings = GrievanceSettings.objects.filter(organisation=organisation).first()
    intake_open = mechanism_settings.intake_open if mechanism_settings else True

    channels = dict(cases.filter(in_period).values_list("channel").annotate(n=Count("id")).values_list(
        "channel", "n"))
    received = sum(channels.values())
    deadlines = _deadlines(cases, period, today)
    finished = cases.filter(stage__in=FINISHED_STAGES).annotate(
        finished_at=Coalesce("closed_at", "stage_changed_at")).filter(
        finished_at__gte=start, finished_at__lt=end_of_period)
    resolved = finished.count()
    days_to_resolve = _latest_median_days(finished, "finished_at")
    days_to_answer = _latest_median_days(cases.filter(responded_at__gte=start, responded_at__lt=end_of_period),
                                         "responded_at")
    days_to_acknowledge = selfcheck.stay_median_days(organisation, Stage.RECEIVED, _check_period(period))
    overdue = _overdue_on(cases, as_of, end)
    appeals = Appeal.objects.filter(grievance__organisation=organisation, filed_at__gte=start,
                                    filed_at__lt=end_of_period).count()
    plans = RemedyPlan.objects.for_organisation(organisation).filter(created_at__gte=start,
                                                                     created_at__lt=end_of_period).count()
    actions_overdue = _remedy_overdue_on(organisation, as_of, end)
    satisfaction = dict(cases.filter(satisfaction_at__gte=start, satisfaction_at__lt=end_of_period)
                        .exclude(satisfaction="").values_list("satisfaction").annotate(n=Count("id"))
                        .values_list("satisfaction", "n"))
    answered = sum(satisfaction.values())

    url, oversee = _self_check_url(period), Capability.GRIEVANCES_OVERSEE
    figures = [
        Figure("received", _("Grievances received"), received, url=url, capability=oversee),
        Figure("acknowledged_in_time", _("Acknowledged by the date promised"),
               share(deadlines["ack_in_time"], deadlines["ack_due"]), PERCENT, UP, url, oversee),
        Figure("answered_in_time", _("A substantive response by the date promised"),
               share(deadlines["respond_in_time"], deadlines["respond_due"]), PERCENT, UP, url, oversee),
        Figure("days_to_acknowledge", _("Median days to acknowledge"), _round(days_to_acknowledge), DAYS, DOWN,
               url, oversee),
        Figure("days_to_answer", _("Median days from receipt to a substantive response"), _round(days_to_answer),
               DAYS, DOWN, url, oversee),
        Figure("resolved", _("Cases finished (closed, or found not admissible)"), resolved, url=url,
               capability=oversee),
        Figure("days_to_resolve", _("Median days from receipt to a finished case"), _round(days_to_resolve), DAYS,
               DOWN, url, oversee),
        Figure("overdue", _("Open cases overdue on the period's last day"), overdue, better=DOWN, url=url,
               capability=oversee),
        Figure("appeals", _("Appeals filed"), appeals, url=url, capability=oversee),
        Figure("remedy_plans", _("Remedy plans started"), plans, url=url, capability=oversee),
        Figure("remedy_actions_overdue", _("Remedy actions past their due date"), actions_overdue, better=DOWN,
               url=url, capability=oversee),
        Figure("satisfied", _("People satisfied with the outcome (of those who answered)"),
               share(satisfaction.get(Satisfaction.SATISFIED, 0), answered), PERCENT, UP, url, oversee),
    ]

    findings = []
    if not intake_open:
        findings.append(Finding(_("The public grievance page takes no new grievances: people can only follow "
                                  "the cases they already raised."), url, oversee))
    late_ack = deadlines["ack_due"] - deadlines["ack_in_time"]
    if late_ack:
        findings.append(Finding(ngettext(
            "%(late)s of %(due)s acknowledgement due in the period came late or not at all.",
            "%(late)s of %(due)s acknowledgements due in the period came late or not at all.", deadlines["ack_due"])
            % {"late": late_ack, "due": deadlines["ack_due"]}, url, oversee))
    late_response = deadlines["respond_due"] - deadlines["respond_in_time"]
    if late_response:
        findings.append(Finding(ngettext(
            "%(late)s of %(due)s substantive response due in the period came late or not at all.",
            "%(late)s of %(due)s substantive responses due in the period came late or not at all.",
            deadlines["respond_due"]) % {"late": late_response, "due": deadlines["respond_due"]}, url, oversee))
    if overdue:
        findings.append(Finding(ngettext(
            "%(n)s open case was overdue on %(day)s.", "%(n)s open cases were overdue on %(day)s.", overdue)
            % {"n": overdue, "day": date_format(as_of)}, url, oversee))
    if actions_overdue:
        findings.append(Finding(ngettext(
            "%(n)s remedy action was past its due date on %(day)s.",
            "%(n)s remedy actions were past their due date on %(day)s.", actions_overdue)
            % {"n": actions_overdue, "day": date_format(as_of)}, url, oversee))

    door = _("The public grievance page is open.") if intake_open else _(
        "The public grievance page is closed to new grievances.")
    if received or deadlines["ack_due"] or resolved or overdue:
        clauses = [ngettext("%(n)s grievance received", "%(n)s grievances received", received) % {"n": received}]
        if deadlines["ack_due"]:
            clauses.append(_("%(share)s of acknowledgements on time") % {
                "share": _percent(share(deadlines["ack_in_time"], deadlines["ack_due"]))})
        clauses.append(ngettext("%(n)s open case overdue", "%(n)s open cases overdue", overdue) % {"n": overdue})
        reading = door + " " + "; ".join(clauses) + "."
    else:
        reading = door + " " + _("No grievance was received or due in this period.")

    chart = ChartData("bars", "grievance_channels", _("Grievances received by channel"),
                      _("How the grievances received in the period reached the company."),
                      {"rows": [{"label": str(label), "value": channels.get(code, 0), "url": url,
                                 "capability": oversee}
                                for code, label in Channel.choices if channels.get(code)],
                       "label_heading": _("Channel"), "value_heading": _("Grievances")})
    return Evidence(source=MECHANISM_KEY, question=Question.MECHANISMS, title=_("Grievance mechanism"),
                    status=ATTENTION if findings else OK, reading=reading, figures=figures, findings=findings,
                    charts=[chart] if received else [])


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


# Question 5: is the mechanism's effectiveness reviewed ----------------------------------------------------------

def _standing(organisation, end: datetime.datetime) -> dict[str, tuple[str, datetime.datetime]]:
    """Per criterion, the assessment standing at `end` (the newest recorded before it) and when it was made."""
    newest = (SelfAssessment.objects.for_organisation(organisation).filter(at__lt=end)
              .annotate(row=Window(RowNumber(), partition_by=[F("criterion")],
                                   order_by=[F("at").desc(), F("id").desc()]))
              .filter(row=1).values_list("criterion", "assessment", "at"))
    return {criterion: (assessment, at) for criterion, assessment, at in newest}


def _trend(organisation, period: Period, today: datetime.date) -> dict:
    """Satisfaction, acknowledgements on time and outcomes reviewed for rights, per quarter: three grouped
    queries over the eight quarters that end with the period (or this quarter, while it runs)."""
    last = min(_check_period(period).last_quarter(), selfcheck.current_quarter(today))
    quarters = last.quarters_back(selfcheck.TREND_QUARTERS)
    cases = Grievance.objects.for_organisation(organisation).order_by()
    satisfied = selfcheck._by_quarter(cases.exclude(satisfaction=""), quarters, "satisfaction_at",
                                      parts={"part": Q(satisfaction=Satisfaction.SATISFIED)})
    acknowledged = selfcheck._by_quarter(
        cases.filter(Q(acknowledge_due_on__lt=today) | Q(acknowledged_in_time__isnull=False)), quarters,
        "acknowledge_due_on", dates=True, parts={"part": Q(acknowledged_in_time=True)})
    reviewed = selfcheck._by_quarter(
        cases.filter(stage__in=FINISHED_STAGES).alias(finished_at=Coalesce("closed_at", "stage_changed_at")),
        quarters, "finished_at", parts={"part": Q(rights_reviewed_at__isnull=False)})
    series = [
        # xgettext:no-python-format
        (_("Satisfied with the outcome (% of answers)"), satisfied),
        (_("Acknowledged by the date promised (%)"), acknowledged),
        (_("Finished cases whose outcome was reviewed for human rights (%)"), reviewed),
    ]
    return {"periods": [quarter.label for quarter in quarters],
            "series": [{"label": label, "values": [share(row["part"], row["whole"]) for row in rows]}
                       for label, rows in series],
            "value_heading": _("Share (%)")}


def effectiveness(organisation, period: Period, today: datetime.date) -> Evidence:
    """Question 5: the organisation's own review against the eight UNGP 31 criteria, and the trends behind it."""
    start, end_of_period = period.bounds()
    as_of = period.as_of(today)
    end = _day_end(as_of, start)
    standing = _standing(organisation, end)
    recorded = SelfAssessment.objects.for_organisation(organisation).filter(
        at__gte=start, at__lt=end_of_period).count()
    counts = {value: sum(1 for assessment, _at in standing.values() if assessment == value)
              for value in Assessment.values}
    unassessed = [criterion for criterion in Criterion.values if criterion not in standing]
    stale_before = end - datetime.timedelta(days=ASSESSMENT_STALE_DAYS)
    stale = [criterion for criterion, (_assessment, at) in standing.items() if at < stale_before]
    url, oversee = _self_check_url(period), Capability.GRIEVANCES_OVERSEE
    labels = dict(Criterion.choices)
    assessment_labels = dict(Assessment.choices)

    figures = [
        Figure("criteria_met", _("UNGP 31 criteria the mechanism meets (own assessment)"), counts[Assessment.MEETS],
               better=UP, url=url, capability=oversee),
        Figure("criteria_partly", _("Criteria partly met"), counts[Assessment.PARTLY], url=url, capability=oversee),
        Figure("criteria_not_met", _("Criteria not met yet"), counts[Assessment.NOT_YET], better=DOWN, url=url,
               capability=oversee),
        Figure("criteria_unassessed", _("Criteria never assessed"), len(unassessed), better=DOWN, url=url,
               capability=oversee),
        Figure("assessments_recorded", _("Self-assessments recorded in the period"), recorded, url=url,
               capability=oversee),
    ]

    def names(codes) -> str:
        return ", ".join(str(labels[code]) for code in Criterion.values if code in codes)

    findings = []
    if not standing:
        findings.append(Finding(_("The grievance mechanism has never been assessed against the UNGP 31 criteria."),
                                url, oversee, MISSING))
    else:
        not_met = [criterion for criterion, (assessment, _at) in standing.items() if assessment == Assessment.NOT_YET]
        if not_met:
            findings.append(Finding(_("Criteria the mechanism does not meet yet: %(criteria)s.")
                                    % {"criteria": names(not_met)}, url, oversee))
        if unassessed:
            findings.append(Finding(_("Criteria never assessed: %(criteria)s.") % {"criteria": names(unassessed)},
                                    url, oversee))
        if stale:
            findings.append(Finding(ngettext(
                "The assessment of %(criteria)s is more than a year old.",
                "The assessments of %(criteria)s are more than a year old.", len(stale))
                % {"criteria": names(stale)}, url, oversee))

    if standing:
        reading = _("By its own assessment the mechanism meets %(met)s of 8 criteria, partly meets %(partly)s and "
                    "does not yet meet %(not_yet)s.") % {"met": counts[Assessment.MEETS],
                                                          "partly": counts[Assessment.PARTLY],
                                                          "not_yet": counts[Assessment.NOT_YET]}
    else:
        reading = _("No review of the grievance mechanism against the UNGP 31 criteria has been recorded.")
    status = MISSING if not standing else ATTENTION if findings else OK

    table = Table("criteria", _("The organisation's own assessment, criterion by criterion"),
                  [_("Criterion"), _("Standing assessment"), _("Assessed on")],
                  [[str(label), str(assessment_labels[standing[code][0]]) if code in standing else _("Not assessed"),
                    date_format(timezone.localdate(standing[code][1])) if code in standing else ""]
                   for code, label in Criterion.choices])
    chart = ChartData("timeline", "grievance_effectiveness_trend", _("Grievance mechanism over eight quarters"),
                      _("Satisfaction with outcomes, acknowledgements on time, and outcomes reviewed for human "
                        "rights, quarter by quarter; a gap means nothing to measure that quarter."),
                      _trend(organisation, period, today))
    return Evidence(source=EFFECTIVENESS_KEY, question=Question.MONITORING,
                    title=_("Review of the grievance mechanism"), status=status, reading=reading, figures=figures,
                    findings=findings, tables=[table], charts=[chart])
