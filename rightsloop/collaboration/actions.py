"""Every change to shared assessments (G3): sharing, invitations, membership, shared engagements, the partner pool
and the one request per partner and engagement. Each is atomic and audited in the acting organisation's log."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments.models import Assessment
from rightsloop.assessments.vocabulary import PartnerRole
from rightsloop.core import audit
from rightsloop.core import languages as language_codes
from rightsloop.core.models import Organisation
from rightsloop.engagements.load import warning_text
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.vocabulary import EngagementType
from rightsloop.stakeholders.models import Stakeholder

from . import load, queries
from .models import PartnerRequest, PoolPartner, SharedAssessment, SharedEngagement, SharedMember, SpaceInvitation
from .vocabulary import PoolConsentMethod


class AlreadyRequested(ValidationError):
    """The partner was already asked to this engagement: by which member, and when."""

    def __init__(self, *, organisation_name: str, on: datetime.datetime):
        self.organisation_name = organisation_name
        self.on = on
        super().__init__({"partner": [_(
            "This partner was already asked to this engagement by %(organisation)s on %(date)s: one invitation "
            "per partner and engagement, whichever company asks.") % {
            "organisation": organisation_name, "date": date_format(timezone.localtime(on), "DATE_FORMAT")}]},
            code="already_requested")


class PoolOverSolicited(ValidationError):
    """The partner was asked more often, by all members together, than the contributor's thresholds allow."""

    def __init__(self, found):
        self.load = found
        super().__init__({"confirm_load": [_("Asked often already, by all members together: %(load)s") % {
            "load": warning_text(found)}]}, code="over_solicited")


def _removed_message(organisation: Organisation) -> str:
    return _("%(organisation)s was removed from this installation: it has no active members left, so it can "
             "neither be invited nor invite.") % {"organisation": organisation.name}


@transaction.atomic
def share_assessment(*, assessment: Assessment, by: Viewer) -> SharedAssessment:
    """Open one of the organisation's assessments to other organisations; the organisation becomes its lead."""
    if assessment.organisation_id != by.organisation.pk:
        raise ValidationError({"assessment": _("Unknown assessment.")})
    if SharedAssessment.objects.filter(assessment=assessment).exists():
        raise ValidationError({"assessment": _("This assessment is shared already.")})
    shared = SharedAssessment.objects.create(assessment=assessment, lead=by.organisation, created_by=by.user)
    SharedMember.objects.create(shared=shared, organisation=by.organisation)
    audit.record(organisation=by.organisation, by=by, action="shared_assessment.created", target=shared,
                 summary=f"assessment #{assessment.pk} shared")
    return shared


@transaction.atomic
def invite_organisation(*, shared: SharedAssessment, organisation_id: int, by: Viewer) -> SpaceInvitation:
    """Invite another organisation of the installation; it becomes a member only when its human rights lead
    accepts. A removed organisation, or one without a human rights lead, cannot be invited."""
    organisation = Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    if organisation is None:
        raise ValidationError({"organisation": _("There is no such organisation on this installation.")})
    if queries.is_removed(by.organisation):
        raise ValidationError({"organisation": _removed_message(by.organisation)})
    if organisation.pk == by.organisation.pk or shared.members.current().filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("%(organisation)s already takes part in this assessment.") % {
            "organisation": organisation.name}})
    if queries.is_removed(organisation):
        raise ValidationError({"organisation": _removed_message(organisation)})
    if not queries.has_human_rights_lead(organisation):
        raise ValidationError({"organisation": _(
            "%(organisation)s has no human rights lead to answer an invitation.") % {
            "organisation": organisation.name}})
    if shared.invitations.open().filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("%(organisation)s was invited already and has not answered yet.")
                               % {"organisation": organisation.name}})
    invitation = SpaceInvitation.objects.create(shared=shared, organisation=organisation,
                                                invited_by_organisation=by.organisation, invited_by=by.user)
    audit.record(organisation=by.organisation, by=by, action="shared_assessment.invited", target=shared,
                 summary=f"organisation #{organisation.pk} invited (invitation #{invitation.pk})")
    return invitation


def _check_may_answer(invitation: SpaceInvitation, by: Viewer) -> None:
    if by.role != Role.HR_LEAD:
        raise ValidationError({"__all__": [_(
            "Only a member of the human rights team answers for the organisation.")]})
    if not invitation.is_open or invitation.organisation_id != by.organisation.pk:
        raise ValidationError({"__all__": [_("This invitation was answered already.")]})


@transaction.atomic
def accept_invitation(*, invitation: SpaceInvitation, by: Viewer) -> SharedMember:
    """Join the shared assessment: from now on the organisation reads what is shared, and shares its own."""
    invitation = SpaceInvitation.objects.select_for_update().select_related(
        "invited_by_organisation", "shared__lead").get(pk=invitation.pk)
    _check_may_answer(invitation, by)
    for organisation in (invitation.invited_by_organisation, invitation.shared.lead):
        if queries.is_removed(organisation):
            raise ValidationError({"__all__": [_(
                "%(organisation)s, which this invitation comes from, was removed from this installation: the "
                "invitation can no longer be accepted.") % {"organisation": organisation.name}]})
    if not invitation.shared.members.current().filter(organisation=invitation.invited_by_organisation).exists():
        raise ValidationError({"__all__": [_(
            "%(organisation)s, which sent this invitation, has left the assessment: ask a current member for a "
            "new one.") % {"organisation": invitation.invited_by_organisation.name}]})
    invitation.accepted_at = timezone.now()
    invitation.answered_by = by.user
    invitation.save(update_fields=["accepted_at", "answered_by"])
    member = SharedMember.objects.create(shared=invitation.shared, organisation=by.organisation)
    audit.record(organisation=by.organisation, by=by, action="shared_assessment.joined", target=invitation.shared,
                 summary=f"invitation #{invitation.pk} accepted")
    return member


@transaction.atomic
def decline_invitation(*, invitation: SpaceInvitation, by: Viewer) -> SpaceInvitation:
    invitation = SpaceInvitation.objects.select_for_update().get(pk=invitation.pk)
    _check_may_answer(invitation, by)
    invitation.declined_at = timezone.now()
    invitation.answered_by = by.user
    invitation.save(update_fields=["declined_at", "answered_by"])
    audit.record(organisation=by.organisation, by=by, action="shared_assessment.declined",
                 target=invitation.shared, summary=f"invitation #{invitation.pk} declined")
    return invitation


@transaction.atomic
def leave(*, shared: SharedAssessment, by: Viewer) -> SharedMember:
    """Leave the shared assessment. What the organisation contributed (engagements and their inputs, partners
    with their consent to the pool, requests) stays with it; its own registers were never shared."""
    if shared.lead_id == by.organisation.pk:
        raise ValidationError({"__all__": [_(
            "The lead organisation cannot leave the assessment it shared: it holds the assessment itself.")]})
    member = SharedMember.objects.select_for_update().filter(
        shared=shared, organisation=by.organisation, left_at__isnull=True).first()
    if member is None:
        raise ValidationError({"__all__": [_("Your organisation does not take part in this assessment.")]})
    member.left_at = timezone.now()
    member.left_by = by.user
    member.save(update_fields=["left_at", "left_by"])
    # Invitations it sent and nobody answered go with it: no one joins on the word of a company that left.
    withdrawn = shared.invitations.open().filter(invited_by_organisation=by.organisation).update(
        withdrawn_at=member.left_at)
    audit.record(organisation=by.organisation, by=by, action="shared_assessment.left", target=shared,
                 summary=f"left; {withdrawn} open invitation(s) withdrawn")
    return member


@transaction.atomic
def share_engagement(*, shared: SharedAssessment, engagement: Engagement, by: Viewer) -> SharedEngagement:
    """Hold one of the organisation's engagements inside the shared assessment: members read it and its inputs."""
    if engagement.organisation_id != by.organisation.pk:
        raise ValidationError({"engagement": _("Unknown engagement.")})
    if engagement.type == EngagementType.REMEDY_DIALOGUE:
        raise ValidationError({"engagement": _(
            "A remedy dialogue holds what people of a grievance proposed: it is never shared.")})
    if engagement.is_cancelled:
        raise ValidationError({"engagement": _("A cancelled engagement cannot be shared.")})
    if SharedEngagement.objects.filter(engagement=engagement).exists() or queries.shared_engagements(
            shared).filter(pk=engagement.pk).exists():
        raise ValidationError({"engagement": _("This engagement is in a shared assessment already.")})
    link = SharedEngagement.objects.create(shared=shared, engagement=engagement, organisation=by.organisation,
                                           added_by=by.user)
    audit.record(organisation=by.organisation, by=by, action="shared_assessment.engagement_added", target=shared,
                 summary=f"engagement #{engagement.pk} shared")
    return link


def _clean_languages(codes: list[str]) -> list[str]:
    cleaned = sorted({code.strip().lower() for code in codes if code and code.strip()})
    unknown = [code for code in cleaned if not language_codes.is_known(code)]
    if unknown:
        raise ValidationError({"languages": [_("Unknown language code: %(codes)s.") % {"codes": ", ".join(unknown)}]})
    return cleaned


@transaction.atomic
def contribute_partner(*, shared: SharedAssessment, stakeholder: Stakeholder, role: str, languages: list[str],
                       consent_method: str, consent_given_on: datetime.date, by: Viewer) -> PoolPartner:
    """Put one of the organisation's stakeholders in the shared pool, on their recorded consent to being there."""
    errors = {}
    if stakeholder.organisation_id != by.organisation.pk or stakeholder.is_erased:
        errors["stakeholder"] = [_("Unknown stakeholder.")]
    if role not in PartnerRole.values:
        errors["role"] = [_("Choose a role.")]
    if consent_method not in PoolConsentMethod.values:
        errors["consent_method"] = [_("Say how the partner consented to being in the pool.")]
    if consent_given_on is None or consent_given_on > timezone.localdate():
        errors["consent_given_on"] = [_("The partner's consent cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    cleaned = _clean_languages(languages) or sorted(stakeholder.languages)
    if shared.pool.in_pool().filter(stakeholder=stakeholder).exists():
        raise ValidationError({"stakeholder": [_("This partner is in the pool already.")]})
    try:
        with transaction.atomic():
            partner = PoolPartner.objects.create(
                shared=shared, stakeholder=stakeholder, organisation=by.organisation, role=role, languages=cleaned,
                consent_method=consent_method, consent_given_on=consent_given_on, contributed_by=by.user)
    except IntegrityError:
        raise ValidationError({"stakeholder": [_("This partner is in the pool already.")]}) from None
    audit.record(organisation=by.organisation, by=by, action="pool.partner_added", target=partner,
                 summary=f"stakeholder #{stakeholder.pk} in the pool of shared assessment #{shared.pk} "
                         f"(consent: {consent_method}, {consent_given_on.isoformat()})")
    return partner


@transaction.atomic
def withdraw_pool_consent(*, partner: PoolPartner, by: Viewer) -> PoolPartner:
    """Record that the partner withdrew their consent to the pool: they leave it at once, for every member."""
    partner = PoolPartner.objects.select_for_update().get(pk=partner.pk)
    if partner.organisation_id != by.organisation.pk:
        raise ValidationError({"__all__": [_("Only the organisation that put a partner in the pool records their "
                                             "withdrawal.")]})
    if partner.withdrawn_at is not None:
        return partner
    partner.withdrawn_at = timezone.now()
    partner.withdrawn_by = by.user
    partner.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit.record(organisation=by.organisation, by=by, action="pool.consent_withdrawn", target=partner,
                 summary=f"stakeholder #{partner.stakeholder_id} out of the pool", changed_fields=["withdrawn_at"])
    return partner


@transaction.atomic
def request_partner(*, shared: SharedAssessment, partner: PoolPartner, engagement: Engagement, by: Viewer,
                    confirm_load: bool = False) -> PartnerRequest:
    """Ask a pool partner to one engagement of the shared assessment: once per partner and engagement, whichever
    member asks. Refused with a message for a partner who withdrew, and with the load when over the thresholds."""
    partner = PoolPartner.objects.select_for_update().select_related("stakeholder").get(pk=partner.pk)
    if partner.shared_id != shared.pk:
        raise ValidationError({"partner": [_("Unknown partner.")]})
    if partner.withdrawn_at is not None or partner.stakeholder.is_erased:
        raise ValidationError({"partner": [_(
            "This partner withdrew their consent to being in the pool on %(date)s: they can no longer be asked "
            "through it.") % {"date": date_format(timezone.localtime(partner.withdrawn_at or timezone.now()),
                                                  "DATE_FORMAT")}]}, code="withdrawn")
    if not queries.shared_engagements(shared).filter(pk=engagement.pk).exists():
        raise ValidationError({"engagement": [_("Choose an engagement of this shared assessment.")]})
    earlier = queries.existing_request(partner, engagement)
    if earlier is not None:
        raise AlreadyRequested(organisation_name=earlier.organisation.name, on=earlier.requested_at)
    if queries.takes_part_already(partner, engagement):
        raise AlreadyRequested(organisation_name=engagement.organisation.name, on=engagement.created_at)
    found = load.pool_load(partner, seen_by=by.organisation, with_requests=False)
    if found.over and not confirm_load:
        raise PoolOverSolicited(load.pool_load(partner, seen_by=by.organisation))
    try:
        with transaction.atomic():
            request = PartnerRequest.objects.create(partner=partner, stakeholder=partner.stakeholder,
                                                    engagement=engagement, organisation=by.organisation,
                                                    requested_by=by.user)
    except IntegrityError:
        earlier = queries.existing_request(partner, engagement)
        raise AlreadyRequested(organisation_name=earlier.organisation.name if earlier else "?",
                               on=earlier.requested_at if earlier else timezone.now()) from None
    audit.record(organisation=by.organisation, by=by, action="pool.partner_requested", target=partner,
                 summary=f"asked to engagement #{engagement.pk}"
                 + (f"; load warning confirmed ({found.count_90} in 90 days, {found.count_365} in 365 days)"
                    if found.over else ""))
    return request
