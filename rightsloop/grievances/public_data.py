"""What the grievance mechanism publishes (O2, O3): cases received and finished, and remedies agreed, per quarter.

Read from the columns the UNGP 31 self-check reads (selfcheck.py), never a sealed one nor anything that could
point at a person: the channel and date a case arrived, the stage it finished in and when (closed, or found not
admissible: `Coalesce(closed_at, stage_changed_at)`, as the self-check dates it), whether its remedy plan has a
corrective action, and the type and date of remedy actions. Cases erased since still count, as in the self-check.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear
from django.utils.translation import gettext_lazy as _

from rightsloop.core.periods import day_bounds, quarter_key, quarter_label
from rightsloop.core.registry import PublicTable

from .models import FINISHED_STAGES, Grievance, RemedyAction
from .vocabulary import Channel, RemedyType, Stage

OUTCOMES = (
    ("closed_with_remedy", _("Closed with a remedy (corrective actions agreed)")),
    ("closed_without_remedy", _("Closed without a corrective action")),
    ("not_admissible", _("Not admissible (with the reasons and where else to go)")),
)
QUARTER = ("quarter", _("Quarter"), _("The calendar quarter, written YYYY-Qn (2026-Q3)."))


def label(dimension: str, code: str) -> str:
    if dimension == "quarter":
        return quarter_label(code)
    names = {"channel": Channel.choices, "outcome": OUTCOMES, "remedy_type": RemedyType.choices}
    return str(dict(names.get(dimension, ())).get(code, code))


def _by_quarter(queryset, column: str, dimension: str, measure: str) -> list[dict]:
    """One row per quarter of `column` and value of `dimension`, with the number of records."""
    rows = (queryset.order_by().annotate(year=ExtractYear(column), quarter_of=ExtractQuarter(column))
            .values("year", "quarter_of", dimension).annotate(n=Count("id")))
    return [{"quarter": quarter_key(row["year"], row["quarter_of"]), dimension: row[dimension], measure: row["n"]}
            for row in rows]


def received_by_channel(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    since, until = day_bounds(start, end)
    cases = Grievance.objects.for_organisation(organisation).filter(received_at__gte=since, received_at__lt=until)
    return _by_quarter(cases, "received_at", "channel", "cases")


def finished_by_outcome(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    since, until = day_bounds(start, end)
    # Plans with a corrective action, read once as an uncorrelated list (as the self-check does).
    remedied = RemedyAction.objects.filter(plan__organisation=organisation).values("plan_id")
    outcome = Case(When(stage=Stage.NOT_ADMISSIBLE, then=Value("not_admissible")),
                   When(remedy_plan_id__in=remedied, then=Value("closed_with_remedy")),
                   default=Value("closed_without_remedy"))
    cases = (Grievance.objects.for_organisation(organisation).filter(stage__in=FINISHED_STAGES)
             .alias(finished_at=Coalesce("closed_at", "stage_changed_at"))
             .filter(Q(finished_at__gte=since) & Q(finished_at__lt=until)).annotate(outcome=outcome))
    return _by_quarter(cases, "finished_at", "outcome", "cases")


def remedies_by_type(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    since, until = day_bounds(start, end)
    actions = RemedyAction.objects.filter(plan__organisation=organisation, created_at__gte=since,
                                          created_at__lt=until)
    return _by_quarter(actions, "created_at", "remedy_type", "actions")


TABLES = (
    PublicTable(
        key="grievances-received", order=40, section="remedy", label=label, rows=received_by_channel,
        title=_("Grievances received"),
        description=_("Grievances received in each quarter, by the channel they came through."),
        dimensions=(QUARTER, ("channel", _("Channel"), _("web, api, portal, hotline, sms, letter, in_person, ngo "
                                                         "or email."))),
        measure=("cases", _("Grievances"), _("Number of grievances."))),
    PublicTable(
        key="grievances-finished", order=41, section="remedy", label=label, rows=finished_by_outcome,
        title=_("Grievances closed, and how"),
        description=_("Grievances finished in each quarter: closed with a remedy (corrective actions agreed with "
                      "the people affected), closed without a corrective action, or found not admissible."),
        dimensions=(QUARTER, ("outcome", _("Outcome"), _("closed_with_remedy, closed_without_remedy or "
                                                         "not_admissible."))),
        measure=("cases", _("Grievances"), _("Number of grievances."))),
    PublicTable(
        key="remedy-actions", order=42, section="remedy", label=label, rows=remedies_by_type,
        title=_("Remedy actions agreed, by type"),
        description=_("Corrective actions of remedy plans agreed in each quarter, by the type of remedy (apology, "
                      "restitution, compensation, rehabilitation, change of product or policy, guarantee of "
                      "non-repetition, other)."),
        dimensions=(QUARTER, ("remedy_type", _("Type of remedy"), _("apology, restitution, compensation, "
                                                                    "rehabilitation, change, non_repetition or "
                                                                    "other."))),
        measure=("actions", _("Remedy actions"), _("Number of remedy actions."))),
)
