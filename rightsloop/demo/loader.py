"""Build and remove the demo organisation, only through the actions the app itself uses."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CASCADE, ProtectedError

from rightsloop.accounts.actions import add_member
from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.consensus.models import Claim
from rightsloop.core import audit
from rightsloop.core.models import AuditEntry, Organisation
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.actions.inputs import RELAYED_FOR_GROUP_ONLY
from rightsloop.engagements.models import (
    Engagement,
    FeedbackReport,
    Input,
    LoopReminder,
    Participation,
    Tag,
)
from rightsloop.relationships.models import Agreement
from rightsloop.risks.models import ContextEvent, Mitigation, Risk, StrategicDecision
from rightsloop.stakeholders import groups as stakeholder_groups
from rightsloop.stakeholders.actions import record_consent, register_stakeholder
from rightsloop.stakeholders.models import AffectedGroup, ConsentRecord, Stakeholder
from rightsloop.stakeholders.vocabulary import Channel

from . import content
from . import risks as demo_risks
from .agreements import load_agreements
from .assessments import load_assessments
from .collaboration import load_collaboration
from .consensus import load_consensus
from .consultation import build_consultation
from .grievances import delete_grievances, load_grievances
from .load import load_load
from .oversight import delete_oversight, load_oversight
from .ratings import load_ratings
from .reports import delete_reports, load_reports
from .resourcing import load_resourcing


class DemoConflict(Exception):
    """The database holds something the demo would collide with."""


@dataclass(frozen=True)
class DemoCounts:
    members: int
    stakeholders: int
    consents: int
    engagements: int
    participants: int
    inputs: int
    decided: int
    feedback_reports: int
    closed_loops: int
    overdue_loops: int
    due_this_week: int
    risks: int = 0
    mitigations: int = 0
    risk_input_links: int = 0
    strategic_decisions: int = 0
    context_events: int = 0


def find_demo_organisation() -> Organisation | None:
    return Organisation.objects.filter(slug=content.ORGANISATION_SLUG).first()


def hr_lead_membership(organisation: Organisation) -> Membership | None:
    return (
        Membership.objects.active()
        .filter(organisation=organisation, role=Role.HR_LEAD, user__username=content.HR_LEAD,
                user__is_active=True)
        .select_related("user", "organisation")
        .first()
    )


def count_demo(organisation: Organisation, today: datetime.date) -> DemoCounts:
    engagements = Engagement.objects.for_organisation(organisation)
    return DemoCounts(
        members=organisation.memberships.count(),
        stakeholders=Stakeholder.objects.for_organisation(organisation).count(),
        consents=ConsentRecord.objects.filter(stakeholder__organisation=organisation).count(),
        engagements=engagements.count(),
        participants=Participation.objects.filter(engagement__organisation=organisation).count(),
        inputs=Input.objects.for_organisation(organisation).count(),
        decided=Input.objects.for_organisation(organisation).decided().count(),
        feedback_reports=FeedbackReport.objects.for_organisation(organisation).count(),
        closed_loops=engagements.filter(loop_state="closed").count(),
        overdue_loops=engagements.overdue(today).count(),
        due_this_week=engagements.due_between(today, today + datetime.timedelta(days=6)).count(),
        risks=Risk.objects.for_organisation(organisation).count(),
        mitigations=Mitigation.objects.filter(organisation=organisation).count(),
        risk_input_links=Risk.inputs.through.objects.filter(risk__organisation=organisation).count(),
        strategic_decisions=StrategicDecision.objects.for_organisation(organisation).count(),
        context_events=ContextEvent.objects.for_organisation(organisation).count(),
    )


def _kept_accounts(organisation: Organisation | None):
    """Demo accounts that delete_demo kept because the audit log names them, ready to be reused."""
    if organisation is None:
        return User.objects.none()
    return User.objects.filter(
        username__in=[m.username for m in content.MEMBERS], memberships__isnull=True,
        pk__in=AuditEntry.objects.filter(organisation=organisation, actor__isnull=False).values("actor_id"),
    )


def _check_usernames_free(organisation: Organisation | None = None) -> None:
    taken = sorted(
        User.objects.filter(username__in=[m.username for m in content.MEMBERS])
        .exclude(pk__in=_kept_accounts(organisation).values("pk"))
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoConflict(
            "These demo usernames already belong to users outside the demo organisation: "
            + ", ".join(taken) + ". Remove them, or load the demo into a fresh database."
        )


def _days(today: datetime.date, offset: int) -> datetime.date:
    return today + datetime.timedelta(days=offset)


class _Builder:
    def __init__(self, organisation: Organisation, today: datetime.date):
        self.organisation = organisation
        self.today = today
        self.viewers: dict[str, Viewer] = {}
        self.stakeholders: dict[str, Stakeholder] = {}
        # What each engagement heard, in order, by speaker key (None: nobody noted), for the risks to link.
        self.heard: dict[str, list[tuple[str | None, Input]]] = {}
        self.engagements: dict[str, Engagement] = {}

    def add_members(self) -> None:
        by: Viewer | None = None  # The first administrator is added by the system, the rest by them.
        for member in content.MEMBERS:
            membership = add_member(
                organisation=self.organisation,
                username=member.username,
                email=f"{member.username}@{content.STAFF_EMAIL_DOMAIN}",
                first_name=member.first_name,
                last_name=member.last_name,
                password=content.DEMO_PASSWORD,
                role=member.role,
                function=member.function,
                by=by,
            )
            self.viewers[member.username] = Viewer.from_membership(membership)
            if by is None and member.role == Role.ADMIN:
                by = self.viewers[member.username]

    @property
    def hr_lead(self) -> Viewer:
        return self.viewers[content.HR_LEAD]

    def register_stakeholders(self) -> None:
        # Groups first: a credible proxy is registered with the group it speaks for.
        groups = {spec.name: stakeholder_groups.create_group(plan=stakeholder_groups.GroupPlan(
            name=spec.name, description=spec.description, countries=list(spec.countries),
            languages=list(spec.languages), at_risk=list(spec.at_risk), size_estimate=spec.size_estimate,
        ), by=self.hr_lead) for spec in content.GROUPS}
        speaks_for = {}
        for spec in content.GROUPS:
            speaks_for.setdefault(spec.proxy, []).append(stakeholder_groups.Speaks(
                group=groups[spec.name], mandate=stakeholder_groups.Mandate(
                    legitimacy_basis=spec.legitimacy_basis, evidence=spec.evidence,
                    reviewed_on=None if spec.reviewed_days_ago is None else _days(self.today, -spec.reviewed_days_ago),
                )))
        for person in content.STAKEHOLDERS:
            stakeholder, _duplicates = register_stakeholder(profile=person.profile, by=self.hr_lead,
                                                            speaks_for=speaks_for.get(person.key, ()))
            for consent in person.consents:
                record_consent(
                    stakeholder=stakeholder, scope=consent.scope, granted=consent.granted, method=consent.method,
                    given_on=_days(self.today, -consent.days_ago), notes=consent.notes, by=self.hr_lead,
                )
            self.stakeholders[person.key] = stakeholder
        for spec in content.GROUPS:
            for key in spec.members:
                stakeholder_groups.add_member(group=groups[spec.name], stakeholder=self.stakeholders[key],
                                              by=self.hr_lead)
        self.groups = groups

    def link_group_risks(self) -> None:
        risks = {risk.title: risk for risk in Risk.objects.for_organisation(self.organisation)}
        for spec in content.GROUPS:
            stakeholder_groups.link_risks(group=self.groups[spec.name], risks=[risks[t] for t in spec.risks],
                                          by=self.hr_lead)

    def run_engagement(self, meeting: content.Meeting) -> Engagement:
        hr_lead = self.hr_lead
        starts_on = _days(self.today, meeting.starts_in)
        plan = engagement_actions.EngagementPlan(
            title=meeting.title,
            type=meeting.type,
            phases=list(meeting.phases),
            starts_on=starts_on,
            ends_on=_days(self.today, meeting.ends_in),
            purpose=meeting.purpose,
            location=meeting.location,
            information_handling=meeting.information_handling,
            handling_notes=meeting.handling_notes,
            attending_functions=list(meeting.attending_functions),
            feedback_due_on=None if meeting.feedback_due_in is None else _days(self.today, meeting.feedback_due_in),
            owner=hr_lead.user,
        )
        engagement = engagement_actions.create_engagement(plan=plan, by=hr_lead)
        for briefing in meeting.briefings:
            engagement_actions.add_briefing(
                engagement=engagement, title=briefing.title, link=briefing.link, description=briefing.description,
                shared_on=starts_on - datetime.timedelta(days=briefing.shared_days_before_start), by=hr_lead,
            )
        participations: dict[str, Participation] = {}
        for key, proxy_key in meeting.participants:
            participations[key] = engagement_actions.add_participant(
                engagement=engagement,
                stakeholder=self.stakeholders[key],
                via_proxy=self.stakeholders[proxy_key] if proxy_key else None,
                by=hr_lead,
            )
        heard = self.heard[meeting.key] = []
        for said in meeting.inputs:
            heard.append((said.speaker, self._hear(engagement, participations, said)))
        self.engagements[meeting.key] = engagement
        for told in meeting.told:
            # Decisions refresh the participant's counters on their own copy of the row: read it afresh.
            participation = Participation.objects.select_related("stakeholder", "engagement__organisation").get(
                pk=participations[told.participant].pk
            )
            if told.channel == Channel.EMAIL:
                engagement_actions.send_feedback_by_email(participation=participation, by=hr_lead)
            else:
                engagement_actions.mark_feedback_delivered(
                    participation=participation, channel=told.channel, note=told.note, by=hr_lead
                )
        return engagement

    def _hear(self, engagement: Engagement, participations: dict[str, Participation], said: content.Said) -> Input:
        speaker = participations[said.speaker] if said.speaker else None
        group = None
        if speaker is not None and speaker.via_proxy_id and speaker.stakeholder.safety_level in RELAYED_FOR_GROUP_ONLY:
            speaker, group = self._relay(engagement, participations, speaker)
        item, _created = engagement_actions.record_input(
            engagement=engagement,
            text=said.text,
            speaker=speaker,
            group=group,
            tags=said.tags,
            owning_function="" if said.triaged_later else said.function,
            language=said.language,
            by=self.hr_lead,
        )
        if said.triaged_later:
            engagement_actions.triage_input(input=item, owning_function=said.function, tags=said.tags,
                                            by=self.hr_lead)
        decision = said.decision
        if decision is None:
            return item
        decider = self.viewers[content.DECIDER_BY_FUNCTION.get(said.function, content.HR_LEAD)]
        engagement_actions.record_decision(
            input=item,
            outcome=decision.outcome,
            rationale=decision.rationale,
            next_step=decision.next_step,
            next_step_due=None if decision.next_step_in_days is None
            else _days(self.today, decision.next_step_in_days),
            by=decider,
        )
        return item

    def _relay(self, engagement: Engagement, participations: dict[str, Participation],
               person: Participation) -> tuple[Participation | None, AffectedGroup | None]:
        """What a proxy relays for a person at risk is their group's (issue 12): the proxy's own participation
        carries it, for the group the proxy represents that the person belongs to (found by query, so the
        demo's groups can change); with no such group it stays unlinked from anyone."""
        group = AffectedGroup.objects.filter(representations__proxy_id=person.via_proxy_id,
                                             memberships__stakeholder_id=person.stakeholder_id).first()
        if group is None:
            return None, None
        channel = next((p for p in participations.values() if p.stakeholder_id == person.via_proxy_id), None)
        if channel is None:
            channel = engagement_actions.add_participant(engagement=engagement, stakeholder=person.via_proxy,
                                                         speaks_for=[group], by=self.hr_lead)
        return channel, group


@transaction.atomic
def build_demo(*, today: datetime.date) -> Organisation:
    """Create the demo organisation, its members, stakeholders and engagements; queued email leaves on commit.

    An organisation that delete_demo emptied is filled again, with the accounts its audit log names.
    """
    organisation = find_demo_organisation()
    if organisation is not None and organisation.memberships.exists():
        raise DemoConflict("The demo organisation exists and is not empty: run with --reset.")
    _check_usernames_free(organisation)
    if organisation is None:
        organisation = Organisation.objects.create(name=content.ORGANISATION_NAME, slug=content.ORGANISATION_SLUG)
        audit.record(organisation=organisation, by=None, action="organisation.created", target=organisation,
                     summary=f"{organisation.slug}: demo data loaded by manage.py load_demo")
    else:
        _restore_kept_accounts(organisation)
        audit.record(organisation=organisation, by=None, action="demo.reloaded", target=organisation,
                     summary=f"{organisation.slug}: demo data loaded again by manage.py load_demo --reset")
    builder = _Builder(organisation, today)
    builder.add_members()
    builder.register_stakeholders()
    for meeting in content.ENGAGEMENTS:
        builder.run_engagement(meeting)
    demo_risks.build_risks(organisation=organisation, today=today, viewers=builder.viewers, heard=builder.heard,
                           engagements=builder.engagements)
    builder.link_group_risks()
    build_consultation(viewer=builder.viewers[content.HR_LEAD], today=today)
    # The stakeholder's side of the relationship (issue 13): agreements first (they name owners the ratings'
    # flags go to), then two rating rounds, the ledger, and an NGO asked too often by several teams.
    hr_lead = builder.viewers[content.HR_LEAD]
    load_agreements(viewer=hr_lead, stakeholders=builder.stakeholders, today=today,
                    owner=builder.viewers[content.ADMIN].user)
    load_ratings(viewer=hr_lead, stakeholders=builder.stakeholders, today=today)
    load_resourcing(viewer=hr_lead, stakeholders=builder.stakeholders, engagements=builder.engagements, today=today)
    load_load(organisation=organisation, hr_lead=hr_lead, admin=builder.viewers[content.ADMIN], today=today)
    load_grievances(organisation=organisation, viewers=builder.viewers, stakeholders=builder.stakeholders, today=today)
    # The board's side (issue 15), last: its figures and packs read everything above.
    load_oversight(viewers=builder.viewers, stakeholders=builder.stakeholders, today=today)
    # Last year's public report published, this year's in draft, and the open data package (issue 15).
    load_reports(viewers=builder.viewers, stakeholders=builder.stakeholders, today=today)
    # A regional assessment in East Africa with local partners trained in Swahili (G1); shared below (G3).
    load_assessments(viewers=builder.viewers, stakeholders=builder.stakeholders, engagements=builder.engagements,
                     today=today)
    # A second demo company runs the East African assessment with Kestrel (G3), after every other part of it.
    load_collaboration(organisation=organisation, hr_lead=hr_lead, today=today)
    # Child safety and privacy advocates heard together on scanning Kestrel Chat: claims and an exercise (E5).
    load_consensus(viewers=builder.viewers, stakeholders=builder.stakeholders, today=today)
    return organisation


def _restore_kept_accounts(organisation: Organisation) -> None:
    """Give the kept demo accounts back their demo name, address and password before they rejoin."""
    members = {member.username: member for member in content.MEMBERS}
    for user in _kept_accounts(organisation):
        member = members[user.username]
        user.first_name, user.last_name = member.first_name, member.last_name
        user.email = f"{member.username}@{content.STAFF_EMAIL_DOMAIN}"
        user.is_active = True
        user.set_password(content.DEMO_PASSWORD)
        user.save(update_fields=["first_name", "last_name", "email", "is_active", "password"])


@transaction.atomic
def delete_demo(organisation: Organisation) -> None:
    """Empty the demo organisation for a rebuild, children before the rows they protect.

    The audit log is append-only (core.audit): the organisation row, its audit entries and the accounts
    they name stay, and build_demo reuses them.
    """
    demo_usernames = [m.username for m in content.MEMBERS]
    members = list(User.objects.filter(username__in=demo_usernames, memberships__organisation=organisation))
    audit.record(organisation=organisation, by=None, action="demo.deleted", target=organisation,
                 summary=f"{organisation.slug}: demo data deleted by manage.py load_demo --reset")
    # Cases point at stakeholders, groups and engagements (PROTECT): they go first.
    delete_grievances(organisation)
    delete_oversight(organisation)
    delete_reports(organisation)
    LoopReminder.objects.filter(engagement__organisation=organisation).delete()
    FeedbackReport.objects.filter(organisation=organisation).delete()
    # Claims point at their holders' participations (PROTECT), as inputs do: both go before them.
    Claim.objects.filter(organisation=organisation).delete()
    # Inputs take their decisions with them; they must go before the participations they point at.
    Input.objects.filter(organisation=organisation).delete()
    Participation.objects.filter(engagement__organisation=organisation).delete()
    Engagement.objects.filter(organisation=organisation).delete()
    Tag.objects.filter(organisation=organisation).delete()
    # An agreement points at its current and accepted versions (PROTECT, so a version never goes alone):
    # let go of them first, or the stakeholders' cascade refuses.
    Agreement.objects.filter(organisation=organisation).update(current_version=None, accepted_version=None)
    Agreement.objects.filter(organisation=organisation).delete()
    Stakeholder.objects.filter(organisation=organisation).delete()
    Membership.objects.filter(organisation=organisation).delete()
    # Whatever else the organisation's deletion would have cascaded to; audit entries and data keys are PROTECTed.
    for relation in Organisation._meta.get_fields(include_hidden=True):
        if relation.auto_created and relation.one_to_many and relation.on_delete is CASCADE:
            relation.related_model._base_manager.filter(**{relation.field.name: organisation}).delete()
    organisation.name = content.ORGANISATION_NAME
    organisation.default_language = Organisation._meta.get_field("default_language").get_default()
    organisation.feedback_days = Organisation._meta.get_field("feedback_days").get_default()
    organisation.save(update_fields=["name", "default_language", "feedback_days"])
    named_in_audit_log = set(
        AuditEntry.objects.filter(actor__in=members).values_list("actor_id", flat=True).distinct()
    )
    for user in members:
        if user.pk in named_in_audit_log or user.memberships.exists():
            continue  # Named by audit entries, or also works elsewhere: keep the account.
        try:
            with transaction.atomic():
                user.delete()
        except ProtectedError:
            pass  # Still named as the owner or decider of records elsewhere.
