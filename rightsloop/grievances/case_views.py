"""The handler's pages (M2): the case list, a case with everything on it and a form per action, the
attachment download. Only holders of grievances.handle see any of it; an excluded handler gets 404, as for a
case that does not exist. Each POST calls one action in actions/cases.py and redirects back to the case, or
re-renders the case page with the form's errors (400)."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core import rights as rights_taxonomy
from rightsloop.core.access import plausible_id
from rightsloop.core.forms import copy_errors
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.stakeholders import reveals
from rightsloop.stakeholders.queries import shown_name
from rightsloop.stakeholders.vocabulary import AtRisk

from . import case_queries, queries, stages
from .actions import cases
from .case_forms import (
    AcknowledgeForm,
    CaseFilterForm,
    ClassificationForm,
    ExclusionForm,
    HandlerForm,
    MessageForm,
    MoveForm,
    OutcomeForm,
    send,
)
from .vocabulary import Mode, Stage


@requires(Capability.GRIEVANCES_HANDLE)
@require_GET
def case_list(request):
    viewer = request.viewer
    today = timezone.localdate()
    form = CaseFilterForm(request.GET or None)
    found = case_queries.case_list(viewer, form.filters(), today=today)
    count, more = case_queries.limited_count(found)
    page = paginate(request, found, count=count)
    case_queries.decorate(page.object_list, today)
    return render(request, "grievances/cases/list.html", {
        "form": form, "page": page, "count": count, "more": more, "query": query_without_page(request),
        "can_record": viewer.can(Capability.GRIEVANCES_RECORD), "today": today,
    })


def _name(request, stakeholder) -> str:
    if stakeholder is None:
        return ""
    return shown_name(stakeholder, request.viewer, revealed=reveals.is_revealed(request, stakeholder))


def _members(grievance):
    """Members who can still be excluded from the case: the handlers not already kept out."""
    return queries.handlers(grievance.organisation, grievance=grievance)


def _case_page(request, grievance, *, status: int = 200, **bound):
    """Render the case with every form; `bound` holds the form that failed, to show its errors."""
    today = timezone.localdate()
    cases.record_case_read(grievance=grievance, by=request.viewer, where=request.path)
    handlers = queries.handlers(grievance.organisation, grievance=grievance)
    classification_initial = {"rights": grievance.rights, "at_risk": grievance.at_risk,
                              "product": grievance.product, "country": grievance.country}
    context = {
        "case": grievance,
        "deadline": case_queries.next_deadline(grievance, today),
        "meaning": stages.MEANING.get(grievance.stage, ""),
        "country_name": case_queries.country_name(grievance.country),
        "rights_names": [rights_taxonomy.name(code) for code in grievance.rights],
        "at_risk_names": [AtRisk(code).label if code in AtRisk.values else code for code in grievance.at_risk],
        "stakeholder_name": _name(request, grievance.stakeholder),
        "proxy_name": _name(request, grievance.proxy),
        "identity_kept": grievance.mode != Mode.ANONYMOUS,
        "acknowledge_form": bound.get("acknowledge_form") or AcknowledgeForm(),
        "move_form": bound.get("move_form") or MoveForm(current=grievance.stage),
        "handler_form": bound.get("handler_form") or HandlerForm(handlers=handlers,
                                                                 initial={"handler": grievance.handler_id}),
        "exclusion_form": bound.get("exclusion_form") or ExclusionForm(members=_members(grievance)),
        "message_form": bound.get("message_form") or MessageForm(),
        "outcome_form": bound.get("outcome_form") or OutcomeForm(initial={"summary": grievance.outcome_summary}),
        "classification_form": bound.get("classification_form") or ClassificationForm(
            initial=classification_initial),
        "can_move": bool(stages.NEXT.get(grievance.stage)),
        "received": grievance.stage == Stage.RECEIVED,
        "not_admissible": Stage.NOT_ADMISSIBLE,
        **case_queries.case_page(grievance),
    }
    return render(request, "grievances/cases/case.html", context, status=status)


@requires(Capability.GRIEVANCES_HANDLE)
@require_GET
def case_detail(request, pk: int):
    grievance = queries.access_case(request.viewer, pk)
    return _case_page(request, grievance)


def _act(request, pk, *, name: str, form, run, done: str):
    """Validate `form`, call `run(cleaned_data)`; redirect on success, or show the case with the errors."""
    grievance = queries.access_case(request.viewer, pk)
    bound = form(grievance)
    if bound.is_valid():
        try:
            run(grievance, bound.cleaned_data)
        except ValidationError as error:
            copy_errors(bound, error)
        else:
            messages.success(request, done)
            return redirect("grievances:case", pk=grievance.pk)
    grievance = queries.access_case(request.viewer, pk)  # re-read: nothing of the refused change shows
    return _case_page(request, grievance, status=400, **{name: bound})


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def acknowledge(request, pk: int):
    return _act(request, pk, name="acknowledge_form", form=lambda g: AcknowledgeForm(request.POST),
                run=lambda g, data: cases.acknowledge(grievance=g, note=data["note"], by=request.viewer),
                done=_("Acknowledged: the person sees it on their follow-up page."))


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def move(request, pk: int):
    return _act(request, pk, name="move_form", form=lambda g: MoveForm(request.POST, current=g.stage),
                run=lambda g, data: cases.move_stage(grievance=g, to=data["to"], note=data["note"],
                                                     reasons=data["reasons"], by=request.viewer),
                done=_("Stage changed."))


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def assign(request, pk: int):
    return _act(request, pk, name="handler_form",
                form=lambda g: HandlerForm(request.POST, handlers=queries.handlers(g.organisation, grievance=g)),
                run=lambda g, data: cases.assign_handler(grievance=g, handler=data["handler"], by=request.viewer),
                done=_("Handler changed."))


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def exclude(request, pk: int):
    def run(grievance, data):
        cases.exclude_handler(grievance=grievance, user=data["user"], reason=data["reason"], by=request.viewer)

    response = _act(request, pk, name="exclusion_form",
                    form=lambda g: ExclusionForm(request.POST, members=_members(g)), run=run,
                    done=_("Excluded from the case."))
    if response.status_code == 302 and not queries.cases_for(request.viewer).filter(pk=pk).exists():
        # They kept themselves out: the case is no longer theirs to see.
        return redirect("grievances:list")
    return response


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def message(request, pk: int):
    return _act(request, pk, name="message_form", form=lambda g: MessageForm(request.POST),
                run=lambda g, data: send(data["kind"], grievance=g, text=data["text"], by=request.viewer),
                done=_("Saved."))


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def outcome(request, pk: int):
    return _act(request, pk, name="outcome_form", form=lambda g: OutcomeForm(request.POST),
                run=lambda g, data: cases.record_outcome(grievance=g, summary=data["summary"], by=request.viewer),
                done=_("Outcome recorded."))


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def rights_review(request, pk: int):
    grievance = queries.access_case(request.viewer, pk)
    try:
        cases.review_rights(grievance=grievance, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _case_page(request, queries.access_case(request.viewer, pk), status=400)
    messages.success(request, _("The outcome is recorded as reviewed for rights compatibility."))
    return redirect("grievances:case", pk=grievance.pk)


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def classify(request, pk: int):
    return _act(request, pk, name="classification_form", form=lambda g: ClassificationForm(request.POST),
                run=lambda g, data: cases.set_classification(
                    grievance=g, rights=data["rights"], at_risk=data["at_risk"], product=data["product"],
                    country=data["country"], by=request.viewer),
                done=_("Classification saved."))


@requires(Capability.GRIEVANCES_HANDLE)
@require_GET
def attachment(request, pk: int, attachment_pk: int):
    """Download a file given with the case: always as a download of opaque bytes, never shown in the browser."""
    grievance = queries.access_case(request.viewer, pk)
    if not plausible_id(attachment_pk):
        raise Http404
    found = grievance.attachments.filter(pk=attachment_pk).first()
    if found is None or not found.file:
        raise Http404
    cases.record_attachment_read(grievance=grievance, attachment_id=found.pk, by=request.viewer)
    # The name they gave the file can say who they are: the download is named after the case instead.
    extension = mimetypes.guess_extension(found.content_type or "") or ".bin"
    response = FileResponse(found.file.open("rb"), as_attachment=True,
                             filename=f"{grievance.label}-attachment-{found.pk}{extension}",
                             content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store, private"
    return response

