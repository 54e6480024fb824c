"""Build the feedback report for one participant from the decisions on their inputs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from rightsloop.core.languages import report_language

from .models import Input, Participation
from .vocabulary import Outcome


@dataclass(frozen=True)
class ReportItem:
    said: str
    # The affected group the addressee relayed these words for; empty for their own words.
    group: str
    outcome: str
    outcome_label: str
    rationale: str
    next_step: str
    next_step_due: datetime.date | None


@dataclass
class ReportContent:
    language: str
    subject: str
    body: str
    heard: list[ReportItem] = field(default_factory=list)
    done: list[ReportItem] = field(default_factory=list)
    not_done: list[ReportItem] = field(default_factory=list)
    partly_done: list[ReportItem] = field(default_factory=list)
    still_open: list[ReportItem] = field(default_factory=list)
    covers_decisions_until: datetime.datetime | None = None
    # The groups whose words the addressee, a proxy, relayed: the report is theirs to pass on.
    relayed_for: list[str] = field(default_factory=list)


def language_for(participation: Participation) -> str:
    stakeholder = participation.stakeholder
    preferred = [stakeholder.preferred_language, *stakeholder.languages]
    return report_language([code for code in preferred if code], participation.engagement.organisation.default_language)


def build_report(
    participation: Participation, *, language: str | None = None, addressee: str | None = None
) -> ReportContent:
    """Assemble what we heard, what we did or did not do and why, and what is still open.

    A proxy's report also covers what it relayed for affected groups, and asks it to pass that part on.

    `addressee` replaces the greeting's name in previews for viewers who see the person by pseudonym.
    """
    engagement = participation.engagement
    language = language or language_for(participation)
    inputs = list(
        Input.objects.standing().filter(speaker=participation)
        .select_related("current_decision", "speaker__stakeholder", "group")
        .order_by("recorded_at", "id")
    )
    with translation.override(language):
        items = []
        for item in inputs:
            decision = item.current_decision
            outcome = decision.outcome if decision else ""
            items.append(ReportItem(
                said=item.text,
                group=item.group.name if item.group_id else "",
                outcome=outcome,
                outcome_label=str(Outcome(outcome).label) if outcome else _("Not yet decided"),
                rationale=decision.rationale if decision else "",
                next_step=decision.next_step if decision else "",
                next_step_due=decision.next_step_due if decision else None,
            ))
        content = ReportContent(
            language=language,
            subject=_("What became of your input: %(title)s") % {"title": engagement.title},
            body="",
            heard=items,
            done=[i for i in items if i.outcome in (Outcome.ADOPTED, Outcome.PARTLY_ADOPTED)],
            not_done=[i for i in items if i.outcome == Outcome.NOT_ADOPTED],
            partly_done=[i for i in items if i.outcome == Outcome.PARTLY_ADOPTED],
            still_open=[i for i in items if i.outcome in ("", Outcome.UNDER_CONSIDERATION)],
            covers_decisions_until=max(
                (i.decided_at for i in inputs if i.decided_at), default=None
            ),
            relayed_for=sorted({i.group for i in items if i.group}),
        )
        content.body = render_to_string(
            "engagements/feedback/report.txt",
            {
                "engagement": engagement,
                "organisation": engagement.organisation,
                "addressee": addressee or participation.stakeholder.name,
                "report": content,
            },
        )
    return content
