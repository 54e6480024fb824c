"""Reads of engagements, inputs and loops, scoped to what the viewer may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id
from rightsloop.risks.models import RiskMarket
from rightsloop.stakeholders.models import AffectedGroup, Representation, Stakeholder
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.queries import hidden_from, shown_name, visible_stakeholders
from rightsloop.stakeholders.vocabulary import Kind, SafetyLevel

from .loops import engagement_loop_state
from .models import BriefingMaterial, Decision, Engagement, FeedbackReport, Input, Participation, Tag
from .promises import Promise
from .representation import Heard, who_was_heard
from .vocabulary import Attribution, EngagementType, LoopState


def visible_engagements(viewer: Viewer) -> QuerySet[Engagement]:
    if not viewer.can(Capability.ENGAGEMENTS_VIEW):
        return Engagement.objects.none()
    engagements = Engagement.objects.for_organisation(viewer.organisation)
    if not viewer.can(Capability.GRIEVANCES_HANDLE):
        # A remedy dialogue holds what the people of a grievance proposed: case content, for its handlers only.
        engagements = engagements.exclude(type=EngagementType.REMEDY_DIALOGUE)
    return engagements


def access_engagement(viewer: Viewer, pk: int) -> Engagement:
    """The engagement if the viewer may see it; 'not found' for missing and not-yours alike."""
    if not plausible_id(pk):
        raise Http404
    try:
        return visible_engagements(viewer).select_related("owner", "organisation").get(pk=pk)
    except (Engagement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_inputs(viewer: Viewer) -> QuerySet[Input]:
    inputs = Input.objects.for_organisation(viewer.organisation)
    if not viewer.can(Capability.GRIEVANCES_HANDLE):
        inputs = inputs.exclude(engagement__type=EngagementType.REMEDY_DIALOGUE)
    if viewer.can(Capability.ENGAGEMENTS_VIEW):
        return inputs
    if viewer.can(Capability.DECISIONS_QUEUE) and viewer.function:
        return inputs.routed_to(viewer.function)
    return Input.objects.none()


def access_input(viewer: Viewer, pk: int) -> Input:
    if not plausible_id(pk):
        raise Http404
    try:
        return visible_inputs(viewer).select_related(
            "engagement", "speaker__stakeholder", "speaker__via_proxy", "group", "current_decision"
        ).get(pk=pk)
    except (Input.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_participation(viewer: Viewer, engagement: Engagement, pk: int) -> Participation:
    """A participation the viewer may see: a protected person's is 'not found' without a grant on them."""
    if not plausible_id(pk):
        raise Http404
    try:
        return engagement.participations.exclude(stakeholder__in=hidden_from(viewer)).select_related(
            "stakeholder", "via_proxy", "engagement__organisation"
        ).prefetch_related("stakeholder__traits", "speaks_for").get(pk=pk)
    except (Participation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_briefing(viewer: Viewer, engagement: Engagement, pk: int) -> BriefingMaterial:
    """Briefing material of an engagement the viewer already reached through access_engagement."""
    if not plausible_id(pk):
        raise Http404
    try:
        return engagement.briefings.get(pk=pk)
    except (BriefingMaterial.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class EngagementFilters:
    q: str = ""
    type: str = ""
    loop_state: str = ""
    overdue: bool = False
    cancelled: bool = False

    def apply(self, queryset: QuerySet[Engagement], today: datetime.date,
              hidden: QuerySet[Stakeholder] | None = None) -> QuerySet[Engagement]:
        """hidden: people the viewer may not know of; loop states are filtered as that viewer sees them."""
        if self.q:
            queryset = queryset.filter(title__icontains=self.q.strip())
        if self.type:
            queryset = queryset.filter(type=self.type)
        if self.loop_state == LoopState.CLOSED:
            queryset = queryset.loop_closed(hidden)
        elif self.loop_state == LoopState.OPEN:
            queryset = queryset.loop_open(hidden)
        elif self.loop_state:
            queryset = queryset.filter(loop_state=self.loop_state)
        if self.overdue:
            queryset = queryset.overdue(today, hidden)
        return queryset


def engagement_list(viewer: Viewer, filters: EngagementFilters, today: datetime.date) -> QuerySet[Engagement]:
    """Engagements for a list; show their rows through leave_out_hidden_people (states and counts as seen)."""
    engagements = visible_engagements(viewer)
    # A cancelled engagement stays viewable, but lists show it only when asked for.
    engagements = engagements.cancelled() if filters.cancelled else engagements.active()
    return filters.apply(engagements, today, hidden_from(viewer)).select_related(
        "owner").order_by("-starts_on", "-id")


def engagement_inputs(engagement: Engagement, *, group: int | None = None,
                      relayed: bool | None = None, mended: bool = False) -> QuerySet[Input]:
    """Inputs of one engagement with everything a row shows, in a fixed number of queries.

    group: only what that affected group said through a proxy; relayed: only (True) or no (False) relayed inputs;
    mended: the withdrawn and merged-away inputs instead of those that stand.
    """
    inputs = engagement.inputs.exclude(pk__in=engagement.inputs.standing()) if mended else engagement.inputs.standing()
    if group is not None:
        inputs = inputs.filter(group_id=group)
    if relayed is not None:
        inputs = inputs.filter(group__isnull=not relayed)
    return (
        inputs.select_related("speaker__stakeholder", "speaker__via_proxy", "group",
                              "current_decision__decided_by")
        .prefetch_related("tags")
        .order_by("-recorded_at", "-id")
    )


def groups_heard(engagement: Engagement) -> QuerySet[AffectedGroup]:
    """The affected groups heard through a proxy in this engagement (for the inputs filter)."""
    return AffectedGroup.objects.filter(pk__in=engagement.inputs.filter(group__isnull=False).values("group_id"))


def participations(engagement: Engagement, viewer: Viewer) -> QuerySet[Participation]:
    """The participants this viewer may know of: protected people without a grant on them are left out."""
    return engagement.participations.exclude(stakeholder__in=hidden_from(viewer)).select_related(
        "stakeholder", "via_proxy").prefetch_related(
        "stakeholder__traits", "speaks_for"
    ).order_by("id")


def speaker_choices(engagement: Engagement, viewer: Viewer) -> list[tuple[int, Stakeholder, Stakeholder | None]]:
    """(participation id, stakeholder, proxy or None) for the "who said it" list, in name order.

    Reads only the columns shown_name() needs (the sealed name, its key, the safety level): for a
    consultation with 200 participants that is a third of the time of full rows with their traits.
    People at risk who take part through a proxy are left out: what the proxy relays for them is recorded
    for the group it speaks for (relay_choices), never against them.
    """
    person = ("id", "organisation_id", "uid", "sealed_key", "name_sealed", "safety_level", "erased_at", "kind")
    rows = list(
        engagement.participations.exclude(stakeholder__in=hidden_from(viewer))
        .exclude(via_proxy__isnull=False, stakeholder__safety_level__in=[SafetyLevel.ELEVATED, SafetyLevel.HIGH])
        .select_related("stakeholder", "via_proxy")
        .only("id", "engagement_id", "stakeholder_id", "via_proxy_id", *(f"stakeholder__{f}" for f in person),
              *(f"via_proxy__{f}" for f in person))
    )
    rows.sort(key=lambda p: (p.stakeholder.name.casefold(), p.pk))
    return [(p.pk, p.stakeholder, p.via_proxy) for p in rows]


def relay_choices(speakers: list[tuple[int, Stakeholder, Stakeholder | None]]) -> list[tuple[int, Representation]]:
    """(proxy's participation id, representation) for every group a participating proxy may relay, in one query."""
    proxies = {stakeholder.pk: pk for pk, stakeholder, via in speakers
               if stakeholder.kind == Kind.PROXY and via is None}
    if not proxies:
        return []
    represented = Representation.objects.current().filter(proxy_id__in=proxies).select_related("group").order_by(
        "group__name", "id")
    return [(proxies[r.proxy_id], r) for r in represented]


def decision_history(input: Input) -> QuerySet[Decision]:
    return input.decisions.select_related("decided_by").order_by("-revision")


def decision_queue(viewer: Viewer, *, awaiting: bool = True) -> QuerySet[Input]:
    """Inputs the viewer is to decide: routed to their function, or every routed input for the human rights team."""
    inputs = visible_inputs(viewer).standing().exclude(owning_function="")
    if viewer.is_decision_maker:
        inputs = inputs.routed_to(viewer.function)
    inputs = inputs.awaiting_decision() if awaiting else inputs.decided()
    return inputs.select_related("engagement", "speaker__stakeholder", "speaker__via_proxy", "group",
                                 "current_decision").prefetch_related(
        "tags"
    ).order_by("engagement__feedback_due_on", "recorded_at", "id")


TAG_SUGGESTIONS = 500


def tag_suggestions(organisation) -> list[str]:
    """The organisation's themes, offered while tagging an input (a <datalist>), so one theme keeps one name."""
    return list(Tag.objects.for_organisation(organisation).order_by("name").values_list("name", flat=True)
                [:TAG_SUGGESTIONS])


# How many of the register's newest people the engagement form offers to invite at once; anyone else is found
# with the search on the engagement's page.
PARTICIPANT_CHOICES = 300


def participant_choices(viewer: Viewer, engagement: Engagement | None = None) -> list[tuple[int, str]]:
    """(id, "name, country") of people the viewer may invite several at a time, in name order.

    Only people the viewer may see, not erased, not already taking part, and never anyone at high risk: they take
    part through a proxy or an audited override, decided one by one, and their names stay off long lists.
    """
    people = (visible_stakeholders(viewer).filter(erased_at__isnull=True)
              .exclude(safety_level=SafetyLevel.HIGH).order_by("-created_at", "-id"))
    if engagement is not None:
        people = people.exclude(pk__in=engagement.participations.values("stakeholder_id"))
    chosen = list(people[:PARTICIPANT_CHOICES])
    labelled = [(s.pk, f"{s.name} ({s.country})" if s.country else s.name) for s in chosen]
    return sorted(labelled, key=lambda choice: choice[1].casefold())


def next_to_decide(viewer: Viewer, after: Input) -> Input | None:
    """The undecided input that follows `after` in the viewer's queue (in its order), else the first one left."""
    queue = decision_queue(viewer, awaiting=True).exclude(pk=after.pk)
    due = after.engagement.feedback_due_on
    later = (Q(engagement__feedback_due_on__gt=due)
             | Q(engagement__feedback_due_on=due, recorded_at__gt=after.recorded_at)
             | Q(engagement__feedback_due_on=due, recorded_at=after.recorded_at, pk__gt=after.pk))
    return queue.filter(later).first() or queue.first()


def is_hidden(stakeholder: Stakeholder, viewer: Viewer) -> bool:
    """A protected person on whom this viewer holds no grant (one query, for protected people only)."""
    return stakeholder.safety_level == SafetyLevel.HIGH and hidden_from(viewer).filter(pk=stakeholder.pk).exists()


def hidden_speaker(input: Input, viewer: Viewer) -> bool:
    return input.speaker_id is not None and is_hidden(input.speaker.stakeholder, viewer)


def proxy_label(input: Input, viewer: Viewer) -> str | None:
    """The proxy who relayed a group's words, as this viewer may see it; None where it must not be named.

    The proxy's identity follows the proxy's own safety level and consent, as its own words would.
    """
    proxy = input.speaker.stakeholder
    if input.attribution == Attribution.ANONYMISED or is_hidden(proxy, viewer):
        return None
    return pseudonym(proxy.pk) if proxy.is_protected else shown_name(proxy, viewer)


def speaker_label(input: Input, viewer: Viewer) -> str:
    """Who said it, as this viewer may see it: anonymised inputs never name the speaker.

    Words a protected person gave through a proxy show, to a viewer without a grant on them, as the proxy's:
    no pseudonym, kind or hint that someone else spoke. A group's words relayed by a proxy show as
    "<group>, through <proxy>".
    """
    if input.speaker_id is None:
        return _("Participant not recorded")
    if input.group_id is not None:
        proxy = proxy_label(input, viewer)
        if proxy is None:
            return _("%(group)s, through a proxy") % {"group": input.group.name}
        return _("%(group)s, through %(proxy)s") % {"group": input.group.name, "proxy": proxy}
    stakeholder = input.speaker.stakeholder
    if is_hidden(stakeholder, viewer):
        proxy = input.speaker.via_proxy
        if proxy is None or is_hidden(proxy, viewer):
            return _("Participant not recorded")
        return shown_name(proxy, viewer)
    if input.attribution == Attribution.ANONYMISED:
        return _("Anonymised participant (%(kind)s)") % {"kind": stakeholder.get_kind_display()}
    if stakeholder.is_protected:
        return pseudonym(stakeholder.pk)
    return shown_name(stakeholder, viewer)


def leave_out_hidden_people(engagements: list[Engagement], viewer: Viewer | None = None, *,
                            hidden_people: QuerySet[Stakeholder] | None = None) -> list[Engagement]:
    """Take the protected people this viewer may not know of out of each engagement's stored counts and state.

    The counts are kept per engagement for everyone; shown as they are, "1 / 2 told" beside a list of one
    would tell that someone is missing, and so would a loop left "open" by someone the list leaves out. The
    loop state is derived again from the remaining participants' stored states (inputs stay: they show,
    unattributed or as a proxy's words); a loop closed only for this viewer is dated when its last decision
    or report it counts was made. Changes the instances in memory only, in one query (two if a loop is
    closed only for this viewer). hidden_people: instead of a viewer, whom to leave out
    (stakeholders.queries.hidden_from_member).
    """
    if not engagements:
        return engagements
    hidden_people = hidden_from(viewer) if viewer else hidden_people
    hidden = (Participation.objects.filter(engagement__in=[e.pk for e in engagements], stakeholder__in=hidden_people)
              .values("engagement_id").order_by()
              .annotate(with_inputs=Count("id", filter=Q(inputs_count__gt=0)),
                        closed=Count("id", filter=Q(loop_closed=True))))
    less = {row["engagement_id"]: row for row in hidden}
    closed_here = []
    for engagement in engagements:
        if engagement.pk in less:
            engagement.participants_with_inputs -= less[engagement.pk]["with_inputs"]
            engagement.participants_closed -= less[engagement.pk]["closed"]
            state = engagement_loop_state(inputs=engagement.inputs_count, decided=engagement.decided_count,
                                          with_inputs=engagement.participants_with_inputs,
                                          closed=engagement.participants_closed)
            if state == LoopState.CLOSED and engagement.loop_state != LoopState.CLOSED:
                closed_here.append(engagement)
            engagement.loop_state = state
    if closed_here:
        _date_closed_loops(closed_here, hidden_people)
    return engagements


def _date_closed_loops(engagements: list[Engagement], hidden_people: QuerySet[Stakeholder]) -> None:
    """When a loop the viewer sees closed closed for them: its last decision, or last report they may know of."""
    told = (Participation.objects.filter(engagement=OuterRef("pk")).exclude(stakeholder__in=hidden_people)
            .order_by().values("engagement_id").annotate(last=Max("last_feedback_at")).values("last"))
    dates = {row["pk"]: row for row in Engagement.objects.filter(pk__in=[e.pk for e in engagements]).annotate(
        decided=Max("inputs__decided_at"), told=Subquery(told)).values("pk", "decided", "told")}
    for engagement in engagements:
        row = dates[engagement.pk]
        engagement.loop_closed_at = max((d for d in (row["decided"], row["told"]) if d is not None), default=None)


def reports_for(participation: Participation) -> QuerySet[FeedbackReport]:
    return participation.reports.select_related("created_by").order_by("-created_at", "-id")


@dataclass(frozen=True)
class LoopMetrics:
    awaiting_decision: int
    untriaged: int
    due_this_week: int
    overdue: int
    inputs_total: int
    decided_total: int
    share_decided: float | None
    median_days_to_feedback: float | None
    closed_loops: int
    # Next steps promised by a date now passed, with no decision since (engagements.promises).
    broken_promises: int = 0


def median_days_to_feedback(viewer: Viewer) -> float | None:
    """The median of days from an engagement's end to each participant's first report, in the database.

    Reports to people the viewer may not know of are left out: a median of one would tell of them.
    """
    firsts = (
        FeedbackReport.objects.for_organisation(viewer.organisation)
        .filter(is_first=True, days_to_feedback__isnull=False)
        .exclude(participation__stakeholder__in=hidden_from(viewer))
        .order_by("days_to_feedback")
        .values_list("days_to_feedback", flat=True)
    )
    count = firsts.count()
    if count == 0:
        return None
    middle = list(firsts[(count - 1) // 2 : count // 2 + 1])
    return sum(middle) / len(middle)


def loop_metrics(viewer: Viewer, today: datetime.date) -> LoopMetrics:
    """Loop figures of the organisation as this viewer may see them.

    Loops open only for people the viewer may not know of count as closed (not overdue, not due); their
    inputs still count, as they show on the engagement pages and in the decision queue.
    """
    hidden = hidden_from(viewer)
    engagements = Engagement.objects.for_organisation(viewer.organisation).active()
    totals = engagements.aggregate(inputs=Sum("inputs_count"), decided=Sum("decided_count"))
    inputs_total = totals["inputs"] or 0
    decided_total = totals["decided"] or 0
    inputs = Input.objects.for_organisation(viewer.organisation).standing()
    if viewer.is_decision_maker:
        awaiting = inputs.routed_to(viewer.function).awaiting_decision().count()
        untriaged = 0
    else:
        awaiting = inputs.awaiting_decision().count()
        untriaged = inputs.awaiting_decision().untriaged().count()
    return LoopMetrics(
        awaiting_decision=awaiting,
        untriaged=untriaged,
        due_this_week=engagements.due_between(today, today + datetime.timedelta(days=6), hidden).count(),
        overdue=engagements.overdue(today, hidden).count(),
        inputs_total=inputs_total,
        decided_total=decided_total,
        share_decided=decided_total / inputs_total if inputs_total else None,
        median_days_to_feedback=median_days_to_feedback(viewer),
        closed_loops=engagements.loop_closed(hidden).count(),
        broken_promises=visible_promises(viewer, hidden).broken(today).count(),
    )


def overdue_loops(viewer: Viewer, today: datetime.date, limit: int | None = 10) -> QuerySet[Engagement]:
    engagements = (
        Engagement.objects.for_organisation(viewer.organisation).overdue(today, hidden_from(viewer))
        .select_related("owner").order_by("feedback_due_on", "id")
    )
    return engagements[:limit] if limit else engagements


def loops_due_soon(viewer: Viewer, today: datetime.date, limit: int = 10) -> QuerySet[Engagement]:
    return (
        Engagement.objects.for_organisation(viewer.organisation)
        .due_between(today, today + datetime.timedelta(days=6), hidden_from(viewer))
        .select_related("owner").order_by("feedback_due_on", "id")[:limit]
    )


def who_was_heard_in(engagement: Engagement, viewer: Viewer) -> Heard:
    """Who was heard (S2) in an engagement, against the markets of the risks its inputs are linked to."""
    markets = RiskMarket.objects.filter(risk__inputs__engagement=engagement).values_list("country", flat=True)
    return who_was_heard(engagement.inputs.standing(), markets=sorted(set(markets)), hidden=hidden_from(viewer))


def visible_promises(viewer: Viewer, hidden: QuerySet[Stakeholder] | None = None) -> QuerySet[Promise]:
    """Promises of a next step on inputs the viewer may see, and that count (engagements.promises); those made to
    people the viewer may not know of are left out, as their overdue loops are."""
    hidden = hidden_from(viewer) if hidden is None else hidden
    return (Promise.objects.for_organisation(viewer.organisation).standing()
            .filter(input__in=visible_inputs(viewer).values("pk"))
            .exclude(input__speaker__stakeholder__in=hidden))


def broken_promises(viewer: Viewer, today: datetime.date, limit: int | None = 10) -> QuerySet[Promise]:
    """Promises past their date with no decision since, the longest broken first."""
    promises = (visible_promises(viewer).broken(today)
                .select_related("input__engagement", "decision", "owner").order_by("due_on", "id"))
    return promises[:limit] if limit else promises
