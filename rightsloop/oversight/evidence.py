"""Question 4, the board's skills, experience and knowledge: what the record of its briefings and trainings shows.

Counts only: who spoke to the board is counted here and named only on the briefings page, through the
stakeholders app's visibility rules.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Capability, Role
from rightsloop.core.evidence import ATTENTION, DOWN, MISSING, OK, UP, ChartData, Evidence, Figure, Finding, Question

from .models import BoardBriefing, BriefingKind

# A board whose last briefing is older than this is flagged: human rights risks and the law move within a year.
STALE_DAYS = 365


def board_knowledge(organisation, period, today: datetime.date) -> Evidence:
    as_of = period.as_of(today)
    year_before = as_of - datetime.timedelta(days=STALE_DAYS)
    briefings = BoardBriefing.objects.for_organisation(organisation)
    in_period = dict(briefings.filter(held_on__gte=period.start, held_on__lte=period.end)
                     .values_list("kind").annotate(n=Count("id")).order_by())
    last = briefings.filter(held_on__lte=as_of).aggregate(last=Max("held_on"))["last"]
    board = set(Membership.objects.filter(organisation=organisation, role=Role.BOARD, is_active=True)
                .values_list("user_id", flat=True))
    recent = briefings.filter(held_on__gt=year_before, held_on__lte=as_of)
    briefed = set(recent.filter(attendees__in=board).values_list("attendees", flat=True)) if board else set()
    voices = recent.filter(stakeholders__isnull=False).values("stakeholders").distinct().count()
    url = reverse("oversight:briefings")

    evidence = Evidence(source="oversight.briefings", question=Question.SKILLS, title=_("Board briefings"))
    evidence.figures = [
        Figure("briefings", _("Briefings, trainings and sessions held in the period"), sum(in_period.values()),
               better=UP, url=url, capability=Capability.OVERSIGHT_VIEW),
        Figure("trainings", _("Of which trainings"), in_period.get(BriefingKind.TRAINING, 0), better=UP),
        Figure("board_members", _("Board members"), len(board)),
        Figure("members_briefed", _("Board members briefed or trained in the last twelve months"), len(briefed),
               better=UP),
        Figure("stakeholders_heard", _("Stakeholders who spoke to the board in the last twelve months"), voices,
               better=UP),
        Figure("days_since_briefing", _("Days since the last briefing"),
               (as_of - last).days if last else None, unit="days", better=DOWN),
    ]
    if in_period:
        evidence.charts.append(ChartData(
            kind="bars", key="briefings-by-kind", title=_("Board briefings in the period, by kind"),
            description=_("Briefings, trainings, sessions where stakeholders spoke, and field visits."),
            data={"rows": [{"label": str(label), "value": in_period.get(value, 0), "url": ""}
                           for value, label in BriefingKind.choices],
                  "label_heading": _("Kind"), "value_heading": _("Held")}))
    if last is None:
        evidence.status = MISSING
        evidence.findings.append(Finding(_("No briefing or training of the board is on record."), url=url,
                                         capability=Capability.OVERSIGHT_VIEW, severity=MISSING))
    elif last <= year_before:
        evidence.status = MISSING
        evidence.findings.append(Finding(
            _("The board's last briefing was on %(date)s, more than a year ago.") % {"date": last.isoformat()},
            url=url, capability=Capability.OVERSIGHT_VIEW, severity=MISSING))
    unbriefed = len(board - briefed)
    if unbriefed and last is not None:
        evidence.status = max(evidence.status, ATTENTION, key=[OK, ATTENTION, MISSING].index)
        evidence.findings.append(Finding(ngettext(
            "%(count)s board member attended no briefing or training in the last twelve months.",
            "%(count)s board members attended no briefing or training in the last twelve months.", unbriefed)
            % {"count": unbriefed}, url=url, capability=Capability.OVERSIGHT_VIEW))
    if not voices and last is not None:
        evidence.status = max(evidence.status, ATTENTION, key=[OK, ATTENTION, MISSING].index)
        evidence.findings.append(Finding(
            _("No stakeholder has spoken to the board directly in the last twelve months."), url=url,
            capability=Capability.OVERSIGHT_VIEW))
    if last is None:
        evidence.reading = _("The board has no briefing or training on record.")
    else:
        evidence.reading = _("Last briefing %(days)s days ago; %(briefed)s of %(board)s board members briefed or "
                             "trained in the last twelve months; %(voices)s stakeholders spoke to the board.") % {
            "days": (as_of - last).days, "briefed": len(briefed), "board": len(board), "voices": voices}
    return evidence
