"""What public consultations tell the board (O1, question 2): were people consulted, was every theme decided, and
were they told what became of what they said (C3).

Counts only: no title, question, response, theme label, rationale or address is read into the evidence. Five
aggregate queries whatever the number of responses; the responses of a period are counted on the
(import, line) index of the imports applied in it, every other figure on the consultations' own counters, their
themes and their message runs.

Which consultations a figure counts:
- "of the period": those whose dates overlap the period up to its last day (or today, while it runs);
- "closed in the period": those whose end date falls in it;
- responses: those imported in the period (a response carries no date of its own: the import's is used);
- messages: those of the sendings started in the period;
- themes and decisions are a stock: the final themes of the period's consultations, decided by its last day.
Findings list every consultation closed by the period's last day that still lacks a decision on a theme or
its public page: a loop left open stays on the board's list until it is closed.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from rightsloop.accounts.roles import Capability
from rightsloop.core.evidence import (
    ATTENTION,
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
from rightsloop.engagements.vocabulary import Outcome

from .models import (
    Consultation,
    ImportState,
    MessageRun,
    Response,
    ResponseImport,
    SendingState,
    Theme,
    ThemeDecision,
    ThemeStatus,
)

SOURCE_KEY = "consultations"
# Consultations named one by one among the findings; the rest are counted in one more.
FINDINGS_SHOWN = 5


def _day_end(day: datetime.date, start: datetime.datetime) -> datetime.datetime:
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=start.tzinfo)


def _responses_recorded(organisation, start: datetime.datetime, end: datetime.datetime) -> int:
    """Responses of the imports applied in [start, end): counted on the (import, line) index, never the rows."""
    applied = (ResponseImport.objects.filter(organisation=organisation, state=ImportState.APPLIED)
               .alias(done=Coalesce("finished_at", "created_at")).filter(done__gte=start, done__lt=end)
               .values("pk"))
    return Response.objects.filter(response_import__in=applied).count()


def _themes(consultations, end: datetime.datetime) -> dict[int, dict[str, int]]:
    """Per consultation, its themes final by `end` and how many of them had a decision by then (one query)."""
    decided = ThemeDecision.objects.filter(theme_id=OuterRef("pk"), decided_at__lt=end)
    rows = (Theme.objects.filter(consultation__in=consultations, status=ThemeStatus.FINAL, created_at__lt=end)
            .filter(Q(consultation__themes_final_at__isnull=True) | Q(consultation__themes_final_at__lt=end))
            .order_by().values("consultation_id")
            .annotate(final=Count("id"), decided=Count("id", filter=Q(Exists(decided)))))
    return {row["consultation_id"]: row for row in rows}


def _outcomes(consultations, end: datetime.datetime) -> dict[str, int]:
    """The standing decisions on the final themes at `end`, counted by outcome (the newest revision before it)."""
    newer = ThemeDecision.objects.filter(theme_id=OuterRef("theme_id"), decided_at__lt=end,
                                         revision__gt=OuterRef("revision"))
    return dict(ThemeDecision.objects.filter(theme__consultation__in=consultations, theme__status=ThemeStatus.FINAL,
                                             decided_at__lt=end).exclude(Exists(newer))
                .order_by().values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n"))


def _sendings(organisation, start: datetime.datetime, end_of_period: datetime.datetime,
              end: datetime.datetime) -> dict[int, dict[str, int]]:
    """Per consultation: messages sent and failed by the sendings started in the period, and whether a sending
    had finished by `end` (one query over the organisation's message runs)."""
    started = Q(started_at__gte=start, started_at__lt=end_of_period)
    rows = (MessageRun.objects.filter(consultation__organisation=organisation).order_by().values("consultation_id")
            .annotate(sent=Coalesce(Sum("sent", filter=started), 0), failed=Coalesce(Sum("failed", filter=started), 0),
                      done=Count("id", filter=Q(state=SendingState.DONE, finished_at__lt=end))))
    return {row["consultation_id"]: row for row in rows}


def collect(organisation, period: Period, today: datetime.date) -> Evidence:
    """Question 2: consultations run, responses heard, themes decided, outcomes published, respondents told."""
    start, end_of_period = period.bounds()
    as_of = period.as_of(today)
    end = _day_end(as_of, start)
    mine = Consultation.objects.for_organisation(organisation)
    begun = mine.filter(engagement__starts_on__lte=as_of)
    rows = list(begun.order_by("engagement__ends_on", "pk").values(
        "pk", "published", "responses_count", ends_on=F("engagement__ends_on"),
        feedback_due_on=F("engagement__feedback_due_on")))
    themes = _themes(begun, end)
    sendings = _sendings(organisation, start, end_of_period, end)
    responses = _responses_recorded(organisation, start, end_of_period)
    of_period = [row for row in rows if row["ends_on"] >= period.start]
    outcomes = _outcomes(mine.filter(pk__in=[row["pk"] for row in of_period]), end) if of_period else {}
    closed = [row for row in of_period if row["ends_on"] <= as_of]

    none = {"final": 0, "decided": 0, "sent": 0, "failed": 0, "done": 0}

    def of(row, key: str) -> int:
        return (themes if key in ("final", "decided") else sendings).get(row["pk"], none)[key]

    final = sum(of(row, "final") for row in of_period)
    decided = sum(of(row, "decided") for row in of_period)
    sent = sum(row["sent"] for row in sendings.values())
    failed = sum(row["failed"] for row in sendings.values())
    closed_published = [row for row in closed if row["published"]]
    closed_told = [row for row in closed if of(row, "done")]
    # The funnel: each step keeps the consultations that also passed the ones before it.
    funnel = [(pgettext("consultations that ended", "Closed"), closed)]
    for label, passes in ((_("Final themes"), lambda row: of(row, "final")),
                          (_("Every theme decided"), lambda row: of(row, "decided") == of(row, "final")),
                          (_("Outcome published"), lambda row: row["published"]),
                          (_("Respondents told"), lambda row: of(row, "done"))):
        funnel.append((label, [row for row in funnel[-1][1] if passes(row)]))

    listing, view = reverse("consultations:list"), Capability.CONSULTATIONS_VIEW
    figures = [
        Figure("open", _("Public consultations running in the period"), len(of_period), url=listing,
               capability=view),
        Figure("closed", _("Public consultations closed in the period"), len(closed), url=listing, capability=view),
        Figure("responses", _("Consultation responses recorded in the period"), responses, url=listing,
               capability=view),
        Figure("themes_final", _("Final themes in the period's consultations"), final, url=listing, capability=view),
        Figure("themes_decided", _("Final themes with a decision"), share(decided, final), PERCENT, UP, listing, view),
        Figure("outcome_published", _("Closed consultations whose “what we heard, what we did” page is published"),
               share(len(closed_published), len(closed)), PERCENT, UP, listing, view),
        Figure("loops_closed", _("Closed consultations whose respondents were sent the outcome"),
               share(len(closed_told), len(closed)), PERCENT, UP, listing, view),
        Figure("messages_sent", _("Loop-closure messages sent to respondents"), sent, better=UP, url=listing,
               capability=view),
        Figure("messages_failed", _("Loop-closure messages the mail server refused"), failed, url=listing,
               capability=view),
    ]

    open_loops, findings = _findings(
        [row for row in rows if row["ends_on"] <= as_of and row["responses_count"]], themes, as_of)
    if of_period:
        clauses = [ngettext("%(n)s public consultation ran", "%(n)s public consultations ran", len(of_period))
                   % {"n": len(of_period)}]
        if final:
            clauses.append(_("%(share)s of the final themes decided") % {"share": _percent(share(decided, final))})
        clauses.append(ngettext("%(n)s respondent told the outcome", "%(n)s respondents told the outcome", sent)
                       % {"n": sent})
        reading = "; ".join(clauses) + "."
    else:
        reading = _("No public consultation ran in this period.")
    if open_loops:
        reading += " " + ngettext("%(n)s closed consultation has its loop still open.",
                                  "%(n)s closed consultations have their loop still open.", open_loops) % {
            "n": open_loops}

    charts = []
    if closed:
        charts.append(ChartData("funnel", "consultation_loop", _("Closing the loop of the consultations closed"),
                                _("Of the consultations closed in the period: how many reached final themes, then a "
                                  "decision on every theme, a published outcome and the respondents' messages."),
                                {"steps": [{"label": label, "value": len(passed), "url": listing,
                                            "capability": view} for label, passed in funnel]}))
    if final:
        labels = dict(Outcome.choices)
        bars = [(str(labels[code]), outcomes.get(code, 0)) for code in Outcome.values]
        bars.append((_("Not decided yet"), final - decided))
        charts.append(ChartData("bars", "consultation_theme_decisions", _("Decisions on the consultations' themes"),
                                _("The standing decision on each final theme of the period's consultations."),
                                {"rows": [{"label": label, "value": value, "url": listing, "capability": view}
                                          for label, value in bars],
                                 "label_heading": _("Decision"), "value_heading": _("Themes")}))
    return Evidence(source=SOURCE_KEY, question=Question.MECHANISMS, title=_("Public consultations"),
                    status=ATTENTION if findings else OK, reading=reading, figures=figures,
                    findings=findings, charts=charts)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _findings(closed: list[dict], themes: dict[int, dict[str, int]], as_of: datetime.date
              ) -> tuple[int, list[Finding]]:
    """How many closed consultations with responses have their loop still open, and a finding for each, newest
    first, at most FINDINGS_SHOWN, then one counting the rest."""
    found = []
    for row in reversed(closed):
        counts = themes.get(row["pk"], {"final": 0, "decided": 0})
        gaps = []
        if not counts["final"]:
            gaps.append(_("no theme was finalised"))
        elif counts["decided"] < counts["final"]:
            gaps.append(ngettext("%(undecided)s of %(final)s theme has no decision",
                                 "%(undecided)s of %(final)s themes have no decision", counts["final"])
                        % {"undecided": counts["final"] - counts["decided"], "final": counts["final"]})
        if not row["published"]:
            gaps.append(_("what we heard and what we did is not published"))
        if gaps:
            found.append((row, gaps))
    shown = []
    for row, gaps in found[:FINDINGS_SHOWN]:
        text = _("A consultation closed on %(day)s: %(gaps)s.") % {
            "day": date_format(row["ends_on"]), "gaps": "; ".join(gaps)}
        if row["feedback_due_on"] and row["feedback_due_on"] < as_of:
            text += " " + _("Feedback was due on %(day)s.") % {"day": date_format(row["feedback_due_on"])}
        shown.append(Finding(text, reverse("consultations:decisions", args=[row["pk"]]),
                             Capability.CONSULTATIONS_VIEW))
    if len(found) > FINDINGS_SHOWN:
        rest = len(found) - FINDINGS_SHOWN
        shown.append(Finding(ngettext("%(n)s more closed consultation has its loop still open.",
                                      "%(n)s more closed consultations have their loop still open.", rest)
                             % {"n": rest}, reverse("consultations:list"), Capability.CONSULTATIONS_VIEW))
    return len(found), shown
