"""JSON front door of regional and country assessments (G1): /api/v1/assessments/...

The same actions and queries as the pages. A broken rule (an unknown country code such as "XK1" or "ZZ", an
end before the start, a progress over 100 %, an unknown language) answers 400 with field messages and saves
nothing; an assessment, phase, partner, session, question or finding of another organisation 404s like a
missing one, as does a stakeholder the token's member may not see; an engagement of another organisation
named in a body is a 400 on `engagement_ids`. Partners at high safety are named by their pseudonym; those the
member holds no grant on are left out.
"""

import datetime
import uuid
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.engagements.heard_api import HeardOut, heard_out
from rightsloop.engagements.queries import access_engagement, visible_engagements
from rightsloop.risks.api import RiskIn, RiskPatch, _member
from rightsloop.risks.queries import access_risk
from rightsloop.stakeholders.queries import access_stakeholder

from . import actions, queries
from .vocabulary import PartnerRole, PhaseKind
from .vocabulary import Status as AssessmentStatus

router = Router(tags=["assessments"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Country = Annotated[str, Field(min_length=1, max_length=8, description="ISO 3166 alpha-2, e.g. KE")]
Language = Annotated[str, Field(min_length=1, max_length=8, description="ISO 639, e.g. sw")]
Text = Annotated[str, Field(max_length=20_000)]


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _value(member):
    return getattr(member, "value", member)


# The assessment -------------------------------------------------------------------------------------------------

class RegionalAssessmentIn(Schema):
    title: str = Field(..., max_length=200)
    technology: str = Field(..., max_length=200)
    countries: list[Country] = Field(..., max_length=60, description="One or more ISO 3166 alpha-2 codes")
    region: str = Field("", max_length=120)
    scope: Text = ""
    starts_on: datetime.date
    ends_on: datetime.date
    owner_id: Id | None = Field(None, description="A member of the organisation; defaults to you")
    status: AssessmentStatus = AssessmentStatus.PLANNED


class RegionalAssessmentPatch(Schema):
    title: str | None = Field(None, max_length=200)
    technology: str | None = Field(None, max_length=200)
    countries: list[Country] | None = Field(None, max_length=60)
    region: str | None = Field(None, max_length=120)
    scope: Text | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    owner_id: Id | None = None
    status: AssessmentStatus | None = None


class AssessmentPhaseOut(Schema):
    id: int
    kind: str
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    progress: int
    done: bool
    done_on: datetime.date | None
    notes: str

    @staticmethod
    def resolve_label(obj) -> str:
        return str(PhaseKind(obj.kind).label)

    @staticmethod
    def resolve_done(obj) -> bool:
        return obj.is_done


class RegionalAssessmentOut(Schema):
    id: int
    uid: uuid.UUID
    title: str
    technology: str
    countries: list[str]
    region: str
    scope: str
    starts_on: datetime.date
    ends_on: datetime.date
    owner_id: int
    status: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class RegionalAssessmentDetailOut(RegionalAssessmentOut):
    phases: list[AssessmentPhaseOut]
    engagement_ids: list[int]
    partner_count: int
    finding_count: int


def _detail(viewer, assessment) -> dict:
    values = {name: getattr(assessment, name) for name in RegionalAssessmentOut.model_fields}
    values["phases"] = list(queries.phases_of(assessment))
    values["engagement_ids"] = list(queries.visible_engagements_of(viewer, assessment).values_list("pk", flat=True))
    values["partner_count"] = queries.visible_partners(viewer, assessment).count()
    values["finding_count"] = assessment.findings.count()
    return values


@router.get("", response=documented({200: list[RegionalAssessmentOut]}), summary="The organisation's assessments")
@paginate(ApiPages)
def list_regional_assessments(request, status: AssessmentStatus | None = None):
    queries.require_reader(request.auth)
    return queries.assessment_list(request.auth, status=_value(status) or "")


@router.post("", response=documented({201: RegionalAssessmentDetailOut}),
             summary="Start an assessment of a technology in one or more countries")
def create_assessment(request, payload: RegionalAssessmentIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    plan = actions.AssessmentPlan(title=payload.title, technology=payload.technology, countries=payload.countries,
                                  region=payload.region, scope=payload.scope, starts_on=payload.starts_on,
                                  ends_on=payload.ends_on, owner=_member(viewer, payload.owner_id, "owner_id"),
                                  status=_value(payload.status))
    assessment = actions.create_assessment(plan=plan, by=viewer)
    return Status(201, _detail(viewer, queries.access_assessment(viewer, assessment.pk)))


@router.get("/{int:assessment_id}", response=documented({200: RegionalAssessmentDetailOut}),
            summary="One assessment with its timeline of phases")
def get_assessment(request, assessment_id: int):
    return _detail(request.auth, queries.access_assessment(request.auth, assessment_id))


@router.patch("/{int:assessment_id}", response=documented({200: RegionalAssessmentDetailOut}),
              summary="Change an assessment (only the fields given)")
def update_assessment(request, assessment_id: int, payload: RegionalAssessmentPatch):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    given = payload.dict(exclude_unset=True)
    values = {name: getattr(assessment, name) for name in (
        "title", "technology", "countries", "region", "scope", "starts_on", "ends_on", "status")}
    for name in values:
        if name in given:
            if given[name] is None:
                raise DjangoValidationError({name: [_("This field cannot be emptied.")]})
            values[name] = _value(given[name])
    owner = _member(viewer, given["owner_id"], "owner_id") if given.get("owner_id") else assessment.owner
    actions.update_assessment(assessment=assessment, plan=actions.AssessmentPlan(owner=owner, **values), by=viewer)
    return _detail(viewer, queries.access_assessment(viewer, assessment.pk))


# Phases -----------------------------------------------------------------------------------------------------------

class AssessmentPhaseIn(Schema):
    kind: PhaseKind = Field(description="scoping, partner_training, data_collection, analysis, validation or "
                                        "reporting; one phase of each kind")
    starts_on: datetime.date
    ends_on: datetime.date
    progress: int = Field(0, ge=0, le=100, description="Percent done, 0 to 100")
    done: bool = Field(False, description="Done sets the progress to 100 and records today")
    notes: Text = ""


@router.get("/{int:assessment_id}/phases", response=documented({200: list[AssessmentPhaseOut]}),
            summary="The timeline: phases in the order they run")
def list_assessment_phases(request, assessment_id: int):
    return list(queries.phases_of(queries.access_assessment(request.auth, assessment_id)))


@router.put("/{int:assessment_id}/phases", response=documented({200: AssessmentPhaseOut}),
            summary="Plan a phase, or change the phase of that kind: dates, progress in percent, done")
def set_assessment_phase(request, assessment_id: int, payload: AssessmentPhaseIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    return actions.set_phase(assessment=assessment, by=viewer, plan=actions.PhasePlan(
        kind=_value(payload.kind), starts_on=payload.starts_on, ends_on=payload.ends_on, progress=payload.progress,
        done=payload.done, notes=payload.notes))


@router.delete("/{int:assessment_id}/phases/{int:phase_id}", response=documented({204: None}),
               summary="Take a phase off the timeline")
def remove_assessment_phase(request, assessment_id: int, phase_id: int):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    phase = queries.access_phase(assessment, phase_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    actions.remove_phase(phase=phase, by=viewer)
    return Status(204, None)


# Partners ---------------------------------------------------------------------------------------------------------

class AssessmentPartnerIn(Schema):
    stakeholder_id: Id
    role: PartnerRole
    languages: list[Language] = Field(default_factory=list, max_length=20)


class AssessmentPartnerPatch(Schema):
    role: PartnerRole | None = None
    languages: list[Language] | None = Field(None, max_length=20)


class AssessmentPartnerOut(Schema):
    id: int
    stakeholder_id: int
    name: str = Field(description="The pseudonym of a person at high safety")
    role: str
    languages: list[str]
    added_at: datetime.datetime


def _partner(partner, viewer) -> dict:
    return {"id": partner.pk, "stakeholder_id": partner.stakeholder_id, "name": queries.partner_name(partner, viewer),
            "role": partner.role, "languages": partner.languages, "added_at": partner.added_at}


@router.get("/{int:assessment_id}/partners", response=documented({200: list[AssessmentPartnerOut]}),
            summary="The local partners (those at high safety you hold no grant on are left out)")
def list_assessment_partners(request, assessment_id: int):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    return [_partner(partner, viewer) for partner in queries.visible_partners(viewer, assessment)]


@router.post("/{int:assessment_id}/partners", response=documented({201: AssessmentPartnerOut}),
             summary="Add a stakeholder as a local partner with their role and working languages")
def add_assessment_partner(request, assessment_id: int, payload: AssessmentPartnerIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    # The person first: one the member may not know of is "not found" whatever their role (a foreign one too).
    stakeholder = access_stakeholder(viewer, payload.stakeholder_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    partner = actions.add_partner(assessment=assessment, stakeholder=stakeholder, role=_value(payload.role),
                                  languages=payload.languages, by=viewer)
    return Status(201, _partner(partner, viewer))


@router.patch("/{int:assessment_id}/partners/{int:partner_id}", response=documented({200: AssessmentPartnerOut}),
              summary="Change a partner's role or working languages")
def change_assessment_partner(request, assessment_id: int, partner_id: int, payload: AssessmentPartnerPatch):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    partner = queries.access_partner(viewer, assessment, partner_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    given = payload.dict(exclude_unset=True)
    role = _value(given.get("role")) or partner.role
    languages = given["languages"] if given.get("languages") is not None else partner.languages
    return _partner(actions.change_partner(partner=partner, role=role, languages=languages, by=viewer), viewer)


@router.delete("/{int:assessment_id}/partners/{int:partner_id}", response=documented({204: None}),
               summary="End a partnership (the questions the partner asked stay)")
def remove_assessment_partner(request, assessment_id: int, partner_id: int):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    partner = queries.access_partner(viewer, assessment, partner_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    actions.remove_partner(partner=partner, by=viewer)
    return Status(204, None)


# Training -----------------------------------------------------------------------------------------------------------

class TrainingSessionIn(Schema):
    held_on: datetime.date
    title: str = Field(..., max_length=200)
    language: Language
    material: Text = ""
    attendee_ids: list[Id] = Field(default_factory=list, max_length=500, description="Partner ids")


class TrainingAttendeesIn(Schema):
    attendee_ids: list[Id] = Field(..., max_length=500, description="Partner ids: everyone who attended")


class TrainingQuestionIn(Schema):
    question: Text = Field(..., min_length=1)
    asked_by_id: Id | None = Field(None, description="The partner who asked")
    answer: Text = ""


class TrainingAnswerIn(Schema):
    answer: Text = Field(..., min_length=1)


class TrainingQuestionOut(Schema):
    id: int
    question: str
    asked_by_id: int | None = Field(description="The partner who asked; null if not recorded or not yours to know")
    asked_by: str
    answer: str
    answered_at: datetime.datetime | None


class TrainingSessionOut(Schema):
    id: int
    held_on: datetime.date
    title: str
    language: str
    material: str
    material_file_name: str
    attendee_ids: list[int]
    questions: list[TrainingQuestionOut]


def _session(view) -> dict:
    session = view.session
    return {"id": session.pk, "held_on": session.held_on, "title": session.title, "language": session.language,
            "material": session.material, "material_file_name": session.material_file_name,
            "attendee_ids": [partner.pk for partner, _name in view.attendees],
            "questions": [{"id": question.pk, "question": question.question,
                           "asked_by_id": question.asked_by_id if asker else None, "asked_by": asker,
                           "answer": question.answer, "answered_at": question.answered_at}
                          for question, asker in view.questions]}


def _session_out(viewer, assessment, session_id: int) -> dict:
    for view in queries.training_for(viewer, assessment):
        if view.session.pk == session_id:
            return _session(view)
    raise Http404


def _partners(viewer, assessment, ids: list[int], field: str) -> list:
    found = {partner.pk: partner for partner in queries.visible_partners(viewer, assessment).filter(pk__in=ids)}
    unknown = sorted(set(ids) - set(found))
    if unknown:
        raise DjangoValidationError({field: [_("Not a partner of this assessment: %(ids)s.") % {
            "ids": ", ".join(str(pk) for pk in unknown)}]})
    return list(found.values())


@router.get("/{int:assessment_id}/training", response=documented({200: list[TrainingSessionOut]}),
            summary="The partners' training: sessions, who attended, what they asked")
def list_training_sessions(request, assessment_id: int):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    return [_session(view) for view in queries.training_for(viewer, assessment)]


@router.post("/{int:assessment_id}/training", response=documented({201: TrainingSessionOut}),
             summary="Record a training session (send its material file afterwards, to …/material)")
def record_training_session(request, assessment_id: int, payload: TrainingSessionIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    attendees = _partners(viewer, assessment, payload.attendee_ids, "attendee_ids")
    session = actions.record_training_session(assessment=assessment, by=viewer, plan=actions.SessionPlan(
        held_on=payload.held_on, title=payload.title, language=payload.language, material=payload.material,
        attendees=attendees))
    return Status(201, _session_out(viewer, assessment, session.pk))


@router.get("/{int:assessment_id}/training/{int:session_id}", response=documented({200: TrainingSessionOut}),
            summary="One training session")
def get_training_session(request, assessment_id: int, session_id: int):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    return _session_out(viewer, assessment, queries.access_session(assessment, session_id).pk)


UPLOAD_BODY = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "Slides or handouts, 20 MB at most"}},
}}}}}


@router.post("/{int:assessment_id}/training/{int:session_id}/material", response=documented({200: TrainingSessionOut}),
             openapi_extra=UPLOAD_BODY, summary="Give a session its material file (multipart field `file`), "
                                                "sealed at rest")
def upload_training_material(request, assessment_id: int, session_id: int):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    session = queries.access_session(assessment, session_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    # Read from request.FILES rather than a File parameter, so the access checks come before the body's.
    upload = request.FILES.get("file") if request.content_type == "multipart/form-data" else None
    if upload is None:
        raise DjangoValidationError({"file": [_("Send the file as multipart/form-data in the field “file”.")]})
    actions.attach_training_material(session=session, material_file=upload, by=viewer)
    return _session_out(viewer, assessment, session.pk)


@router.put("/{int:assessment_id}/training/{int:session_id}/attendees", response=documented({200: TrainingSessionOut}),
            summary="Say who attended a session")
def set_training_attendees(request, assessment_id: int, session_id: int, payload: TrainingAttendeesIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    session = queries.access_session(assessment, session_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    attendees = _partners(viewer, assessment, payload.attendee_ids, "attendee_ids")
    # Partners you may not know of keep their attendance: you could not name them.
    hidden = list(session.attendees.exclude(pk__in=queries.visible_partners(viewer, assessment).values("pk")))
    actions.set_attendance(session=session, attendees=[*attendees, *hidden], by=viewer)
    return _session_out(viewer, assessment, session.pk)


@router.post("/{int:assessment_id}/training/{int:session_id}/questions", response=documented({201: TrainingSessionOut}),
             summary="Record what a partner asked, and the answer if one was given")
def record_training_question(request, assessment_id: int, session_id: int, payload: TrainingQuestionIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    session = queries.access_session(assessment, session_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    asker = (_partners(viewer, assessment, [payload.asked_by_id], "asked_by_id")[0]
             if payload.asked_by_id is not None else None)
    actions.record_question(session=session, question=payload.question, asked_by=asker, answer=payload.answer,
                            by=viewer)
    return Status(201, _session_out(viewer, assessment, session.pk))


@router.post("/{int:assessment_id}/training/{int:session_id}/questions/{int:question_id}/answer",
             response=documented({200: TrainingSessionOut}), summary="Answer a question asked in a session")
def answer_training_question(request, assessment_id: int, session_id: int, question_id: int, payload: TrainingAnswerIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    session = queries.access_session(assessment, session_id)
    question = queries.access_question(session, question_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    actions.answer_question(question=question, answer=payload.answer, by=viewer)
    return _session_out(viewer, assessment, session.pk)


# Engagements --------------------------------------------------------------------------------------------------------

class AssessmentEngagementsIn(Schema):
    engagement_ids: list[Id] = Field(..., min_length=1, max_length=200)


class AssessmentEngagementOut(Schema):
    id: int
    title: str
    type: str
    starts_on: datetime.date
    ends_on: datetime.date
    loop_state: str


@router.get("/{int:assessment_id}/engagements", response=documented({200: list[AssessmentEngagementOut]}),
            summary="The engagements held inside the assessment")
def list_assessment_engagements(request, assessment_id: int):
    viewer = request.auth
    return list(queries.visible_engagements_of(viewer, queries.access_assessment(viewer, assessment_id)))


@router.post("/{int:assessment_id}/engagements", response=documented({200: list[AssessmentEngagementOut]}),
             summary="Say which of the organisation's engagements were held inside the assessment")
def link_assessment_engagements(request, assessment_id: int, payload: AssessmentEngagementsIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    found = list(visible_engagements(viewer).filter(pk__in=payload.engagement_ids))
    unknown = sorted(set(payload.engagement_ids) - {engagement.pk for engagement in found})
    if unknown:
        raise DjangoValidationError({"engagement_ids": [_("Unknown engagement: %(ids)s.") % {
            "ids": ", ".join(str(pk) for pk in unknown)}]})
    actions.link_engagements(assessment=assessment, engagements=found, by=viewer)
    return list(queries.visible_engagements_of(viewer, assessment))


@router.delete("/{int:assessment_id}/engagements/{int:engagement_id}", response=documented({204: None}),
               summary="Take an engagement out of the assessment (the engagement itself is unchanged)")
def unlink_assessment_engagement(request, assessment_id: int, engagement_id: int):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    engagement = access_engagement(viewer, engagement_id)  # another organisation's: "not found" for every role
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    actions.unlink_engagement(assessment=assessment, engagement=engagement, by=viewer)
    return Status(204, None)


# Findings -------------------------------------------------------------------------------------------------------------

class AssessmentFindingIn(Schema):
    title: str = Field(..., max_length=200)
    description: Text = ""
    countries: list[Country] = Field(default_factory=list, max_length=60,
                                     description="Among the assessment's countries; none: all of them")


class AssessmentFindingOut(Schema):
    id: int
    title: str
    description: str
    countries: list[str]
    risk_id: int | None
    risk_link: str = Field(description="\"created\", \"updated\" or \"\" (not linked yet)")
    linked_at: datetime.datetime | None
    recorded_at: datetime.datetime


class AssessmentFindingRiskUpdateIn(RiskPatch):
    risk_id: Id


@router.get("/{int:assessment_id}/findings", response=documented({200: list[AssessmentFindingOut]}),
            summary="What the assessment found, and the salient risks findings became or updated")
def list_assessment_findings(request, assessment_id: int):
    return list(queries.findings_of(queries.access_assessment(request.auth, assessment_id)))


@router.post("/{int:assessment_id}/findings", response=documented({201: AssessmentFindingOut}),
             summary="Record a finding")
def record_assessment_finding(request, assessment_id: int, payload: AssessmentFindingIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    finding = actions.record_finding(assessment=assessment, title=payload.title, description=payload.description,
                                     countries=payload.countries, by=viewer)
    return Status(201, finding)


@router.get("/{int:assessment_id}/findings/{int:finding_id}", response=documented({200: AssessmentFindingOut}),
            summary="One finding")
def get_assessment_finding(request, assessment_id: int, finding_id: int):
    return queries.access_finding(queries.access_assessment(request.auth, assessment_id), finding_id)


@router.post("/{int:assessment_id}/findings/{int:finding_id}/new-risk",
             response=documented({201: AssessmentFindingOut}),
             summary="Register a new salient risk from a finding (the risk register's rules apply); the finding "
                     "keeps the link and its countries join the risk's markets")
def assessment_finding_new_risk(request, assessment_id: int, finding_id: int, payload: RiskIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    finding = queries.access_finding(assessment, finding_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    _require(viewer, Capability.RISKS_EDIT)
    owner = _member(viewer, payload.owner_id, "owner_id")
    plan = actions.risk_actions.RiskPlan(
        **{name: _value(getattr(payload, name)) for name in (
            "title", "description", "product", "use_context", "affected_groups", "involvement", "scale", "scope",
            "irremediability", "likelihood", "review_on", "rights", "markets")}, owner=owner)
    actions.finding_becomes_risk(finding=finding, plan=plan, by=viewer)
    return Status(201, queries.access_finding(assessment, finding.pk))


@router.post("/{int:assessment_id}/findings/{int:finding_id}/update-risk",
             response=documented({200: AssessmentFindingOut}),
             summary="Update an existing salient risk with a finding (only the fields given change; `reason` goes "
                     "into the risk's history); the finding keeps the link")
def assessment_finding_update_risk(request, assessment_id: int, finding_id: int,
                                   payload: AssessmentFindingRiskUpdateIn):
    viewer = request.auth
    assessment = queries.access_assessment(viewer, assessment_id)
    finding = queries.access_finding(assessment, finding_id)
    risk = access_risk(viewer, payload.risk_id)  # another organisation's: "not found" for every role
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    _require(viewer, Capability.RISKS_EDIT)
    plan = actions.risk_plan_of(risk)
    given = payload.dict(exclude_unset=True)
    for name in ("title", "description", "product", "use_context", "affected_groups", "involvement", "scale",
                 "scope", "irremediability", "likelihood", "review_on", "rights", "markets"):
        if given.get(name) is not None:
            setattr(plan, name, _value(given[name]))
    if given.get("owner_id"):
        plan.owner = _member(viewer, given["owner_id"], "owner_id")
    actions.finding_updates_risk(finding=finding, risk=risk, plan=plan, reason=payload.reason, by=viewer)
    return queries.access_finding(assessment, finding.pk)


# Who was heard ------------------------------------------------------------------------------------------------------

class AssessmentGapOut(Schema):
    kind: str = Field(description="\"language\", \"country\", \"group\" or \"voices\"")
    text: str = Field(description="The gap in plain words, translated")
    codes: list[str] = Field(description="For a language gap the language then the countries; for a country gap the "
                                         "countries; for a group gap the group's uid")


class AssessmentGroupHeardOut(Schema):
    id: int
    name: str
    heard: bool


class AssessmentHeardOut(Schema):
    heard: HeardOut
    languages_heard: list[str]
    countries_heard: list[str]
    groups: list[AssessmentGroupHeardOut] = Field(
        description="The affected groups living in the assessment's countries")
    gaps: list[AssessmentGapOut]


@router.get("/{int:assessment_id}/heard", response=documented({200: AssessmentHeardOut}),
            summary="Who was heard in the assessment's engagements, checked against its countries' main languages "
                    "and affected groups, with each gap in plain words")
def assessment_heard(request, assessment_id: int):
    viewer = request.auth
    result = queries.heard_for(viewer, queries.access_assessment(viewer, assessment_id))
    return {"heard": heard_out(result.heard, viewer), "languages_heard": sorted(result.languages),
            "countries_heard": sorted(result.countries_heard),
            "groups": [{"id": group.pk, "name": group.name, "heard": was} for group, was in result.groups],
            "gaps": [{"kind": gap.kind, "text": gap.text, "codes": gap.codes} for gap in result.gaps]}
