"""What engagements tell the board (O1): who was heard during a period (question 1) and whether the mechanisms
that hear, decide and tell back work (question 2).

Flows count what happened during the period: inputs recorded in it, engagements that started in it (up to today
while it runs), first feedback reports delivered in it, loops that closed in it. Stocks are read as of the
period's end (`Period.as_of`): whether an input recorded in the period had a decision and had been reported on
by then (from the dated decision revisions and delivered reports), and which loops were overdue then (past
their feedback date and not closed by then; a loop keeps only its last closing, so one closed by then and
re-opened since counts as open). The database counts; nothing here names anyone or reads a sealed or free-text
field. Nobody is listed, and the inputs of people at high safety level count as unattributed in who was heard; in
a breakdown of the people heard (by country, language or at-risk group) a count under `core.charts.SMALLEST` is
hidden, as in the register's.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
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
from rightsloop.stakeholders.evidence import (
    by_severity,
    end_of,
    few_hidden_cell,
    link,
    market_highlights,
    market_name,
    market_names,
    named,
    people_per_country,
    risk_market_url,
)
from rightsloop.stakeholders.models import AffectedGroup, Stakeholder
from rightsloop.stakeholders.vocabulary import AtRisk, Kind, SafetyLevel

from .models import Decision, Engagement, FeedbackReport, Input, Participation
from .promises import Promise
from .representation import AFFECTED_VOICES, Tally, who_was_heard
from .vocabulary import DeliveryStatus, EngagementType, LoopState, Phase

HEARD = "engagements.heard"
MECHANISMS = "engagements.mechanisms"
# The engagement load chart shows this many quarters, the period's last one included.
TIMELINE_QUARTERS = 8


def inputs_recorded(organisation, start: datetime.datetime, end: datetime.datetime):
    """The organisation's inputs recorded in [start, end).

    Reached through its engagements so the database reads the input_engagement index (engagement, recorded_at)
    once per engagement, instead of every input of the organisation to test the date.
    """
    engagements = Engagement.objects.for_organisation(organisation).active().values("pk")
    # Withdrawn and merged-away inputs are no longer counted anywhere (InputQuerySet.standing).
    return Input.objects.standing().filter(engagement__in=engagements, recorded_at__gte=start, recorded_at__lt=end)


def _engagements_url(**filters: str) -> str:
    address = reverse("engagements:list")
    return f"{address}?{urlencode(filters)}" if filters else address


# Question 1: who was heard ---------------------------------------------------------------------------------------


def collect_heard(organisation, period: Period, today: datetime.date) -> Evidence:
    """Who was heard in the inputs recorded during the period, against the countries of the salient risks."""
    from rightsloop.risks.queries import market_countries

    start, end = period.bounds()
    markets = market_countries(organisation, period.as_of(today))
    inputs = inputs_recorded(organisation, start, end)
    # People at high safety level count as unattributed, as for any viewer without a grant: the board view is
    # one set of figures for every reader (docs/security/x2-access.md).
    protected = Stakeholder.objects.for_organisation(organisation).filter(safety_level=SafetyLevel.HIGH)
    heard = who_was_heard(inputs, markets=sorted(markets), hidden=protected)
    voices_in = Counter(heard.by_country)
    # The affected groups heard through a proxy, per country they live in (tens of groups: read whole).
    groups_in = Counter()
    if heard.through_proxy.groups:
        for codes in AffectedGroup.objects.filter(
                pk__in=inputs.filter(group__isnull=False).values("group_id")).values_list("countries", flat=True):
            groups_in.update(set(codes or []))

    label = period.label
    engagements = _engagements_url()
    seen = Capability.ENGAGEMENTS_VIEW
    affected = sum(tally[1] for tally in heard.by_kind if tally.code in AFFECTED_VOICES)
    groups = heard.through_proxy.groups
    heard_in = sorted(code for code in markets if voices_in[code] or groups_in[code])
    unheard = sorted(code for code in markets if code not in heard_in)
    figures = [
        Figure(key="inputs", label=_("Inputs recorded"), value=heard.inputs, better=UP, url=engagements,
               capability=seen),
        Figure(key="voices", label=_("People heard in their own name"), value=heard.voices, better=UP),
        Figure(key="affected_voices", label=_("Affected stakeholders and credible proxies heard"), value=affected,
               better=UP),
        Figure(key="affected_share", label=_("Affected voices among the people heard"),
               value=share(affected, heard.voices), unit=PERCENT, better=UP),
        Figure(key="global_south_share", label=_("People heard from the Global South"),
               value=share(heard.global_south.get("yes", 0), heard.voices), unit=PERCENT),
        Figure(key="groups_through_proxy", label=_("Affected groups heard through a proxy"), value=groups,
               better=UP),
        Figure(key="risk_countries_heard", label=_("Countries of salient risks where someone was heard"),
               value=len(heard_in), better=UP, url=reverse("risks:register"), capability=Capability.RISKS_VIEW),
        Figure(key="risk_countries_unheard", label=_("Countries of salient risks where nobody was heard"),
               value=len(unheard), better=DOWN, url=reverse("risks:register"), capability=Capability.RISKS_VIEW),
    ]

    findings = []
    if not heard.inputs:
        findings.append(Finding(text=_("No input was recorded in %(period)s.") % {"period": label},
                                url=engagements, capability=seen, severity=MISSING))
    else:
        # The very message who_was_heard writes (same catalogue entry): without affected voices, evidence is missing.
        no_affected = _("No affected voices: no affected stakeholder or credible proxy has been heard.")
        for gap in heard.gaps:
            findings.append(Finding(text=gap, url=engagements, capability=seen,
                                    severity=MISSING if gap == no_affected else ATTENTION))
        # who_was_heard names the markets only when none of them was heard; name the ones left out otherwise.
        if heard_in and unheard:
            findings.append(Finding(
                text=ngettext(
                    "Nobody was heard from %(n)s country of salient risks: %(countries)s.",
                    "Nobody was heard from %(n)s countries of salient risks: %(countries)s.",
                    len(unheard)) % {"n": len(unheard), "countries": named(market_names(unheard, markets))},
                url=reverse("risks:register"), capability=Capability.RISKS_VIEW))

    if not heard.inputs:
        reading = _("Nobody was heard in %(period)s: no input was recorded.") % {"period": label}
    else:
        if heard.voices:
            reading = ngettext(
                "%(n)s person heard in their own name in %(period)s (%(share)s %% affected stakeholders or proxies)",
                "%(n)s people heard in their own name in %(period)s (%(share)s %% affected stakeholders or proxies)",
                heard.voices) % {"n": heard.voices, "period": label, "share": share(affected, heard.voices)}
        else:
            reading = _("Nobody spoke in their own name in %(period)s") % {"period": label}
        if groups:
            reading += ngettext(" and %(n)s affected group through a proxy",
                                " and %(n)s affected groups through a proxy", groups) % {"n": groups}
        if not markets:
            reading += _("; no salient risk is registered to compare with.")
        elif unheard:
            reading += _("; nobody heard from %(missing)s of %(markets)s countries of salient risks.") % {
                "missing": len(unheard), "markets": len(markets)}
        else:
            reading += _("; voices from each of the %(markets)s countries of salient risks.") % {
                "markets": len(markets)}
    status = (MISSING if any(f.severity == MISSING for f in findings)
              else ATTENTION if findings else OK)

    proxy = heard.through_proxy
    voices_heading, groups_heading = _("People heard"), _("Groups heard through a proxy")
    notes = list(heard.notes)
    if heard.unattributed_inputs:
        notes.append(ngettext("%(n)s input has no speaker recorded.", "%(n)s inputs have no speaker recorded.",
                              heard.unattributed_inputs) % {"n": heard.unattributed_inputs})
    tables = [
        Table(key="heard_by_kind", title=_("People heard by kind"), headings=[_("Kind"), voices_heading],
              rows=[[str(label), {t.code: t[1] for t in heard.by_kind}.get(code, 0)]
                    for code, label in Kind.choices],
              note=" ".join(notes)),
        _merged_table("heard_by_region", _("People heard by region"), _("Region"), heard.by_region,
                      proxy.by_region, (voices_heading, groups_heading)),
        _merged_table("heard_by_language", _("Languages of the people heard"), _("Language"), heard.by_language,
                      proxy.by_language, (voices_heading, groups_heading), hide_few=True),
        _merged_table("heard_by_at_risk", _("People at risk heard"), _("At-risk group"), heard.by_at_risk,
                      proxy.by_at_risk, (voices_heading, groups_heading), hide_few=True,
                      everyone=[(code, str(label)) for code, label in AtRisk.choices]),
        Table(key="heard_in_risk_countries", title=_("Voices from the countries of salient risks"),
              headings=[_("Country"), voices_heading, groups_heading],
              rows=[[market_name(code, markets), few_hidden_cell(voices_in[code]), groups_in[code],
                     link(risk_market_url(code), Capability.RISKS_VIEW)] for code in by_severity(markets, markets)]),
    ]
    chart = ChartData(
        kind="world_map", key="coverage_map", title=_("Voices heard against where the risks are"),
        description=_("People heard in their own name per country in %(period)s; the countries of open salient "
                      "risks and of market entries are highlighted. Affected groups heard through a proxy are "
                      "counted apart.") % {
            "period": label},
        data={"values": people_per_country(voices_in), "highlighted": market_highlights(markets),
              "value_heading": voices_heading},
    )
    return Evidence(source=HEARD, question=Question.KNOW_STAKEHOLDERS, title=_("Who was heard"), status=status,
                    reading=reading, figures=figures, findings=findings, tables=tables, charts=[chart])


def _merged_table(key: str, title: str, heading: str, people: list[Tally], groups: list[Tally],
                  value_headings: tuple[str, str], everyone: list[tuple[str, str]] | None = None,
                  hide_few: bool = False) -> Table:
    """People heard and groups heard through a proxy side by side, per code (a region, a language…); with
    hide_few, a count of people under SMALLEST is hidden (a group names nobody: its count stays)."""
    labels = {t.code: t[0] for t in [*groups, *people]}
    voices = {t.code: t[1] for t in people}
    heard_groups = {t.code: t[1] for t in groups}
    codes = list(labels)
    if everyone is not None:
        labels.update({code: label for code, label in everyone if code not in labels})
        codes = [code for code, _label in everyone]
    codes.sort(key=lambda code: (-voices.get(code, 0), -heard_groups.get(code, 0), labels[code]))
    return Table(key=key, title=title, headings=[heading, *value_headings],
                 rows=[[labels[code], few_hidden_cell(voices.get(code, 0)) if hide_few else voices.get(code, 0),
                        heard_groups.get(code, 0)] for code in codes])


# Question 2: mechanisms ------------------------------------------------------------------------------------------


def timeline_quarters(period: Period) -> list[Period]:
    """The quarters the engagement load chart shows, oldest first, ending with the period's last quarter."""
    quarter = Period.containing(period.end)
    quarters = []
    for _n in range(TIMELINE_QUARTERS):
        quarters.append(quarter)
        quarter = quarter.previous()
    return quarters[::-1]


def collect_mechanisms(organisation, period: Period, today: datetime.date) -> Evidence:
    """Engagements held, inputs decided and reported on, time to feedback and overdue loops in the period."""
    start, end = period.bounds()
    as_of = period.as_of(today)
    until = end_of(as_of)
    on = formats.date_format(as_of)
    label = period.label
    quarters = timeline_quarters(period)
    engagements = Engagement.objects.for_organisation(organisation).active()

    # Engagements per quarter, type and set of phases (a few hundred rows at most), on the engagement_org_start index.
    held = list(engagements.filter(starts_on__gte=quarters[0].start, starts_on__lte=as_of).order_by()
                .annotate(year=ExtractYear("starts_on"), quarter=ExtractQuarter("starts_on"))
                .values_list("year", "quarter", "type", "phases").annotate(n=Count("id")))
    in_period = {(q.year, q.quarter) for q in period.quarters()}
    by_type, by_phase, per_quarter = Counter(), Counter(), Counter()
    for year, quarter, kind, phases, n in held:
        for phase in phases or []:
            per_quarter[(year, quarter, phase)] += n
        if (year, quarter) in in_period:
            by_type[kind] += n
            for phase in phases or []:
                by_phase[phase] += n
    held_total = sum(by_type.values())

    funnel = _loop_funnel(inputs_recorded(organisation, start, end), until)
    median = _median_days_to_feedback(organisation, start, min(end, until))
    loops = engagements.aggregate(
        overdue=Count("id", filter=Q(created_at__lt=until, feedback_due_on__lt=as_of)
                      & ~Q(loop_state=LoopState.CLOSED, loop_closed_at__lt=until)),
        closed=Count("id", filter=Q(loop_state=LoopState.CLOSED, loop_closed_at__gte=start,
                                    loop_closed_at__lt=min(end, until))),
    )

    # Promises of a next step due in the period (up to today while it runs) and not done by their date: kept late
    # since or not yet, they count in the period they were broken in, whenever it is counted.
    broken_promises = (Promise.objects.for_organisation(organisation).standing()
                       .broken_between(period.start, min(period.end + datetime.timedelta(days=1), today)).count())

    seen = Capability.ENGAGEMENTS_VIEW
    overdue_url = _engagements_url(overdue="on")
    figures = [
        Figure(key="engagements_held", label=_("Engagements held"), value=held_total, better=UP,
               url=_engagements_url(), capability=seen),
        Figure(key="inputs_recorded", label=_("Inputs recorded"), value=funnel["inputs"], better=UP,
               url=_engagements_url(), capability=seen),
        Figure(key="share_decided", label=_("Inputs with a decision by the end of the period"),
               value=share(funnel["decided"], funnel["inputs"]), unit=PERCENT, better=UP,
               url=reverse("engagements:queue"), capability=Capability.DECISIONS_QUEUE),
        Figure(key="share_closed", label=_("Inputs whose speaker was told the decision by the end of the period"),
               value=share(funnel["closed"], funnel["inputs"]), unit=PERCENT, better=UP),
        Figure(key="median_days_to_feedback", label=_("Median days from an engagement's end to first feedback"),
               value=median, unit=DAYS, better=DOWN),
        Figure(key="loops_closed", label=_("Loops closed"), value=loops["closed"], better=UP,
               url=_engagements_url(loop_state=LoopState.CLOSED), capability=seen),
        Figure(key="loops_overdue", label=_("Loops overdue at the end of the period"), value=loops["overdue"],
               better=DOWN, url=overdue_url, capability=seen),
        Figure(key="promises_broken", label=_("Broken promises: next steps promised by a date in the period and "
                                              "not done by it"),
               value=broken_promises, better=DOWN, url=reverse("core:home"), capability=Capability.DASHBOARD_VIEW),
    ]

    findings = []
    if not held_total and not funnel["inputs"]:
        findings.append(Finding(
            text=_("No engagement was held and no input recorded in %(period)s.") % {"period": label},
            url=_engagements_url(), capability=seen, severity=MISSING))
    if loops["overdue"]:
        findings.append(Finding(
            text=ngettext(
                "%(n)s engagement was past its feedback date on %(date)s without every participant told what "
                "became of their input.",
                "%(n)s engagements were past their feedback date on %(date)s without every participant told what "
                "became of their input.",
                loops["overdue"]) % {"n": loops["overdue"], "date": on},
            url=overdue_url, capability=seen))
    if broken_promises:
        findings.append(Finding(
            text=ngettext(
                "%(n)s input was kept under consideration with a next step promised by a date in %(period)s, and "
                "no decision came by that date.",
                "%(n)s inputs were kept under consideration with a next step promised by a date in %(period)s, and "
                "no decision came by that date.",
                broken_promises) % {"n": broken_promises, "period": label},
            url=reverse("core:home"), capability=Capability.DASHBOARD_VIEW))

    if not held_total and not funnel["inputs"]:
        reading = _("Nothing to show for %(period)s: no engagement was held and no input recorded.") % {
            "period": label}
    else:
        reading = _("%(engagements)s and %(inputs)s in %(period)s") % {
            "engagements": ngettext("%(n)s engagement held", "%(n)s engagements held", held_total) % {
                "n": held_total},
            "inputs": ngettext("%(n)s input recorded", "%(n)s inputs recorded", funnel["inputs"]) % {
                "n": funnel["inputs"]},
            "period": label}
        if funnel["inputs"]:
            reading += _("; %(share)s %% decided by %(date)s") % {
                "share": share(funnel["decided"], funnel["inputs"]), "date": on}
        if median is not None:
            reading += _("; first feedback a median %(days)s days after an engagement ended") % {
                "days": formats.number_format(median)}
        reading += ngettext("; %(n)s loop overdue.", "; %(n)s loops overdue.", loops["overdue"]) % {
            "n": loops["overdue"]}
    status = (MISSING if any(f.severity == MISSING for f in findings)
              else ATTENTION if findings else OK)

    tables = [
        Table(key="engagements_by_phase", title=_("Engagements by due diligence phase"),
              headings=[_("Phase"), _("Engagements")],
              rows=[[str(name), by_phase[code]] for code, name in Phase.choices],
              note=_("An engagement serving several phases counts in each.")),
        Table(key="engagements_by_type", title=_("Engagements by type"), headings=[_("Type"), _("Engagements")],
              rows=[[str(name), by_type[code], link(_engagements_url(type=code), seen)]
                    for code, name in EngagementType.choices]),
    ]
    # No links on the steps: a chart carries no capability, and the figures above link where the viewer may go.
    steps = [(_("Inputs recorded"), funnel["inputs"]), (_("Decided"), funnel["decided"]),
             (_("Reported to the speaker"), funnel["reported"]), (_("Loop closed"), funnel["closed"])]
    charts = [
        ChartData(
            kind="funnel", key="loop_funnel", title=_("From input to loop closure"),
            description=_("Inputs recorded in %(period)s and how far each had come by %(date)s: decided, reported "
                          "to the person who gave it, and told the newest decision.") % {"period": label, "date": on},
            data={"steps": [{"label": text, "value": value, "url": ""} for text, value in steps]},
        ),
        ChartData(
            kind="timeline", key="engagement_load", title=_("Engagement load over time"),
            description=_("Engagements started per quarter, by due diligence phase (one serving several phases "
                          "counts in each), up to %(date)s.") % {"date": on},
            data={"periods": [q.label for q in quarters],
                  "series": [{"label": str(name),
                              "values": [per_quarter[(q.year, q.quarter, code)] for q in quarters]}
                             for code, name in Phase.choices],
                  "value_heading": _("Engagements")},
        ),
    ]
    return Evidence(source=MECHANISMS, question=Question.MECHANISMS,
                    title=_("Engagements and closing the loop"), status=status, reading=reading, figures=figures,
                    findings=findings, tables=tables, charts=charts)


def _loop_funnel(inputs, until: datetime.datetime) -> dict[str, int]:
    """How far the inputs had come by `until`: decided, reported to their speaker, loop closed; in one query.

    Decided: a decision before `until`. Reported: a report delivered to the speaker before `until` that covers
    decisions up to the input's first one at least (a report covers every decision its participant had when it
    was written). Closed: one that covers the newest decision made before `until`, the rule engagements.loops
    applies to a participant. The input's current decision answers for most inputs (when it came before `until`
    it is the newest then, and no earlier than the first); the revisions are looked up only for the others.
    """
    stages = funnel_stages(until)
    return inputs.aggregate(inputs=Count("id"), **{name: Count("id", filter=condition)
                                                   for name, condition in stages.items()})


def funnel_stages(until: datetime.datetime) -> dict[str, Q]:
    """The conditions an input meets once decided, reported and closed by `until` (see _loop_funnel): filters for
    a count over inputs, shared with the open data's loop table (public_data.py), which counts them per quarter."""
    told = FeedbackReport.objects.filter(participation=OuterRef("speaker_id"), delivered_at__lt=until,
                                         status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED])
    first = Decision.objects.filter(input=OuterRef(OuterRef("pk")), revision=1).values("decided_at")[:1]
    newest = (Decision.objects.filter(input=OuterRef(OuterRef("pk")), decided_at__lt=until).order_by("-revision")
              .values("decided_at")[:1])
    current_before = Q(decided_at__lt=until)
    told_current = Q(Exists(told.filter(covers_decisions_until__gte=OuterRef("decided_at"))))
    decided = current_before | Q(Exists(Decision.objects.filter(input=OuterRef("pk"), decided_at__lt=until)))
    reported = told_current | Q(Exists(told.filter(covers_decisions_until__gte=Subquery(first))))
    closed = ((current_before & told_current)
              | (Q(decided_at__gte=until) & Q(Exists(told.filter(covers_decisions_until__gte=Subquery(newest))))))
    return {"decided": decided, "reported": decided & reported, "closed": closed}


def _median_days_to_feedback(organisation, start: datetime.datetime, end: datetime.datetime) -> int | float | None:
    """The median days from an engagement's end to a participant's first report, over first reports delivered in
    [start, end); read as a histogram of days (a few hundred rows), not one row per report.

    Reached through the participants told since `start` (their stored last_feedback_at, on narrow rows): reading
    every first report's date instead means reading past its sealed body, three times as long at 200,000 reports.
    """
    told = Participation.objects.filter(engagement__in=Engagement.objects.for_organisation(organisation).values("pk"),
                                        last_feedback_at__gte=start).values("pk")
    counts = list(FeedbackReport.objects.filter(participation__in=told, is_first=True, days_to_feedback__isnull=False,
                                                delivered_at__gte=start, delivered_at__lt=end)
                  .order_by("days_to_feedback").values_list("days_to_feedback").annotate(n=Count("id")))
    total = sum(n for _days, n in counts)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    values, seen = [], 0
    for days, n in counts:
        values += [days for position in middle if seen <= position < seen + n]
        seen += n
    median = sum(values) / 2
    return int(median) if median.is_integer() else median
