"""Every change to a regional or country assessment (G1): each keyword-only, atomic and audited.

The audit entries name records by id and say which fields changed, never what a partner asked or a finding
says. A finding becomes or updates a salient risk through the risks app's own actions (create_risk,
update_risk), which keep the risk's history and escalation; this app only keeps the link.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, countries
from rightsloop.core import languages as language_names
from rightsloop.engagements.models import Engagement
from rightsloop.risks import actions as risk_actions
from rightsloop.risks.models import Risk
from rightsloop.stakeholders.models import Stakeholder

from .models import (
    Assessment,
    AssessmentPartner,
    AssessmentPhase,
    Finding,
    TrainingQuestion,
    TrainingSession,
)
from .vocabulary import PartnerRole, PhaseKind, RiskLink, Status

ASSESSMENT_FIELDS = ("title", "technology", "countries", "region", "scope", "starts_on", "ends_on", "owner_id",
                     "status")
PHASE_FIELDS = ("starts_on", "ends_on", "progress", "done_on", "notes")
MAX_FILE_BYTES = 20 * 1024 * 1024


def _require_edit(by: Viewer) -> None:
    if not by.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role cannot change assessments."))


def country_codes(codes: Iterable[str], field_name: str = "countries", *, required: bool = True) -> list[str]:
    """ISO 3166 alpha-2 codes, upper case, sorted, each checked against core.countries; else a field error."""
    cleaned = sorted({str(code).strip().upper() for code in codes if str(code).strip()})
    unknown = [code for code in cleaned if countries.get(code) is None or len(code) != 2]
    if unknown:
        raise ValidationError({field_name: _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)}})
    if required and not cleaned:
        raise ValidationError({field_name: _("Name at least one country.")})
    return cleaned


def language_codes(codes: Iterable[str], field_name: str = "languages") -> list[str]:
    cleaned = sorted({str(code).strip().lower() for code in codes if str(code).strip()})
    unknown = [code for code in cleaned if not language_names.is_known(code)]
    if unknown:
        raise ValidationError({field_name: _("Unknown language code: %(codes)s.") % {"codes": ", ".join(unknown)}})
    return cleaned


def _check_dates(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end cannot come before the start.")})


# The assessment itself ----------------------------------------------------------------------------------------

@dataclass
class AssessmentPlan:
    """What describes an assessment, as a form or the API hands it to an action."""

    title: str
    technology: str
    countries: list[str]
    starts_on: datetime.date
    ends_on: datetime.date
    owner: User | None = None
    region: str = ""
    scope: str = ""
    status: str = Status.PLANNED

    def cleaned(self) -> dict:
        errors: dict[str, str] = {}
        values = {"title": " ".join((self.title or "").split()),
                  "technology": " ".join((self.technology or "").split()),
                  "region": " ".join((self.region or "").split()), "scope": (self.scope or "").strip(),
                  "starts_on": self.starts_on, "ends_on": self.ends_on, "status": self.status}
        if not values["title"]:
            errors["title"] = _("A title is required.")
        if not values["technology"]:
            errors["technology"] = _("Name the technology assessed.")
        if self.status not in Status.values:
            errors["status"] = _("Choose a status.")
        try:
            values["countries"] = country_codes(self.countries)
        except ValidationError as error:
            errors.update({name: messages[0] for name, messages in error.message_dict.items()})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot come before the start.")
        if errors:
            raise ValidationError(errors)
        return values


def _check_owner(owner: User, organisation) -> None:
    if not Membership.objects.active().filter(user=owner, organisation=organisation).exists():
        raise ValidationError({"owner": _("The owner must be a member of this organisation.")})


@transaction.atomic
def create_assessment(*, plan: AssessmentPlan, by: Viewer) -> Assessment:
    """Start an assessment of a technology in named countries; nothing is saved if any field is wrong."""
    _require_edit(by)
    values = plan.cleaned()
    owner = plan.owner or by.user
    _check_owner(owner, by.organisation)
    assessment = Assessment(organisation=by.organisation, owner=owner, created_by=by.user, **values)
    assessment.full_clean(exclude=["organisation", "owner", "created_by", "engagements"])
    assessment.save()
    audit.record(organisation=by.organisation, by=by, action="assessment.created", target=assessment,
                 summary=f"assessment #{assessment.pk} in {', '.join(assessment.countries)}"[:300],
                 changed_fields=[name for name in ASSESSMENT_FIELDS if getattr(assessment, name)])
    return assessment


@transaction.atomic
def update_assessment(*, assessment: Assessment, plan: AssessmentPlan, by: Viewer) -> Assessment:
    _require_edit(by)
    values = plan.cleaned()
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    before = audit.snapshot(assessment, ASSESSMENT_FIELDS)
    owner = plan.owner or assessment.owner
    _check_owner(owner, assessment.organisation)
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.owner = owner
    assessment.full_clean(exclude=["organisation", "owner", "created_by", "engagements"])
    assessment.save()
    changed = audit.changed(assessment, before, ASSESSMENT_FIELDS)
    if changed:
        audit.record(organisation=assessment.organisation, by=by, action="assessment.updated", target=assessment,
                     summary=f"assessment #{assessment.pk}", changed_fields=changed)
    return assessment


# Phases ---------------------------------------------------------------------------------------------------------

@dataclass
class PhasePlan:
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date
    progress: int = 0
    done: bool = False
    notes: str = ""


@transaction.atomic
def set_phase(*, assessment: Assessment, plan: PhasePlan, by: Viewer) -> AssessmentPhase:
    """Plan a phase or change it: its dates, its progress in percent, whether it is done (done is 100 %)."""
    _require_edit(by)
    errors: dict[str, str] = {}
    if plan.kind not in PhaseKind.values:
        errors["kind"] = _("Choose a phase.")
    if not isinstance(plan.progress, int) or isinstance(plan.progress, bool) or not 0 <= plan.progress <= 100:
        errors["progress"] = _("Give the progress as a whole percent from 0 to 100.")
    if plan.starts_on and plan.ends_on and plan.ends_on < plan.starts_on:
        errors["ends_on"] = _("The end cannot come before the start.")
    if errors:
        raise ValidationError(errors)
    # One phase of each kind: lock the assessment so two people planning the same phase do not both create it.
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    phase = assessment.phases.filter(kind=plan.kind).first()
    creating = phase is None
    if creating:
        phase = AssessmentPhase(assessment=assessment, kind=plan.kind)
    before = {} if creating else audit.snapshot(phase, PHASE_FIELDS)
    phase.starts_on, phase.ends_on, phase.notes = plan.starts_on, plan.ends_on, (plan.notes or "").strip()
    if plan.done:
        phase.progress = 100
        phase.done_on = phase.done_on or timezone.localdate()
    else:
        phase.progress, phase.done_on = plan.progress, None
    phase.full_clean(exclude=["assessment"])
    phase.save()
    if creating:
        changed = [name for name in PHASE_FIELDS if getattr(phase, name) not in (None, "")]
    else:
        changed = audit.changed(phase, before, PHASE_FIELDS)
    if changed:
        audit.record(organisation=assessment.organisation, by=by,
                     action="assessment.phase_planned" if creating else "assessment.phase_changed",
                     target=assessment, summary=f"{phase.kind} of assessment #{assessment.pk}",
                     changed_fields=changed)
    return phase


@transaction.atomic
def remove_phase(*, phase: AssessmentPhase, by: Viewer) -> None:
    _require_edit(by)
    assessment = phase.assessment
    audit.record(organisation=assessment.organisation, by=by, action="assessment.phase_removed", target=assessment,
                 summary=f"{phase.kind} of assessment #{assessment.pk}", changed_fields=["phases"])
    phase.delete()


# Local partners -------------------------------------------------------------------------------------------------

def _check_role(role: str) -> None:
    if role not in PartnerRole.values:
        raise ValidationError({"role": _("Choose the partner's role.")})


@transaction.atomic
def add_partner(*, assessment: Assessment, stakeholder: Stakeholder, role: str, languages: Sequence[str] = (),
                by: Viewer) -> AssessmentPartner:
    """Add a stakeholder of the organisation as a local partner, with their role and working languages."""
    _require_edit(by)
    if stakeholder.organisation_id != assessment.organisation_id:
        raise ValidationError({"stakeholder": _("Choose a stakeholder of this organisation.")})
    if stakeholder.is_erased:
        raise ValidationError({"stakeholder": _("This stakeholder was erased.")})
    _check_role(role)
    codes = language_codes(languages)
    if assessment.partners.filter(stakeholder=stakeholder).exists():
        raise ValidationError({"stakeholder": _("This stakeholder is already a partner of the assessment.")})
    partner = AssessmentPartner(assessment=assessment, stakeholder=stakeholder, role=role, languages=codes,
                                added_by=by.user)
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError:  # two people adding the same partner at the same moment
        raise ValidationError(
            {"stakeholder": _("This stakeholder is already a partner of the assessment.")}) from None
    audit.record(organisation=assessment.organisation, by=by, action="assessment.partner_added", target=assessment,
                 summary=f"stakeholder #{stakeholder.pk} as {role} in assessment #{assessment.pk}",
                 changed_fields=["partners"])
    return partner


@transaction.atomic
def change_partner(*, partner: AssessmentPartner, role: str, languages: Sequence[str], by: Viewer
                   ) -> AssessmentPartner:
    _require_edit(by)
    _check_role(role)
    codes = language_codes(languages)
    changed = [name for name, value in (("role", role), ("languages", codes)) if getattr(partner, name) != value]
    if changed:
        partner.role, partner.languages = role, codes
        partner.save(update_fields=["role", "languages"])
        audit.record(organisation=partner.assessment.organisation, by=by, action="assessment.partner_changed",
                     target=partner.assessment,
                     summary=f"stakeholder #{partner.stakeholder_id} in assessment #{partner.assessment_id}",
                     changed_fields=changed)
    return partner


@transaction.atomic
def remove_partner(*, partner: AssessmentPartner, by: Viewer) -> None:
    """End a partnership; the questions the partner asked stay, no longer tied to them."""
    _require_edit(by)
    assessment = partner.assessment
    audit.record(organisation=assessment.organisation, by=by, action="assessment.partner_removed", target=assessment,
                 summary=f"stakeholder #{partner.stakeholder_id} out of assessment #{assessment.pk}",
                 changed_fields=["partners"])
    partner.delete()


# The partners' training -----------------------------------------------------------------------------------------

@dataclass
class SessionPlan:
    held_on: datetime.date
    title: str
    language: str
    material: str = ""
    attendees: list[AssessmentPartner] = field(default_factory=list)


def _check_attendees(assessment: Assessment, attendees: Iterable[AssessmentPartner]) -> list[AssessmentPartner]:
    attendees = list(attendees)
    if any(partner.assessment_id != assessment.pk for partner in attendees):
        raise ValidationError({"attendees": _("Choose partners of this assessment.")})
    return attendees


def _check_file(upload: UploadedFile | None) -> None:
    if upload is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError({"material_file": _("The file is larger than 20 MB.")})


@transaction.atomic
def record_training_session(*, assessment: Assessment, plan: SessionPlan, by: Viewer,
                            material_file: UploadedFile | None = None) -> TrainingSession:
    """Record a session of the partners' training; an uploaded file is sealed at rest (core.sealed_files)."""
    _require_edit(by)
    errors: dict[str, str] = {}
    title = " ".join((plan.title or "").split())
    if not title:
        errors["title"] = _("A title is required.")
    if not language_names.is_known((plan.language or "").strip().lower()):
        errors["language"] = _("Choose the language the session was held in.")
    if errors:
        raise ValidationError(errors)
    _check_file(material_file)
    attendees = _check_attendees(assessment, plan.attendees)
    session = TrainingSession(assessment=assessment, held_on=plan.held_on, title=title,
                              language=plan.language.strip().lower(), material=(plan.material or "").strip(),
                              created_by=by.user)
    if material_file is not None:
        # Sealed at rest under the organisation's key with a random name; the uploader's name is kept for download.
        session.material_file = material_file
        session.material_file_name = PurePath(material_file.name or "material").name[:255]
    session.full_clean(exclude=["assessment", "material_file", "created_by"])
    session.save()
    session.attendees.set(attendees)
    audit.record(organisation=assessment.organisation, by=by, action="assessment.training_recorded",
                 target=assessment, summary=f"session #{session.pk} of assessment #{assessment.pk}, "
                                            f"{len(attendees)} attended",
                 changed_fields=["title", "held_on", "language", *(["material"] if session.material else []),
                                 *(["material_file"] if material_file is not None else []),
                                 *(["attendees"] if attendees else [])])
    return session


@transaction.atomic
def attach_training_material(*, session: TrainingSession, material_file: UploadedFile, by: Viewer) -> TrainingSession:
    """Give a session its material file (replacing any before it), sealed at rest (core.sealed_files)."""
    _require_edit(by)
    _check_file(material_file)
    previous = session.material_file.name if session.material_file else ""
    session.material_file = material_file
    session.material_file_name = PurePath(material_file.name or "material").name[:255]
    session.save(update_fields=["material_file", "material_file_name"])
    if previous:
        # The replaced file goes once the new one is in place for good.
        storage = session.material_file.storage
        transaction.on_commit(lambda: storage.delete(previous))
    audit.record(organisation=session.assessment.organisation, by=by, action="assessment.training_material_added",
                 target=session.assessment, summary=f"session #{session.pk}", changed_fields=["material_file"])
    return session


@transaction.atomic
def set_attendance(*, session: TrainingSession, attendees: Iterable[AssessmentPartner], by: Viewer) -> None:
    """Say who attended a session: the partners given, and no one else."""
    _require_edit(by)
    attendees = _check_attendees(session.assessment, attendees)
    before = set(session.attendees.values_list("pk", flat=True))
    if before != {partner.pk for partner in attendees}:
        session.attendees.set(attendees)
        audit.record(organisation=session.assessment.organisation, by=by, action="assessment.attendance_changed",
                     target=session.assessment, summary=f"session #{session.pk}, {len(attendees)} attended",
                     changed_fields=["attendees"])


@transaction.atomic
def record_question(*, session: TrainingSession, question: str, by: Viewer,
                    asked_by: AssessmentPartner | None = None, answer: str = "") -> TrainingQuestion:
    """Keep what a partner asked in a training session, and the answer if one was given."""
    _require_edit(by)
    text = (question or "").strip()
    if not text:
        raise ValidationError({"question": _("Write the question that was asked.")})
    if asked_by is not None and asked_by.assessment_id != session.assessment_id:
        raise ValidationError({"asked_by": _("Choose a partner of this assessment.")})
    answer = (answer or "").strip()
    record = TrainingQuestion(organisation_id=session.assessment.organisation_id, session=session,
                              asked_by=asked_by, question=text, answer=answer,
                              answered_at=timezone.now() if answer else None, created_by=by.user)
    record.save()
    audit.record(organisation=session.assessment.organisation, by=by, action="assessment.question_recorded",
                 target=session.assessment, summary=f"question #{record.pk} in session #{session.pk}",
                 changed_fields=["question", *(["answer"] if answer else [])])
    return record


@transaction.atomic
def answer_question(*, question: TrainingQuestion, answer: str, by: Viewer) -> TrainingQuestion:
    _require_edit(by)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    question.answer = answer
    question.answered_at = timezone.now()
    question.save(update_fields=["answer_sealed", "answered_at"])
    assessment = question.session.assessment
    audit.record(organisation=assessment.organisation, by=by, action="assessment.question_answered",
                 target=assessment, summary=f"question #{question.pk} in session #{question.session_id}",
                 changed_fields=["answer"])
    return question


# Engagements held inside ------------------------------------------------------------------------------------------

@transaction.atomic
def link_engagements(*, assessment: Assessment, engagements: Sequence[Engagement], by: Viewer) -> list[int]:
    """Say which engagements were held inside the assessment; returns the ids newly linked."""
    _require_edit(by)
    if any(engagement.organisation_id != assessment.organisation_id for engagement in engagements):
        raise ValidationError({"engagement_ids": _("Choose engagements of this organisation.")})
    if any(engagement.cancelled_at is not None for engagement in engagements):
        raise ValidationError({"engagement_ids": _("A cancelled engagement cannot be part of an assessment.")})
    existing = set(assessment.engagements.values_list("pk", flat=True))
    adding = sorted({engagement.pk for engagement in engagements} - existing)
    if adding:
        assessment.engagements.add(*adding)
        audit.record(organisation=assessment.organisation, by=by, action="assessment.engagements_linked",
                     target=assessment,
                     summary=f"assessment #{assessment.pk}: engagements {', '.join(f'#{pk}' for pk in adding)}"[:300],
                     changed_fields=["engagements"])
    return adding


@transaction.atomic
def unlink_engagement(*, assessment: Assessment, engagement: Engagement, by: Viewer) -> bool:
    _require_edit(by)
    if not assessment.engagements.filter(pk=engagement.pk).exists():
        return False
    assessment.engagements.remove(engagement)
    audit.record(organisation=assessment.organisation, by=by, action="assessment.engagement_unlinked",
                 target=assessment, summary=f"assessment #{assessment.pk}: engagement #{engagement.pk}",
                 changed_fields=["engagements"])
    return True


# Findings ---------------------------------------------------------------------------------------------------------

@transaction.atomic
def record_finding(*, assessment: Assessment, title: str, by: Viewer, description: str = "",
                   countries: Sequence[str] = ()) -> Finding:
    """Record what the assessment found, where (among its countries; none named: all of them)."""
    _require_edit(by)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("A title is required.")})
    codes = country_codes(countries, required=False)
    outside = [code for code in codes if code not in assessment.countries]
    if outside:
        raise ValidationError({"countries": _("Not a country of this assessment: %(codes)s.") % {
            "codes": ", ".join(outside)}})
    finding = Finding(assessment=assessment, title=title, description=(description or "").strip(), countries=codes,
                      recorded_by=by.user)
    finding.full_clean(exclude=["assessment", "risk", "recorded_by"])
    finding.save()
    audit.record(organisation=assessment.organisation, by=by, action="assessment.finding_recorded",
                 target=assessment, summary=f"finding #{finding.pk} of assessment #{assessment.pk}",
                 changed_fields=["title", *(["description"] if finding.description else []),
                                 *(["countries"] if codes else [])])
    return finding


def risk_plan_of(risk: Risk) -> risk_actions.RiskPlan:
    """A risk as it stands, as the plan the risks app's update_risk takes."""
    return risk_actions.RiskPlan(
        title=risk.title, product=risk.product, involvement=risk.involvement, scale=risk.scale, scope=risk.scope,
        irremediability=risk.irremediability, likelihood=risk.likelihood, review_on=risk.review_on,
        description=risk.description, use_context=risk.use_context, affected_groups=risk.affected_groups,
        owner=risk.owner, rights=list(risk.rights_codes), markets=list(risk.market_codes))


def finding_markets(finding: Finding) -> list[str]:
    """The countries a finding concerns: its own, else its assessment's."""
    return list(finding.countries or finding.assessment.countries)


def _check_unlinked(finding: Finding) -> None:
    if finding.risk_id is not None:
        raise ValidationError(_("This finding is already linked to a salient risk."))


def _require_risks(by: Viewer) -> None:
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot change the risk register."))


@transaction.atomic
def finding_becomes_risk(*, finding: Finding, plan: risk_actions.RiskPlan, by: Viewer) -> Risk:
    """Register a new salient risk from a finding (risks.actions.create_risk) and keep the link."""
    _require_edit(by)
    _require_risks(by)
    finding = Finding.objects.select_for_update().select_related("assessment").get(pk=finding.pk)
    _check_unlinked(finding)
    markets = sorted(set(plan.markets) | set(finding_markets(finding)))
    risk = risk_actions.create_risk(plan=replace(plan, markets=markets), by=by,
                                    reason=_("found by the assessment “%(title)s”") % {
                                        "title": finding.assessment.title})
    _link(finding, risk, RiskLink.CREATED, by=by)
    return risk


@transaction.atomic
def finding_updates_risk(*, finding: Finding, risk: Risk, plan: risk_actions.RiskPlan, reason: str,
                         by: Viewer) -> Risk:
    """Update an existing salient risk with what a finding showed (risks.actions.update_risk, which keeps
    the risk's history and escalation) and keep the link; the finding's countries join the risk's markets."""
    _require_edit(by)
    _require_risks(by)
    finding = Finding.objects.select_for_update().select_related("assessment").get(pk=finding.pk)
    _check_unlinked(finding)
    if risk.organisation_id != finding.assessment.organisation_id:
        raise ValidationError({"risk_id": _("Choose a salient risk of this organisation.")})
    if risk.closed_at is not None:
        raise ValidationError({"risk_id": _("This risk is closed.")})
    markets = sorted(set(plan.markets) | set(finding_markets(finding)))
    risk = risk_actions.update_risk(risk=risk, plan=replace(plan, markets=markets), reason=reason, by=by)
    _link(finding, risk, RiskLink.UPDATED, by=by)
    return risk


def _link(finding: Finding, risk: Risk, how: str, *, by: Viewer) -> None:
    finding.risk, finding.risk_link, finding.linked_at = risk, how, timezone.now()
    finding.save(update_fields=["risk", "risk_link", "linked_at"])
    audit.record(organisation=risk.organisation, by=by,
                 action="assessment.finding_became_risk" if how == RiskLink.CREATED
                 else "assessment.finding_updated_risk",
                 target=finding.assessment, summary=f"finding #{finding.pk}: risk #{risk.pk}",
                 changed_fields=["risk"])
