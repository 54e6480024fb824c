"""Pages of regional and country assessments (G1): parse, call an action or a query, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core import languages as language_names
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors
from rightsloop.engagements.queries import access_engagement
from rightsloop.risks.forms import RiskForm, risk_initial
from rightsloop.risks.queries import access_risk, visible_risks
from rightsloop.stakeholders.queries import shown_name

from . import actions, queries
from .forms import (
    AnswerForm,
    AssessmentForm,
    AttendanceForm,
    EngagementsForm,
    FindingForm,
    LinkRiskForm,
    PartnerChangeForm,
    PartnerForm,
    PhaseForm,
    QuestionForm,
    SessionForm,
    assessment_initial,
)
from .vocabulary import PhaseKind, Status

# At most this many candidate partners are offered in the form, those of the assessment's countries first.
MAX_CANDIDATES = 500


def _status(request) -> int:
    return 400 if request.method == "POST" else 200


def _country_names(codes) -> list[str]:
    return [queries.country_in_prose(code) for code in codes]


def _partner_names(partners, viewer) -> dict[int, str]:
    return {partner.pk: queries.partner_name(partner, viewer) for partner in partners}


# The list and the assessment -------------------------------------------------------------------------------------

@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def assessment_list(request):
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    assessments = list(queries.assessment_list(request.viewer, status=status))
    for assessment in assessments:
        assessment.country_names = _country_names(assessment.countries)
    return render(request, "assessments/list.html", {
        "assessments": assessments, "status": status, "statuses": Status.choices,
        "can_edit": request.viewer.can(Capability.ENGAGEMENTS_EDIT),
    })


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def assessment_create(request):
    viewer = request.viewer
    form = AssessmentForm(request.POST or None, organisation=viewer.organisation,
                          initial={"owner": viewer.user, "status": Status.PLANNED})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = actions.create_assessment(plan=form.plan(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Assessment started. Plan its phases and add its local partners."))
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "assessments/form.html", {"form": form}, status=_status(request))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    form = AssessmentForm(request.POST or None, organisation=viewer.organisation,
                          initial=assessment_initial(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_assessment(assessment=assessment, plan=form.plan(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Assessment saved."))
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "assessments/form.html", {"form": form, "assessment": assessment},
                  status=_status(request))


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def assessment_detail(request, pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk)
    today = timezone.localdate()
    phases = list(queries.phases_of(assessment))
    partners = list(queries.visible_partners(viewer, assessment))
    for partner in partners:
        partner.shown_name = queries.partner_name(partner, viewer)
        partner.language_names = [language_names.name(code) for code in partner.languages]
    heard = queries.heard_for(viewer, assessment)
    planned = {phase.kind for phase in phases}
    sessions = queries.training_for(viewer, assessment)
    for view in sessions:
        view.language_name = language_names.name(view.session.language)
    return render(request, "assessments/detail.html", {
        "assessment": assessment, "country_names": _country_names(assessment.countries),
        "phases": phases, "chart": queries.timeline_chart(assessment, phases, today=today),
        "unplanned": [label for kind, label in PhaseKind.choices if kind not in planned],
        "partners": partners, "sessions": sessions,
        "engagements": list(queries.visible_engagements_of(viewer, assessment)),
        "findings": list(queries.findings_of(assessment)), "heard": heard,
        "can_edit": viewer.can(Capability.ENGAGEMENTS_EDIT), "today": today,
    })


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def heard(request, pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk)
    heard = queries.heard_for(viewer, assessment)
    rows = [(queries.country_in_prose(code), code in heard.countries_heard, heard.heard.by_country.get(code, 0),
             [(language_names.name(language), language in heard.languages)
              for language in language_names.main_languages(code)])
            for code in assessment.countries]
    return render(request, "assessments/heard.html", {"assessment": assessment, "heard": heard, "rows": rows})


# Phases ------------------------------------------------------------------------------------------------------

@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def phase_add(request, pk: int):
    assessment = queries.access_assessment(request.viewer, pk, for_update=True)
    kind = request.GET.get("kind", "")
    form = PhaseForm(request.POST or None, initial={
        "kind": kind if kind in PhaseKind.values else "", "starts_on": assessment.starts_on,
        "ends_on": assessment.ends_on, "progress": 0})
    return _save_phase(request, assessment, form, None)


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def phase_edit(request, pk: int, phase_pk: int):
    assessment = queries.access_assessment(request.viewer, pk, for_update=True)
    phase = queries.access_phase(assessment, phase_pk)
    form = PhaseForm(request.POST or None, initial={
        "kind": phase.kind, "starts_on": phase.starts_on, "ends_on": phase.ends_on, "progress": phase.progress,
        "done": phase.is_done, "notes": phase.notes})
    form.fields["kind"].disabled = True
    return _save_phase(request, assessment, form, phase)


def _save_phase(request, assessment, form, phase):
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_phase(assessment=assessment, plan=form.plan(), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Phase saved."))
            return redirect(reverse("assessments:detail", args=[assessment.pk]) + "#timeline")
    return render(request, "assessments/phase_form.html", {"form": form, "assessment": assessment,
                                                           "phase": phase}, status=_status(request))


def _removing_phase(request, pk: int, phase_pk: int) -> Confirmation:
    assessment = queries.access_assessment(request.viewer, pk, for_update=True)
    phase = queries.access_phase(assessment, phase_pk)
    return Confirmation(
        title=_("Remove the phase “%(phase)s” from the timeline?") % {"phase": phase.get_kind_display()},
        losses=[_("Its dates, progress and notes are removed from the timeline.")],
        kept=[_("The removal is audited; the phase can be planned again.")],
        confirm_label=_("Remove the phase"), back_url=reverse("assessments:detail", args=[assessment.pk]))


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_removing_phase)
@require_POST
def phase_remove(request, pk: int, phase_pk: int):
    assessment = queries.access_assessment(request.viewer, pk, for_update=True)
    actions.remove_phase(phase=queries.access_phase(assessment, phase_pk), by=request.viewer)
    messages.success(request, _("Phase removed."))
    return redirect("assessments:detail", pk=assessment.pk)


# Local partners --------------------------------------------------------------------------------------------------

def _candidates(viewer, assessment):
    candidates = queries.partner_candidates(viewer, assessment)
    local = list(candidates.filter(country__in=assessment.countries).order_by("-created_at", "-id")[:MAX_CANDIDATES])
    return candidates.filter(pk__in=[stakeholder.pk for stakeholder in local]), local


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def partner_add(request, pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    candidates, local = _candidates(viewer, assessment)
    chosen = request.POST.get("stakeholder") or request.GET.get("stakeholder")
    if chosen and str(chosen).isdigit() and not any(str(s.pk) == str(chosen) for s in local):
        # A stakeholder chosen from their own page, outside the assessment's countries: offered too.
        candidates = candidates | queries.partner_candidates(viewer, assessment).filter(pk=int(chosen))
        local += list(queries.partner_candidates(viewer, assessment).filter(pk=int(chosen)))
    names = {stakeholder.pk: shown_name(stakeholder, viewer) for stakeholder in local}
    form = PartnerForm(request.POST or None, candidates=candidates, names=names,
                       initial={"stakeholder": chosen} if chosen else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_partner(assessment=assessment, stakeholder=data["stakeholder"], role=data["role"],
                                languages=data["languages"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Partner added."))
            return redirect(reverse("assessments:detail", args=[assessment.pk]) + "#partners")
    return render(request, "assessments/partner_form.html", {"form": form, "assessment": assessment},
                  status=_status(request))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def partner_edit(request, pk: int, partner_pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    partner = queries.access_partner(viewer, assessment, partner_pk)
    form = PartnerChangeForm(request.POST or None, initial={"role": partner.role, "languages": partner.languages})
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_partner(partner=partner, role=form.cleaned_data["role"],
                                   languages=form.cleaned_data["languages"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Partner saved."))
            return redirect(reverse("assessments:detail", args=[assessment.pk]) + "#partners")
    return render(request, "assessments/partner_form.html", {
        "form": form, "assessment": assessment, "partner": partner,
        "shown_name": queries.partner_name(partner, viewer)}, status=_status(request))


def _removing_partner(request, pk: int, partner_pk: int) -> Confirmation:
    assessment = queries.access_assessment(request.viewer, pk, for_update=True)
    partner = queries.access_partner(request.viewer, assessment, partner_pk)
    return Confirmation(
        title=_("Remove %(name)s from the assessment's partners?") % {
            "name": queries.partner_name(partner, request.viewer)},
        losses=[_("Their role and languages in this assessment, and their attendance at its training sessions.")],
        kept=[_("The questions they asked stay, no longer tied to them. The removal is audited.")],
        confirm_label=_("Remove the partner"), back_url=reverse("assessments:detail", args=[assessment.pk]))


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_removing_partner)
@require_POST
def partner_remove(request, pk: int, partner_pk: int):
    assessment = queries.access_assessment(request.viewer, pk, for_update=True)
    actions.remove_partner(partner=queries.access_partner(request.viewer, assessment, partner_pk), by=request.viewer)
    messages.success(request, _("Partner removed."))
    return redirect("assessments:detail", pk=assessment.pk)


# Training ------------------------------------------------------------------------------------------------------

def _training_forms(viewer, assessment):
    partners = queries.visible_partners(viewer, assessment)
    return partners, _partner_names(partners, viewer)


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def session_add(request, pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    partners, names = _training_forms(viewer, assessment)
    form = SessionForm(request.POST or None, request.FILES or None, partners=partners, names=names,
                       initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.record_training_session(
                assessment=assessment, by=viewer, material_file=data["material_file"],
                plan=actions.SessionPlan(held_on=data["held_on"], title=data["title"], language=data["language"],
                                         material=data["material"], attendees=list(data["attended"])))
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Training session recorded."))
            return redirect("assessments:session", pk=assessment.pk, session_pk=session.pk)
    return render(request, "assessments/session_form.html", {"form": form, "assessment": assessment},
                  status=_status(request))


def _session_page(request, assessment, session, *, attendance=None, question=None, status=200):
    viewer = request.viewer
    partners, names = _training_forms(viewer, assessment)
    view = next(view for view in queries.training_for(viewer, assessment) if view.session.pk == session.pk)
    can_edit = viewer.can(Capability.ENGAGEMENTS_EDIT)
    return render(request, "assessments/session.html", {
        "assessment": assessment, "view": view, "session": view.session, "can_edit": can_edit,
        "language_name": language_names.name(session.language),
        "attendance_form": attendance or AttendanceForm(
            partners=partners, names=names, initial={"attended": [p.pk for p, _name in view.attendees]}),
        "question_form": question or QuestionForm(partners=partners, names=names),
        "answer_form": AnswerForm(),
    }, status=status)


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def session_detail(request, pk: int, session_pk: int):
    assessment = queries.access_assessment(request.viewer, pk)
    return _session_page(request, assessment, queries.access_session(assessment, session_pk))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_POST
def session_attendance(request, pk: int, session_pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    session = queries.access_session(assessment, session_pk)
    partners, names = _training_forms(viewer, assessment)
    form = AttendanceForm(request.POST, partners=partners, names=names)
    if form.is_valid():
        # Partners the viewer may not know of keep their attendance: the form could not show them.
        hidden = list(session.attendees.exclude(pk__in=partners.values("pk")))
        actions.set_attendance(session=session, attendees=[*form.cleaned_data["attended"], *hidden], by=viewer)
        messages.success(request, _("Attendance saved."))
        return redirect("assessments:session", pk=assessment.pk, session_pk=session.pk)
    return _session_page(request, assessment, session, attendance=form, status=400)


@requires(Capability.ENGAGEMENTS_EDIT)
@require_POST
def question_add(request, pk: int, session_pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    session = queries.access_session(assessment, session_pk)
    partners, names = _training_forms(viewer, assessment)
    form = QuestionForm(request.POST, partners=partners, names=names)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_question(session=session, question=data["question"], asked_by=data["asked_by"],
                                    answer=data["answer"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Question recorded."))
            return redirect(reverse("assessments:session", args=[assessment.pk, session.pk]) + "#questions")
    return _session_page(request, assessment, session, question=form, status=400)


@requires(Capability.ENGAGEMENTS_EDIT)
@require_POST
def question_answer(request, pk: int, session_pk: int, question_pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    session = queries.access_session(assessment, session_pk)
    question = queries.access_question(session, question_pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        actions.answer_question(question=question, answer=form.cleaned_data["answer"], by=viewer)
        messages.success(request, _("Answer saved."))
    else:
        messages.error(request, _("Write the answer."))
    return redirect(reverse("assessments:session", args=[assessment.pk, session.pk]) + "#questions")


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def session_material(request, pk: int, session_pk: int):
    assessment = queries.access_assessment(request.viewer, pk)
    session = queries.access_session(assessment, session_pk)
    if not session.material_file:
        raise Http404
    # Opened through the sealed storage: decrypted chunk by chunk as it is sent.
    return FileResponse(session.material_file.open("rb"), as_attachment=True,
                        filename=session.material_file_name or "material")


# Engagements ---------------------------------------------------------------------------------------------------

@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def engagements_link(request, pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    form = EngagementsForm(request.POST or None, candidates=queries.engagement_candidates(viewer, assessment))
    if request.method == "POST" and form.is_valid():
        try:
            actions.link_engagements(assessment=assessment, engagements=list(form.cleaned_data["engagements"]),
                                     by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Engagements added to the assessment."))
            return redirect(reverse("assessments:detail", args=[assessment.pk]) + "#engagements")
    return render(request, "assessments/engagements_form.html", {"form": form, "assessment": assessment},
                  status=_status(request))


def _unlinking(request, pk: int, engagement_pk: int) -> Confirmation:
    assessment = queries.access_assessment(request.viewer, pk, for_update=True)
    engagement = access_engagement(request.viewer, engagement_pk)
    return Confirmation(
        title=_("Take “%(engagement)s” out of the assessment?") % {"engagement": engagement.title},
        losses=[_("Its inputs no longer count in who was heard in the assessment.")],
        kept=[_("The engagement itself, its inputs and decisions are unchanged.")],
        confirm_label=_("Take it out"), back_url=reverse("assessments:detail", args=[assessment.pk]))


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_unlinking)
@require_POST
def engagement_unlink(request, pk: int, engagement_pk: int):
    assessment = queries.access_assessment(request.viewer, pk, for_update=True)
    engagement = access_engagement(request.viewer, engagement_pk)
    actions.unlink_engagement(assessment=assessment, engagement=engagement, by=request.viewer)
    messages.success(request, _("Engagement taken out of the assessment."))
    return redirect("assessments:detail", pk=assessment.pk)


# Findings -------------------------------------------------------------------------------------------------------

@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def finding_add(request, pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    form = FindingForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = actions.record_finding(assessment=assessment, title=data["title"],
                                             description=data["description"], countries=data["countries"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Finding recorded."))
            return redirect("assessments:finding", pk=assessment.pk, finding_pk=finding.pk)
    return render(request, "assessments/finding_form.html", {"form": form, "assessment": assessment},
                  status=_status(request))


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def finding_detail(request, pk: int, finding_pk: int):
    viewer = request.viewer
    assessment = queries.access_assessment(viewer, pk)
    finding = queries.access_finding(assessment, finding_pk)
    may_link = (finding.risk_id is None and viewer.can(Capability.ENGAGEMENTS_EDIT)
                and viewer.can(Capability.RISKS_EDIT))
    return render(request, "assessments/finding.html", {
        "assessment": assessment, "finding": finding, "country_names": _country_names(finding.countries),
        "may_link": may_link,
        "link_form": LinkRiskForm(risks=visible_risks(viewer).open().order_by("title")) if may_link else None,
        "risk_visible": finding.risk_id is not None and visible_risks(viewer).filter(pk=finding.risk_id).exists(),
    })


def _finding_for_risk(request, pk: int, finding_pk: int):
    viewer = request.viewer
    if not viewer.can(Capability.RISKS_EDIT):
        raise Http404
    assessment = queries.access_assessment(viewer, pk, for_update=True)
    finding = queries.access_finding(assessment, finding_pk)
    if finding.risk_id is not None:
        messages.info(request, _("This finding is already linked to a salient risk."))
        return assessment, finding, redirect("assessments:finding", pk=assessment.pk, finding_pk=finding.pk)
    return assessment, finding, None


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def finding_new_risk(request, pk: int, finding_pk: int):
    viewer = request.viewer
    assessment, finding, done = _finding_for_risk(request, pk, finding_pk)
    if done:
        return done
    form = RiskForm(request.POST or None, organisation=viewer.organisation, creating=True, initial={
        "title": finding.title, "description": finding.description, "product": assessment.technology,
        "markets": actions.finding_markets(finding), "owner": viewer.user,
        "review_on": timezone.localdate() + datetime.timedelta(days=90)})
    if request.method == "POST" and form.is_valid():
        try:
            risk = actions.finding_becomes_risk(finding=finding, plan=form.plan(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The finding became a salient risk."))
            return redirect("risks:detail", pk=risk.pk)
    return render(request, "assessments/finding_risk_form.html", {
        "form": form, "assessment": assessment, "finding": finding, "risk": None}, status=_status(request))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def finding_update_risk(request, pk: int, finding_pk: int):
    viewer = request.viewer
    assessment, finding, done = _finding_for_risk(request, pk, finding_pk)
    if done:
        return done
    risk_pk = request.POST.get("risk") or request.GET.get("risk")
    if not risk_pk:
        messages.info(request, _("Choose the salient risk the finding updates."))
        return redirect("assessments:finding", pk=assessment.pk, finding_pk=finding.pk)
    risk = access_risk(viewer, risk_pk)
    if risk.closed_at is not None:
        raise Http404
    initial = risk_initial(risk)
    initial["markets"] = sorted(set(initial["markets"]) | set(actions.finding_markets(finding)))
    form = RiskForm(request.POST or None, organisation=viewer.organisation, creating=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.finding_updates_risk(finding=finding, risk=risk, plan=form.plan(),
                                         reason=form.cleaned_data["reason"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The salient risk was updated from the finding."))
            return redirect("risks:detail", pk=risk.pk)
    return render(request, "assessments/finding_risk_form.html", {
        "form": form, "assessment": assessment, "finding": finding, "risk": risk}, status=_status(request))
