"""The handler's pages (M2): the case list, a case with everything on it and a form per action, the
attachment download. Only holders of grievances.handle see any of it; an excluded handler gets 404, as for a
case that does not exist. Each POST calls one action in actions/cases.py and redirects back to the case, or
re-renders the case page with the form's errors (400)."""

from __future__ import annotations

import datetime
import mimetypes
from functools import wraps

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core import rights as rights_taxonomy
from rightsloop.core.access import plausible_id
from rightsloop.core.forms import copy_errors
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.stakeholders import reveals
from rightsloop.stakeholders.queries import access_stakeholder, shown_name, visible_groups
from rightsloop.stakeholders.vocabulary import AtRisk, Kind

from . import attachments as attachment_rules
from . import case_queries, queries, receipts, stages
from .actions import cases
from .actions.intake import submit_grievance
from .case_forms import (
    AcknowledgeForm,
    CaseFilterForm,
    ClassificationForm,
    ExclusionForm,
    HandlerForm,
    MessageForm,
    MoveForm,
    OutcomeForm,
    RecordForm,
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



# Recording a grievance received by another channel ----------------------------------

SESSION_RECORDED_KEY = "rightsloop.grievances.recorded"


def takes_files(view):
    """Cap the request body before anything reads it (the CSRF check included); too large: the form, 413."""
    protected = csrf_protect(view)

    @wraps(view)
    def capped(request, *args, **kwargs):
        cap = attachment_rules.cap_uploads(request)
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parsed here, under the cap
            except RequestDataTooBig:
                cap.too_large = True
            if cap.too_large:
                # Nothing is done with a refused body, so no CSRF check is needed to say so.
                return view(request, *args, too_large=cap.message(), **kwargs)
        return protected(request, *args, **kwargs)

    return csrf_exempt(capped)


def _linked(request, form: RecordForm) -> dict:
    """The stakeholder and proxy the form names, if the member may see them; errors on the form otherwise."""
    linked = {"stakeholder": None, "proxy": None}
    for name in linked:
        pk = form.cleaned_data.get(name)
        if pk is None:
            continue
        try:
            linked[name] = access_stakeholder(request.viewer, pk)
        except Http404:
            form.add_error(name, _("No stakeholder with this number that you may see."))
    proxy = linked["proxy"]
    if proxy is not None and proxy.kind != Kind.PROXY:
        form.add_error("proxy", _("This stakeholder is not recorded as a credible proxy."))
    return linked


@requires(Capability.GRIEVANCES_RECORD)
@require_http_methods(["GET", "POST"])
@never_cache
@takes_files
def record(request, too_large: str = ""):
    viewer = request.viewer
    bound = request.method == "POST"
    form = RecordForm(request.POST if bound else None, request.FILES if bound and not too_large else None,
                      groups=visible_groups(viewer).order_by("name", "id"))
    status = 200
    if too_large:
        form.is_valid()
        form.add_error("attachments", too_large)
        status = 413
    elif bound:
        if form.is_valid():
            linked = _linked(request, form)
        if form.is_valid():
            try:
                submitted = submit_grievance(
                    organisation=viewer.organisation, report=form.report(language=translation.get_language() or ""),
                    channel=form.cleaned_data["channel"], submission_key=form.cleaned_data["token"],
                    attachments=form.cleaned_data["attachments"], by=viewer,
                    on_behalf_of=form.cleaned_data["on_behalf_of"], **linked)
            except ValidationError as error:
                copy_errors(form, error)
            else:
                grievance = submitted.grievance
                # Kept only until the next page shows it once (POST, redirect, GET: a refresh cannot post again).
                request.session[SESSION_RECORDED_KEY] = {
                    "organisation": viewer.organisation.pk, "receipt": submitted.receipt, "case": grievance.label,
                    "case_id": grievance.pk, "created": submitted.created,
                    "acknowledge_due_on": grievance.acknowledge_due_on.isoformat(),
                    "respond_due_on": grievance.respond_due_on.isoformat(),
                }
                return redirect("grievances:recorded", permanent=False)
        status = 400
    return render(request, "grievances/cases/record.html", {"form": form}, status=status)


@requires(Capability.GRIEVANCES_RECORD)
@require_GET
@never_cache
def recorded(request):
    """The receipt of a grievance just recorded, shown once, to be read out or handed to the person."""
    shown = request.session.get(SESSION_RECORDED_KEY)
    context: dict = {"already_shown": True}
    if shown and shown.get("organisation") == request.viewer.organisation.pk:
        del request.session[SESSION_RECORDED_KEY]
        context = {
            "receipt": receipts.display(shown["receipt"]), "case": shown["case"], "case_id": shown["case_id"],
            "created": shown["created"],
            "acknowledge_due_on": datetime.date.fromisoformat(shown["acknowledge_due_on"]),
            "respond_due_on": datetime.date.fromisoformat(shown["respond_due_on"]),
            "can_open": request.viewer.can(Capability.GRIEVANCES_HANDLE),
        }
    return render(request, "grievances/cases/recorded.html", context)
