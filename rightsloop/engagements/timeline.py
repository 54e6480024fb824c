"""What engagements add to a stakeholder's timeline (stakeholders.timeline): invitations, inputs, decisions,
reports, and where each loop stands. Registered in apps.ready(); each part is one query.

Only what the viewer may already see elsewhere shows: engagements through visible_engagements (a remedy
dialogue only for grievance handlers), inputs through visible_inputs, reports only with the feedback view. A
proxy the viewer may not know of is never named; words recorded anonymously, or of a person whose identity is
masked or erased, are not shown on the person's own page (that page is what would tie them to the person).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.queries import hidden_from, shown_name
from rightsloop.stakeholders.timeline import Entry, Kind, Standing

from .models import Decision, FeedbackReport, Participation
from .queries import visible_engagements, visible_inputs
from .vocabulary import Attribution, DeliveryStatus

EXCERPT = 280


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _words_shown(stakeholder: Stakeholder) -> bool:
    # A protected person's page masks who they are; their own words beside it could tell it again.
    return not stakeholder.is_erased and not stakeholder.is_protected


def _participations(viewer: Viewer, stakeholder: Stakeholder):
    return (Participation.objects.filter(stakeholder=stakeholder, engagement__in=visible_engagements(viewer))
            .select_related("engagement", "via_proxy").order_by("id"))


def entries(viewer: Viewer, stakeholder: Stakeholder) -> list[Entry]:
    """Invitations, inputs, decisions and reports of one person, in four queries."""
    if not viewer.can(Capability.ENGAGEMENTS_VIEW):
        return []
    found: list[Entry] = []
    participations = list(_participations(viewer, stakeholder))
    proxies = {p.via_proxy_id for p in participations if p.via_proxy_id and p.via_proxy.is_protected}
    hidden = set(hidden_from(viewer).filter(pk__in=proxies).values_list("pk", flat=True)) if proxies else set()
    for p in participations:
        engagement = p.engagement
        if p.via_proxy_id is None:
            summary = _("Invited to %(engagement)s") % {"engagement": engagement.title}
        elif p.via_proxy_id in hidden:
            summary = _("Invited to %(engagement)s, through a proxy") % {"engagement": engagement.title}
        else:
            summary = _("Invited to %(engagement)s, through %(proxy)s") % {
                "engagement": engagement.title, "proxy": shown_name(p.via_proxy, viewer)}
        found.append(Entry(at=p.added_at, kind=Kind.INVITED, summary=summary, sequence=p.pk,
                           detail=engagement.get_type_display(), engagement_id=engagement.pk,
                           engagement_title=engagement.title, url=reverse("engagements:detail", args=[engagement.pk])))
    # Withdrawn and merged-away inputs leave letters and counts; they leave the person's history too.
    inputs = list(visible_inputs(viewer).standing().filter(speaker__stakeholder=stakeholder,
                                                engagement__in=visible_engagements(viewer))
                  .select_related("engagement", "group", "speaker__stakeholder").order_by("id"))
    words = _words_shown(stakeholder)
    quoted = {}
    for item in inputs:
        shown = words and item.attribution != Attribution.ANONYMISED
        quoted[item.pk] = shown
        if item.group_id is not None:
            summary = _("Relayed the words of %(group)s in %(engagement)s") % {
                "group": item.group.name, "engagement": item.engagement.title}
        elif shown:
            summary = _("Said in %(engagement)s") % {"engagement": item.engagement.title}
        else:
            summary = _("Gave an input in %(engagement)s, recorded anonymously") % {
                "engagement": item.engagement.title}
        found.append(Entry(at=item.recorded_at, kind=Kind.SAID, summary=summary, sequence=item.pk,
                           detail=_excerpt(item.text) if shown else "", engagement_id=item.engagement_id,
                           engagement_title=item.engagement.title,
                           url=reverse("engagements:inputs", args=[item.engagement_id])))
    titles = {item.pk: item.engagement.title for item in inputs}
    engagement_of = {item.pk: item.engagement_id for item in inputs}
    decisions = (Decision.objects.filter(input_id__in=list(quoted)).order_by("decided_at", "id")
                 .only("id", "input_id", "revision", "outcome", "rationale", "next_step", "next_step_due",
                       "decided_at"))
    for decision in decisions:
        summary = (_("Decision revised: %(outcome)s") if decision.revision > 1 else _("Decision: %(outcome)s")) % {
            "outcome": decision.get_outcome_display()}
        detail = decision.rationale if quoted[decision.input_id] else ""
        if decision.next_step_due:
            detail = " ".join(filter(None, [detail, _("Next step by %(date)s.") % {"date": decision.next_step_due}]))
        found.append(Entry(at=decision.decided_at, kind=Kind.DECIDED, summary=summary, detail=_excerpt(detail),
                           sequence=decision.pk, engagement_id=engagement_of[decision.input_id],
                           engagement_title=titles[decision.input_id],
                           url=reverse("engagements:inputs", args=[engagement_of[decision.input_id]])))
    if viewer.can(Capability.FEEDBACK_VIEW):
        reports = (FeedbackReport.objects.filter(participation__stakeholder=stakeholder,
                                                 engagement__in=visible_engagements(viewer))
                   .select_related("engagement").order_by("id")
                   .only("id", "engagement__id", "engagement__title", "participation_id", "status", "channel",
                         "created_at", "delivered_at"))
        for report in reports:
            found.append(Entry(
                at=report.delivered_at or report.created_at, kind=Kind.REPORTED, sequence=report.pk,
                summary=_("Feedback report: %(status)s") % {"status": report.get_status_display()},
                detail="" if report.status == DeliveryStatus.FAILED else report.channel,
                engagement_id=report.engagement_id, engagement_title=report.engagement.title,
                url=reverse("engagements:feedback-participant", args=[report.engagement_id, report.participation_id])))
    return found


def standing(viewer: Viewer, stakeholder: Stakeholder) -> list[Standing]:
    """Where each of the person's loops stands: nothing said yet, awaiting decisions, to be told, told, overdue."""
    if not viewer.can(Capability.ENGAGEMENTS_VIEW):
        return []
    today = timezone.localdate()
    lines = []
    for p in _participations(viewer, stakeholder):
        engagement = p.engagement
        if p.inputs_count == 0:
            state, label = "no_input", _("No input recorded")
        elif p.broken_promises:
            state, label = "promise_broken", _("Re-opened: a promised next step is overdue")
        elif p.loop_closed:
            state, label = "closed", _("Told what became of every input")
        elif p.undecided_count:
            state, label = "awaiting_decision", _("%(count)s input(s) awaiting a decision") % {
                "count": p.undecided_count}
        else:
            state, label = "ready", _("Decided, not yet told")
        overdue = p.needs_feedback and (engagement.feedback_due_on < today or p.broken_promises > 0)
        lines.append(Standing(engagement_id=engagement.pk, engagement_title=engagement.title, state=state,
                              label=label, overdue=overdue,
                              url=reverse("engagements:detail", args=[engagement.pk])))
    return lines
