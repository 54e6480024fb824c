"""What the risk register tells the board (O1): question 3, the board's own oversight of its risks and decisions,
and question 5, whether monitoring and review keep up.

Aggregates, risk titles and links only: risks carry no personal data (every role that sees the board view may
see the register). Stocks are read as of the period's last day where the register keeps the dates to do so (a
risk's creation and closing, a review's date, a flag's raising and answer); who owns a risk and its next review
date are today's, since the register keeps their history only as change records.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rightsloop.accounts.roles import Capability
from rightsloop.core.evidence import (
    ATTENTION,
    DOWN,
    MISSING,
    OK,
    UP,
    ChartData,
    Evidence,
    Figure,
    Finding,
    Question,
    Table,
    share,
)

from . import scales
from .models import (
    BoardReview,
    DecisionCondition,
    DecisionSignOff,
    Mitigation,
    MitigationAssessment,
    ReassessmentFlag,
    Risk,
    StrategicDecision,
)
from .vocabulary import ACTING, DecisionStatus, Effectiveness, MitigationStatus, OwnerLevel, SignOffVerdict

# A board-level risk the board has not looked at for longer than this is flagged.
REVIEW_STALE_DAYS = 365


def _open_on(organisation, end: datetime.datetime):
    """Risks that existed and were open at `end` (exclusive bound of the period)."""
    return (Risk.objects.filter(organisation=organisation, created_at__lt=end)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end)))


def board_oversight(organisation, period, today: datetime.date) -> Evidence:
    """Question 3: board-level risks and when the board last reviewed each; decisions awaiting the board."""
    start, end = period.bounds()
    as_of = period.as_of(today)
    board_risks = list(_open_on(organisation, end).filter(owner_level=OwnerLevel.BOARD)
                       .annotate(last_review=Max("board_reviews__reviewed_on",
                                                 filter=Q(board_reviews__reviewed_on__lte=as_of)))
                       .order_by("-priority", "id").values("id", "title", "severity", "last_review"))
    stale_before = as_of - datetime.timedelta(days=REVIEW_STALE_DAYS)
    never = [risk for risk in board_risks if risk["last_review"] is None]
    stale = [risk for risk in board_risks if risk["last_review"] is not None and risk["last_review"] < stale_before]
    reviews = BoardReview.objects.filter(organisation=organisation, reviewed_on__gte=period.start,
                                         reviewed_on__lte=period.end).count()
    sign_offs = dict(DecisionSignOff.objects.filter(organisation=organisation, at__gte=start, at__lt=end)
                     .values_list("verdict").annotate(n=Count("id")).order_by())
    running = period.is_running(today)
    awaiting = list(StrategicDecision.objects.filter(organisation=organisation).awaiting_board()
                    .order_by("updated_at").values("id", "title")) if running else []
    # G2: market entries and high-risk sales let go ahead before local voices were heard, with the reason given.
    overridden = list(StrategicDecision.objects.filter(
        organisation=organisation, local_voices_overridden_at__gte=start, local_voices_overridden_at__lt=end)
        .order_by("local_voices_overridden_at", "id")
        .values("id", "title", "local_voices_override_reason", "local_voices_overridden_at"))
    register = reverse("risks:register")
    decisions = reverse("risks:decisions")

    evidence = Evidence(source="risks.board", question=Question.BOARD_ENGAGED, title=_("Risks and decisions"))
    evidence.figures = [
        Figure("board_level_risks", _("Risks owned at board level"), len(board_risks),
               url=f"{register}?level={OwnerLevel.BOARD}", capability=Capability.RISKS_VIEW),
        Figure("board_reviews", _("Board reviews of risks recorded in the period"), reviews, better=UP),
        Figure("board_risks_unreviewed", _("Board-level risks not reviewed in the last twelve months"),
               len(never) + len(stale), better=DOWN),
        Figure("sign_offs", _("Strategic decisions signed off by the board in the period"),
               sign_offs.get(SignOffVerdict.SIGNED, 0)),
        Figure("sign_offs_declined", _("Strategic decisions the board declined and sent back"),
               sign_offs.get(SignOffVerdict.DECLINED, 0)),
        Figure("awaiting_board", _("Strategic decisions awaiting the board's sign-off"),
               len(awaiting) if running else None, better=DOWN,
               url=f"{decisions}?status={DecisionStatus.AWAITING_BOARD}", capability=Capability.RISKS_VIEW),
        Figure("local_voices_overridden", _("Market entries and high-risk sales let go ahead before local voices "
                                            "were heard"), len(overridden), better=DOWN),
    ]
    if overridden:
        evidence.tables.append(Table(
            key="local-voices-overridden", title=_("Decisions taken before local voices were heard"),
            headings=[_("Decision"), _("Overridden on"), _("Reason given")],
            rows=[[row["title"], row["local_voices_overridden_at"].date().isoformat(),
                   row["local_voices_override_reason"],
                   {"url": reverse("risks:decision-detail", args=[row["id"]]), "capability": Capability.RISKS_VIEW}]
                  for row in overridden]))
        for row in overridden:
            evidence.findings.append(Finding(
                _("“%(title)s” was let go ahead before local voices from its markets were heard: %(reason)s")
                % {"title": row["title"], "reason": row["local_voices_override_reason"]},
                url=reverse("risks:decision-detail", args=[row["id"]]) + "#local-voices",
                capability=Capability.RISKS_VIEW))
    evidence.tables.append(Table(
        key="board-risks", title=_("Risks owned at board level"),
        headings=[_("Risk"), _("Severity"), _("Last reviewed by the board")],
        rows=[[risk["title"], risk["severity"], risk["last_review"].isoformat() if risk["last_review"] else _("never"),
               {"url": reverse("risks:detail", args=[risk["id"]]), "capability": Capability.RISKS_VIEW}]
              for risk in board_risks],
        note=_("Severity runs from 3 to 15; %(severe)s and above is severe.") % {"severe": scales.SEVERE}))
    for risk in never:
        evidence.findings.append(Finding(
            _("“%(title)s” is owned at board level and the board has never reviewed it.") % {"title": risk["title"]},
            url=reverse("risks:detail", args=[risk["id"]]) + "#board-reviews", capability=Capability.RISKS_VIEW,
            severity=MISSING))
    for risk in stale:
        evidence.findings.append(Finding(
            _("“%(title)s”: last reviewed by the board on %(date)s, more than a year ago.")
            % {"title": risk["title"], "date": risk["last_review"].isoformat()},
            url=reverse("risks:detail", args=[risk["id"]]) + "#board-reviews", capability=Capability.RISKS_VIEW))
    for decision in awaiting:
        evidence.findings.append(Finding(
            _("“%(title)s” awaits the board's sign-off.") % {"title": decision["title"]},
            url=reverse("risks:decision-detail", args=[decision["id"]]), capability=Capability.RISKS_VIEW))

    if never:
        evidence.status = MISSING
    elif stale or awaiting or overridden:
        evidence.status = ATTENTION
    if not board_risks:
        evidence.reading = _("No risk is owned at board level; %(signed)s strategic decisions were signed off.") % {
            "signed": sign_offs.get(SignOffVerdict.SIGNED, 0)}
    else:
        reviewed = len(board_risks) - len(never) - len(stale)
        evidence.reading = ngettext(
            "%(count)s risk is owned at board level; the board reviewed %(reviewed)s of them in the last twelve "
            "months.",
            "%(count)s risks are owned at board level; the board reviewed %(reviewed)s of them in the last twelve "
            "months.", len(board_risks)) % {"count": len(board_risks), "reviewed": reviewed}
    if awaiting:
        evidence.reading += " " + ngettext("%(count)s decision awaits the board's sign-off.",
                                           "%(count)s decisions await the board's sign-off.", len(awaiting)) % {
            "count": len(awaiting)}
    return evidence


def monitoring(organisation, period, today: datetime.date) -> Evidence:
    """Question 5: review dates met or overdue, mitigations overdue or flagged, and what shows they work."""
    _start, end = period.bounds()
    as_of = period.as_of(today)
    risks = _open_on(organisation, end)
    counts = risks.aggregate(open=Count("id"), overdue=Count("id", filter=Q(review_on__lt=as_of)),
                             severe=Count("id", filter=Q(severity__gte=scales.SEVERE)))
    grid = [[0] * 5 for _row in range(5)]
    for severity, likelihood, count in risks.values_list("severity", "likelihood").annotate(n=Count("id")).order_by():
        grid[5 - scales.severity_band(severity)][likelihood - 1] += count

    mitigations = Mitigation.objects.filter(organisation=organisation, created_at__lt=end,
                                            risk__in=risks.values("id"))
    mitigation_counts = mitigations.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(due_on__lt=as_of, status__in=[MitigationStatus.PLANNED,
                                                                   MitigationStatus.IN_PROGRESS])),
        acting=Count("id", filter=Q(status__in=ACTING)))
    flagged = (ReassessmentFlag.objects.filter(mitigation__organisation=organisation, raised_at__lt=end)
               .filter(Q(answered_by__isnull=True) | Q(answered_by__recorded_at__gte=end))
               .values("mitigation").distinct().count())
    judgements = dict(MitigationAssessment.objects.filter(
        mitigation__organisation=organisation, assessed_on__gte=period.start, assessed_on__lte=period.end)
        .values_list("judgement").annotate(n=Count("id")).order_by())
    assessed = sum(judgements.values())
    severe_unassessed = (mitigations.filter(risk__severity__gte=scales.SEVERE, status__in=ACTING)
                         .exclude(assessments__assessed_on__lte=as_of).count())
    conditions_overdue = DecisionCondition.objects.filter(organisation=organisation).overdue(as_of).count() \
        if period.is_running(today) else None
    register = reverse("risks:register")

    evidence = Evidence(source="risks.monitoring", question=Question.MONITORING, title=_("Risks and mitigations"))
    evidence.figures = [
        Figure("open_risks", _("Salient risks open"), counts["open"], url=register, capability=Capability.RISKS_VIEW),
        Figure("reviews_on_time", _("Risks reviewed on schedule"), share(counts["open"] - counts["overdue"],
                                                                         counts["open"]), unit="percent", better=UP),
        Figure("reviews_overdue", _("Risks past their review date"), counts["overdue"], better=DOWN,
               url=f"{register}?due_for_review=on", capability=Capability.RISKS_VIEW),
        Figure("mitigations_overdue", _("Mitigations past their due date"), mitigation_counts["overdue"],
               better=DOWN),
        Figure("mitigations_flagged", _("Mitigations flagged for reassessment by a context event"), flagged,
               better=DOWN, url=f"{register}?awaiting_reassessment=on", capability=Capability.RISKS_VIEW),
        Figure("assessments", _("Effectiveness assessments made in the period"), assessed, better=UP),
        Figure("assessed_effective", _("Assessments judging a mitigation effective"),
               share(judgements.get(Effectiveness.EFFECTIVE, 0), assessed), unit="percent", better=UP),
        Figure("severe_unassessed", _("Mitigations of severe risks never assessed"), severe_unassessed, better=DOWN),
        Figure("conditions_overdue", _("Conditions of strategic decisions overdue"), conditions_overdue,
               better=DOWN),
    ]
    evidence.charts.append(ChartData(
        kind="heat_map", key="risk-heat-map", title=_("Salient risks by severity and likelihood"),
        description=_("Open risks at the end of the period, counted by severity band and likelihood."),
        data={"grid": grid}))
    if judgements:
        evidence.charts.append(ChartData(
            kind="bars", key="effectiveness", title=_("Effectiveness assessments in the period"),
            description=_("How the mitigations assessed in the period were judged."),
            data={"rows": [{"label": str(label), "value": judgements.get(value, 0), "url": ""}
                           for value, label in Effectiveness.choices],
                  "label_heading": _("Judgement"), "value_heading": _("Assessments")}))

    if counts["overdue"]:
        evidence.findings.append(Finding(
            ngettext("%(count)s salient risk is past its review date.",
                     "%(count)s salient risks are past their review date.", counts["overdue"])
            % {"count": counts["overdue"]}, url=f"{register}?due_for_review=on", capability=Capability.RISKS_VIEW))
    if mitigation_counts["overdue"]:
        evidence.findings.append(Finding(
            ngettext("%(count)s mitigation is past its due date.", "%(count)s mitigations are past their due date.",
                     mitigation_counts["overdue"]) % {"count": mitigation_counts["overdue"]}))
    if flagged:
        evidence.findings.append(Finding(
            ngettext("%(count)s mitigation awaits reassessment after a change in context.",
                     "%(count)s mitigations await reassessment after a change in context.", flagged)
            % {"count": flagged}, url=f"{register}?awaiting_reassessment=on", capability=Capability.RISKS_VIEW))
    if severe_unassessed:
        evidence.findings.append(Finding(
            ngettext("%(count)s mitigation of a severe risk has never been assessed for effectiveness.",
                     "%(count)s mitigations of severe risks have never been assessed for effectiveness.",
                     severe_unassessed) % {"count": severe_unassessed}, severity=MISSING))
    if conditions_overdue:
        evidence.findings.append(Finding(
            ngettext("%(count)s condition of a strategic decision is overdue.",
                     "%(count)s conditions of strategic decisions are overdue.", conditions_overdue)
            % {"count": conditions_overdue}, url=reverse("risks:decisions"), capability=Capability.RISKS_VIEW))

    evidence.status = MISSING if severe_unassessed else (ATTENTION if evidence.findings else OK)
    if not counts["open"]:
        evidence.status = MISSING
        evidence.reading = _("The register holds no open salient risk at the end of the period.")
    else:
        evidence.reading = _("%(on_time)s of %(open)s open risks reviewed on schedule; %(assessed)s effectiveness "
                             "assessments in the period; %(flagged)s mitigations awaiting reassessment.") % {
            "on_time": counts["open"] - counts["overdue"], "open": counts["open"], "assessed": assessed,
            "flagged": flagged}
    return evidence
