"""Reads of shared assessments (G3), always from the viewer's organisation being a current member.

Another member's records are read here only as far as they are shared: the assessment (title, technology,
countries, dates, status, phases), the engagements held in it, their standing inputs (speakers named only when
attributed and at normal safety level), the findings (without the lead's risk register behind them), and the pool
of local partners (the shown name, organisation, country, languages and role; nothing else of the register).
A shared assessment the viewer's organisation does not take part in is "not found", like a foreign id.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments import queries as assessment_queries
from rightsloop.assessments.models import Assessment, AssessmentPhase, Finding
from rightsloop.assessments.vocabulary import PartnerRole
from rightsloop.core import countries
from rightsloop.core import languages as language_codes
from rightsloop.core.access import plausible_id
from rightsloop.core.models import Organisation
from rightsloop.engagements.models import Engagement, Input, Participation
from rightsloop.engagements.representation import Heard, who_was_heard
from rightsloop.engagements.vocabulary import Attribution, EngagementType, Outcome
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.vocabulary import Kind, SafetyLevel

from .models import PartnerRequest, PoolPartner, SharedAssessment, SharedEngagement, SharedMember, SpaceInvitation

# How many standing inputs one shared engagement's page shows at most (newest last); the rest are counted.
INPUTS_SHOWN = 200


# Organisations of the installation ---------------------------------------------------------------------------

def _active_members(role: str | None = None):
    members = Membership.objects.filter(is_active=True, user__is_active=True, organisation=OuterRef("pk"))
    return members.filter(role=role) if role else members


def organisations_taking_part() -> QuerySet[Organisation]:
    """Organisations of the installation that still take part: at least one active member of an active account.

    The installation removes an organisation by ending its memberships (accounts); one with none left is
    "removed": it can neither be invited nor invite, and its invitations can no longer be accepted.
    """
    return Organisation.objects.filter(Exists(_active_members()))


def is_removed(organisation: Organisation) -> bool:
    return not organisations_taking_part().filter(pk=organisation.pk).exists()


def has_human_rights_lead(organisation: Organisation) -> bool:
    return Organisation.objects.filter(pk=organisation.pk).filter(Exists(_active_members(Role.HR_LEAD))).exists()


def invitable_organisations(shared: SharedAssessment) -> QuerySet[Organisation]:
    """Who may still be invited: organisations taking part with a human rights lead, not members, not invited."""
    return (organisations_taking_part().filter(Exists(_active_members(Role.HR_LEAD)))
            .exclude(pk__in=shared.members.current().values("organisation_id"))
            .exclude(pk__in=shared.invitations.open().values("organisation_id"))
            .order_by("name"))


# Shared assessments ------------------------------------------------------------------------------------------

def may_read(viewer: Viewer) -> bool:
    return viewer.can(Capability.ENGAGEMENTS_VIEW)


def shared_assessments(viewer: Viewer) -> QuerySet[SharedAssessment]:
    """The shared assessments the viewer's organisation takes part in now."""
    if not may_read(viewer):
        return SharedAssessment.objects.none()
    return (SharedAssessment.objects.joined_by(viewer.organisation)
            .select_related("assessment", "lead").order_by("-created_at", "-id"))


def access_shared(viewer: Viewer, pk, *, for_update: bool = False) -> SharedAssessment:
    """The shared assessment if the viewer's organisation is a current member; 'not found' otherwise."""
    if not plausible_id(pk):
        raise Http404
    found = shared_assessments(viewer).filter(pk=pk)
    if for_update:
        found = found.select_for_update(of=("self",))
    shared = found.first()
    if shared is None:
        raise Http404
    return shared


def assessments_to_share(viewer: Viewer) -> QuerySet[Assessment]:
    """The viewer's own assessments that are not shared yet."""
    return assessment_queries.visible_assessments(viewer).filter(shared__isnull=True).order_by("-starts_on", "-id")


def phases(shared: SharedAssessment) -> QuerySet[AssessmentPhase]:
    return assessment_queries.phases_of(shared.assessment)


def findings(shared: SharedAssessment) -> QuerySet[Finding]:
    """The findings, shared as written: the salient risk each became stays in the lead's own register (the
    pages and the API show a finding's title, description and countries only)."""
    return assessment_queries.findings_of(shared.assessment)


def current_members(shared: SharedAssessment) -> QuerySet[SharedMember]:
    return shared.members.current().select_related("organisation").order_by("joined_at", "id")


def open_invitations_for(viewer: Viewer) -> QuerySet[SpaceInvitation]:
    """Invitations addressed to the viewer's organisation that no one answered yet."""
    if not may_read(viewer):
        return SpaceInvitation.objects.none()
    return (SpaceInvitation.objects.open().filter(organisation=viewer.organisation)
            .select_related("shared__assessment", "invited_by_organisation", "shared__lead"))


def access_invitation_to_me(viewer: Viewer, pk) -> SpaceInvitation:
    """An open invitation addressed to the viewer's organisation; 'not found' for any other."""
    if not plausible_id(pk):
        raise Http404
    invitation = open_invitations_for(viewer).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def invitations_sent(shared: SharedAssessment) -> QuerySet[SpaceInvitation]:
    return shared.invitations.open().select_related("organisation", "invited_by_organisation")


# Engagements and inputs --------------------------------------------------------------------------------------

def _shareable(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    # A remedy dialogue holds grievance case content, for the organisation's handlers only: never shared.
    return engagements.exclude(type=EngagementType.REMEDY_DIALOGUE)


def shared_engagements(shared: SharedAssessment) -> QuerySet[Engagement]:
    """The engagements held in the shared assessment: the lead's assessment's, and those members added."""
    return _shareable(Engagement.objects.filter(
        Q(pk__in=SharedEngagement.objects.filter(shared=shared).values("engagement_id"))
        | Q(pk__in=assessment_queries.engagements_of(shared.assessment).values("pk"))
    )).filter(cancelled_at__isnull=True).select_related("organisation").order_by("starts_on", "id")


def access_shared_engagement(shared: SharedAssessment, pk) -> Engagement:
    if not plausible_id(pk):
        raise Http404
    engagement = shared_engagements(shared).filter(pk=pk).first()
    if engagement is None:
        raise Http404
    return engagement


def engagements_to_share(viewer: Viewer, shared: SharedAssessment) -> QuerySet[Engagement]:
    """The viewer's own engagements that could be added: not cancelled, not in any shared assessment."""
    return _shareable(Engagement.objects.for_organisation(viewer.organisation).active()).exclude(
        pk__in=SharedEngagement.objects.values("engagement_id")).exclude(
        pk__in=shared_engagements(shared).values("pk")).order_by("-starts_on", "-id")


@dataclass(frozen=True)
class SharedInput:
    """One standing input as every member may read it: the words, the speaker only as safety allows."""

    id: int
    text: str
    speaker: str
    language: str
    recorded_at: object
    outcome: str


def speaker_for_members(input: Input, labels: dict[str, str] | None = None) -> str:
    """Who said it, for any member: an anonymised input, a group's relayed words and anyone above normal safety
    level are never named (no pseudonym either: a stable code would let members follow one person).

    labels: the sentences already translated, by kind (shared_inputs reads many inputs at once)."""
    if input.speaker_id is None:
        return _("Participant not recorded")
    stakeholder = input.speaker.stakeholder
    if input.group_id is not None:
        return _("An affected group, through a proxy")
    if (input.attribution == Attribution.ANONYMISED or stakeholder.safety_level != SafetyLevel.NORMAL
            or stakeholder.is_erased):
        if labels is not None and stakeholder.kind in labels:
            return labels[stakeholder.kind]
        return _("Anonymised participant (%(kind)s)") % {"kind": stakeholder.get_kind_display()}
    return stakeholder.name


def shared_inputs(engagement: Engagement) -> tuple[list[SharedInput], int]:
    """The engagement's standing inputs as members read them, oldest first, and how many stand in all."""
    standing = Input.objects.standing().filter(engagement=engagement)
    total = standing.count()
    rows = (standing.select_related("speaker__stakeholder").order_by("recorded_at", "id")[:INPUTS_SHOWN])
    # Translated once per page, not once per row.
    labels = {kind: _("Anonymised participant (%(kind)s)") % {"kind": label} for kind, label in Kind.choices}
    outcomes = {code: str(label) for code, label in Outcome.choices}
    return [SharedInput(id=row.pk, text=row.text, speaker=speaker_for_members(row, labels), language=row.language,
                        recorded_at=row.recorded_at, outcome=outcomes.get(row.outcome, ""))
            for row in rows], total


# How long the counts are kept at most; any recorded change in a contributing organisation renews them sooner.
HEARD_KEPT_SECONDS = 3600


def heard_across(shared: SharedAssessment) -> Heard:
    """Who was heard in every engagement held in the shared assessment, as counts only (the report members
    share): kinds, regions, languages, at-risk groups and the gaps, against the assessment's countries. People at
    high safety level count as unattributed (engagements.representation), whoever's register they are in; no
    name, group or person is listed.

    The counts are the same for every member who reads them (nobody's grants change them), and they add up
    thousands of inputs (up to a second on PostgreSQL at ten members): they are remembered per language until the
    next recorded change in any organisation whose engagements are held in it, as the board view is
    (core.audit.latest_change: every input recorded, mended or withdrawn, and every change of a speaker's
    languages or safety level, is audited in its organisation's log).
    """
    from django.core.cache import cache
    from django.utils.translation import get_language

    from rightsloop.core.audit import latest_change_among

    contributors = Organisation.objects.filter(
        Q(pk=shared.lead_id) | Q(pk__in=SharedEngagement.objects.filter(shared=shared).values("organisation_id")))
    stamp = latest_change_among(contributors.values("pk"))
    key = f"collaboration:heard:{shared.pk}:{get_language()}:{stamp}"
    found = cache.get(key)
    if found is None:
        found = _count_heard(shared)
        cache.set(key, found, HEARD_KEPT_SECONDS)
    return found


def _count_heard(shared: SharedAssessment) -> Heard:
    # The engagements' ids once, as a list: a subquery of subqueries led SQLite through every input.
    ids = list(shared_engagements(shared).values_list("pk", flat=True))
    # The inputs by primary key: filtered by engagement inside who_was_heard's joins, SQLite without statistics
    # walked the index of inputs without a group (nearly all of them: 400 ms a query at loop scale).
    standing = list(Input.objects.standing().filter(engagement_id__in=ids).values_list("pk", flat=True))
    inputs = Input.objects.filter(pk__in=standing)
    # Only those who took part can be hidden: the register's other high-safety people need not be read.
    hidden = Stakeholder.objects.filter(safety_level=SafetyLevel.HIGH, pk__in=Participation.objects.filter(
        engagement_id__in=ids).values("stakeholder_id"))
    return who_was_heard(inputs, markets=sorted(shared.assessment.countries), hidden=hidden)


def input_counts(engagements: list[Engagement]) -> dict[int, int]:
    """Standing inputs per engagement, in one query."""
    from django.db.models import Count

    rows = (Input.objects.standing().filter(engagement__in=[e.pk for e in engagements])
            .values("engagement_id").annotate(n=Count("id")).order_by())
    return {row["engagement_id"]: row["n"] for row in rows}


# The pool of local partners ----------------------------------------------------------------------------------

@dataclass
class PartnerCard:
    """What the members see of a pool partner."""

    partner: PoolPartner
    name: str
    organisation: str
    country: str
    languages: list[str]
    role: str
    contributed_by: str
    mine: bool


def shown_partner_name(stakeholder: Stakeholder) -> str:
    """The name the pool shows every member, its own contributor too: a pseudonym above normal safety level."""
    if stakeholder.safety_level != SafetyLevel.NORMAL or stakeholder.is_erased:
        return pseudonym(stakeholder.pk)
    return stakeholder.name


def _affiliation_name(stakeholder: Stakeholder) -> str:
    # A protected person's organisation could name them: shown for people at normal safety level only.
    if stakeholder.safety_level != SafetyLevel.NORMAL or stakeholder.affiliation is None:
        return ""
    affiliation = stakeholder.affiliation
    if affiliation.safety_level != SafetyLevel.NORMAL or affiliation.is_erased:
        return ""
    return affiliation.name


# What a card reads of the register: the sealed name and what its seal needs, safety, country, erasure. The wide
# rest of the row (contact details, notes) is never loaded for another member's page.
_CARD_FIELDS = ("id", "uid", "organisation_id", "sealed_key", "name_sealed", "safety_level", "country", "erased_at",
                "entity_type", "affiliation_id")


def pool(shared: SharedAssessment) -> QuerySet[PoolPartner]:
    card = [f"stakeholder__{name}" for name in _CARD_FIELDS]
    return (shared.pool.in_pool().select_related("stakeholder__affiliation", "organisation")
            .only("id", "shared_id", "role", "languages", "organisation_id", "organisation__name",
                  "contributed_at", "withdrawn_at", *card, *(f"stakeholder__affiliation__{name}"
                                                              for name in _CARD_FIELDS))
            .order_by("contributed_at", "id"))


def card_of(viewer: Viewer, partner: PoolPartner, *, roles: dict[str, str] | None = None) -> PartnerCard:
    person = partner.stakeholder
    country = countries.get(person.country) if person.country else None
    return PartnerCard(
        partner=partner, name=shown_partner_name(person), organisation=_affiliation_name(person),
        country=country.name if country else "",
        role=roles.get(partner.role, partner.role) if roles is not None else role_label(partner.role),
        languages=[language_codes.name(code) for code in partner.languages],
        contributed_by=partner.organisation.name, mine=partner.organisation_id == viewer.organisation.pk)


def partner_cards(viewer: Viewer, shared: SharedAssessment, partners=None) -> list[PartnerCard]:
    """The pool (or the partners given, a page of it) as members see it, in one query."""
    roles = {code: str(label) for code, label in PartnerRole.choices}  # translated once, not once a row
    return [card_of(viewer, partner, roles=roles) for partner in (pool(shared) if partners is None else partners)]


def access_pool_partner(shared: SharedAssessment, pk, *, for_update: bool = False) -> PoolPartner:
    """A partner of this shared assessment's pool, in it or withdrawn (a withdrawn one answers with a message)."""
    if not plausible_id(pk):
        raise Http404
    found = shared.pool.filter(pk=pk).select_related("stakeholder__affiliation", "organisation")
    if for_update:
        found = found.select_for_update(of=("self",))
    partner = found.first()
    if partner is None:
        raise Http404
    return partner


def access_own_contribution(viewer: Viewer, pk, *, for_update: bool = False) -> PoolPartner:
    """A pool entry the viewer's organisation contributed, whether or not it still takes part: a partner's
    withdrawal of consent never waits on the company's membership."""
    if not plausible_id(pk) or not viewer.can(Capability.STAKEHOLDERS_EDIT):
        raise Http404
    found = PoolPartner.objects.filter(pk=pk, organisation=viewer.organisation).select_related("stakeholder")
    if for_update:
        found = found.select_for_update(of=("self",))
    partner = found.first()
    if partner is None:
        raise Http404
    return partner


def existing_request(partner: PoolPartner, engagement: Engagement) -> PartnerRequest | None:
    return (PartnerRequest.objects.filter(stakeholder_id=partner.stakeholder_id, engagement=engagement)
            .select_related("organisation").first())


def takes_part_already(partner: PoolPartner, engagement: Engagement) -> bool:
    """The partner was invited to the engagement by its own organisation, outside the pool."""
    return Participation.objects.filter(engagement=engagement, stakeholder_id=partner.stakeholder_id).exists()


def contributable_stakeholders(viewer: Viewer, shared: SharedAssessment) -> QuerySet[Stakeholder]:
    """The viewer's own stakeholders it may put in the pool: ones it may see, not erased, not in it already."""
    from rightsloop.stakeholders.queries import visible_stakeholders

    return visible_stakeholders(viewer).filter(erased_at__isnull=True).exclude(
        pk__in=shared.pool.in_pool().values("stakeholder_id"))


def role_label(code: str) -> str:
    return str(PartnerRole(code).label) if code in PartnerRole.values else code


def language_label_list(codes: list[str]) -> str:
    return ", ".join(language_codes.name(code) for code in codes)
