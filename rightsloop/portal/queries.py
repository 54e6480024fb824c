"""What a portal session reads. Every query starts from the session's stakeholder (and so its organisation):
whatever another stakeholder or organisation holds is simply not found."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.http import Http404

from rightsloop.core.access import plausible_id
from rightsloop.engagements.models import BriefingMaterial, Engagement, FeedbackReport, Input
from rightsloop.engagements.vocabulary import Outcome
from rightsloop.stakeholders.models import ConsentRecord, Stakeholder

from .models import ErasureRequest, ErasureState, PortalLink


def _one(queryset: QuerySet, pk):
    if not plausible_id(pk):
        raise Http404
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# What became of what they said ----------------------------------------------------------------------------

def own_inputs(stakeholder: Stakeholder) -> QuerySet[Input]:
    """What the stakeholder said, as the speaker. A proxy also sees the words it relayed for groups (it was
    their channel, and is who we answer); nobody ever sees inputs a proxy gave on their behalf.

    Scoped to the organisation through the speaker's participation (its engagement's organisation), not the
    input's own `organisation_id`: without statistics (a fresh SQLite database, never ANALYZEd) SQLite
    prefers the organisation index, which in a one-organisation deployment matches every input (1.1 s at
    1,000,000 inputs); from the participations it reads only the person's own rows (under 1 ms). An input's
    organisation is its engagement's, so the scope is the same."""
    # Withdrawn and merged-away inputs are left out, as from the feedback letter (InputQuerySet.standing).
    return (Input.objects.standing()
            .filter(speaker__stakeholder=stakeholder,
                    speaker__engagement__organisation_id=stakeholder.organisation_id)
            .select_related("engagement", "current_decision", "group", "speaker__stakeholder")
            .order_by("-recorded_at", "-id"))


OPEN_OUTCOMES = ("", Outcome.UNDER_CONSIDERATION)


@dataclass(frozen=True)
class InputOutcome:
    """One input as the portal shows it: what was said and the standing decision on it."""

    input: Input
    engagement: Engagement
    said: str
    group: str
    outcome: str
    outcome_label: str
    rationale: str
    next_step: str
    next_step_due: datetime.date | None
    decided_at: datetime.datetime | None
    # When the stakeholder should hear back at the latest (the engagement's feedback date) while undecided.
    answer_due: datetime.date | None

    @property
    def is_open(self) -> bool:
        return self.outcome in OPEN_OUTCOMES


def input_outcomes(stakeholder: Stakeholder, inputs=None) -> list[InputOutcome]:
    """The portal's rows for `inputs` (one page of `own_inputs`), or for everything the stakeholder said."""
    rows = []
    for item in own_inputs(stakeholder) if inputs is None else inputs:
        decision = item.current_decision
        outcome = decision.outcome if decision else ""
        rows.append(InputOutcome(
            input=item, engagement=item.engagement, said=item.text,
            group=item.group.name if item.group_id else "",
            outcome=outcome, outcome_label=str(Outcome(outcome).label) if outcome else "",
            rationale=decision.rationale if decision else "",
            next_step=decision.next_step if decision else "",
            next_step_due=decision.next_step_due if decision else None,
            decided_at=decision.decided_at if decision else None,
            answer_due=item.engagement.feedback_due_on if outcome in OPEN_OUTCOMES else None,
        ))
    return rows


@dataclass(frozen=True)
class SaidCounts:
    said: int
    still_open: int
    # The earliest feedback date among the engagements of what is still open: when we owe an answer.
    next_answer_due: datetime.date | None


def said_counts(stakeholder: Stakeholder) -> SaidCounts:
    """One counting query over everything the stakeholder said, however long the history."""
    still_open = Q(outcome__in=OPEN_OUTCOMES)
    counts = own_inputs(stakeholder).order_by().aggregate(
        said=Count("id"), still_open=Count("id", filter=still_open),
        next_answer_due=Min("engagement__feedback_due_on", filter=still_open))
    return SaidCounts(**counts)


@dataclass(frozen=True)
class Summary:
    said: int
    still_open: int
    reports: int
    next_engagement: Engagement | None


def summary(stakeholder: Stakeholder, today: datetime.date) -> Summary:
    """The home page's figures: three counting queries and one row, whatever the history."""
    counts = own_inputs(stakeholder).order_by().aggregate(
        said=Count("id"), still_open=Count("id", filter=Q(outcome__in=OPEN_OUTCOMES)))
    return Summary(
        said=counts["said"], still_open=counts["still_open"], reports=own_reports(stakeholder).count(),
        next_engagement=upcoming_engagements(stakeholder, today).prefetch_related(None).first(),
    )


def own_reports(stakeholder: Stakeholder) -> QuerySet[FeedbackReport]:
    """Feedback reports that reached the stakeholder (sent by email or delivered another way). Scoped through
    the participation's engagement, for the reason `own_inputs` gives (289,646 reports read without it)."""
    return (FeedbackReport.objects.delivered()
            .filter(participation__stakeholder=stakeholder,
                    participation__engagement__organisation_id=stakeholder.organisation_id)
            .select_related("engagement", "participation__stakeholder")
            .order_by("-delivered_at", "-id"))


def access_report(stakeholder: Stakeholder, pk) -> FeedbackReport:
    return _one(own_reports(stakeholder), pk)


# Engagements and briefing material ------------------------------------------------------------------------

def upcoming_engagements(stakeholder: Stakeholder, today: datetime.date) -> QuerySet[Engagement]:
    """Engagements the stakeholder takes part in (in their own name) that have not ended, with briefings."""
    return (Engagement.objects.for_organisation(stakeholder.organisation_id)
            .filter(participations__stakeholder=stakeholder, ends_on__gte=today)
            .prefetch_related(Prefetch("briefings", queryset=BriefingMaterial.objects.order_by("shared_on", "id")))
            .order_by("starts_on", "id"))


def access_briefing(stakeholder: Stakeholder, engagement_pk, briefing_pk) -> BriefingMaterial:
    """Briefing material of an engagement the stakeholder takes part in; anything else is not found."""
    if not plausible_id(engagement_pk):
        raise Http404
    briefings = BriefingMaterial.objects.filter(
        engagement_id=engagement_pk, engagement__organisation_id=stakeholder.organisation_id,
        engagement__participations__stakeholder=stakeholder)
    return _one(briefings, briefing_pk)


# Details, consent, erasure --------------------------------------------------------------------------------

def current_consents(stakeholder: Stakeholder) -> QuerySet[ConsentRecord]:
    return stakeholder.consents.current().order_by("-given_on", "-id")


def access_consent(stakeholder: Stakeholder, pk) -> ConsentRecord:
    return _one(current_consents(stakeholder), pk)


def erasure_request(stakeholder: Stakeholder) -> ErasureRequest | None:
    """The newest erasure request of the stakeholder, pending or answered."""
    return ErasureRequest.objects.filter(stakeholder=stakeholder).order_by("-requested_at", "-id").first()


# Staff side ---------------------------------------------------------------------------------------------

def links_of(stakeholder: Stakeholder) -> QuerySet[PortalLink]:
    return (PortalLink.objects.for_organisation(stakeholder.organisation_id).filter(stakeholder=stakeholder)
            .select_related("issued_by", "revoked_by").order_by("-issued_at", "-id"))


def access_link(viewer, pk, *, visible) -> PortalLink:
    """A link of the viewer's organisation for a stakeholder they may see (`visible`); else not found."""
    links = (PortalLink.objects.for_organisation(viewer.organisation)
             .filter(stakeholder__in=visible).select_related("stakeholder", "organisation"))
    return _one(links, pk)


def pending_erasure_requests(viewer, *, visible) -> QuerySet[ErasureRequest]:
    return (ErasureRequest.objects.for_organisation(viewer.organisation)
            .filter(state=ErasureState.PENDING, stakeholder__in=visible)
            .select_related("stakeholder").order_by("requested_at", "id"))


def access_erasure_request(viewer, pk, *, visible) -> ErasureRequest:
    requests = (ErasureRequest.objects.for_organisation(viewer.organisation).filter(stakeholder__in=visible)
                .select_related("stakeholder"))
    return _one(requests, pk)
