"""The grievances section of the stakeholder portal (/portal/grievances/): raise a grievance, for oneself or, as
a credible proxy, for a group one represents; follow every case one raised or filed, answer, say how satisfied
one is, appeal, and take part in the remedy.

Every read starts from the portal session's stakeholder (`request.portal.stakeholder`): a case is theirs when
they are its `stakeholder` or its `proxy`, and any other id (another person's case, another organisation's, an
erased one, a remedy action of another plan) is a 404 like a missing one. No JavaScript; every action is a form
posting to this section, calling the same actions as the public follow-up page with `via=portal`.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.core.access import plausible_id
from rightsloop.core.forms import copy_errors
from rightsloop.portal.access import portal_view

from . import receipts, remedy_public_views, stages
from .actions import follow_up as person
from .actions import remedy as remedy_actions
from .actions.portal import mandated_groups, raise_from_portal
from .actions.remedy_answer import answer_proposed_remedy
from .models import CaseMessage, Grievance, RemedyAction
from .portal_forms import (
    AnswerForm,
    AppealForm,
    ProposalForm,
    RaiseForm,
    RemedyAgreementForm,
    ReplyForm,
    SatisfactionForm,
)
from .vocabulary import ActionStatus, MessageDirection, MessageVia, Stage

SESSION_RECEIPT_KEY = "rightsloop.grievances.portal_receipt"
PER_PAGE = 20
# Remedy actions still to be done: the next one's due date is the indicative time of the next step.
OPEN_ACTIONS = (ActionStatus.PLANNED, ActionStatus.DISPUTED)


# Reads: always from the session's stakeholder ---------------------------------------------------------------

def cases_of(stakeholder):
    """The cases this stakeholder raised (as the complainant known in the register) or filed as a proxy."""
    return (Grievance.objects.filter(organisation_id=stakeholder.organisation_id, erased_at__isnull=True)
            .filter(Q(stakeholder=stakeholder) | Q(proxy=stakeholder)))


def _next_action_due():
    return Subquery(RemedyAction.objects.filter(plan_id=OuterRef("remedy_plan_id"), status__in=OPEN_ACTIONS)
                    .order_by("due_on", "id").values("due_on")[:1])


def own_case(request, pk) -> Grievance:
    """One of the session stakeholder's cases, or 404."""
    if not plausible_id(pk):
        raise Http404
    grievance = (cases_of(request.portal.stakeholder).filter(pk=int(pk)).select_related("on_behalf_of")
                 .annotate(next_action_due=_next_action_due()).first())
    if grievance is None:
        raise Http404
    return grievance


def _next_step(grievance: Grievance):
    return stages.next_step(stage=grievance.stage, acknowledge_due_on=grievance.acknowledge_due_on,
                            respond_due_on=grievance.respond_due_on, responded=grievance.responded_at is not None,
                            action_due_on=getattr(grievance, "next_action_due", None))


def _case_url(grievance: Grievance, anchor: str = "") -> str:
    return reverse("portal:grievances:case", args=[grievance.pk]) + anchor


# The list and raising a grievance -----------------------------------------------------------------------------

@portal_view
@require_GET
def index(request):
    stakeholder = request.portal.stakeholder
    unseen = CaseMessage.objects.filter(grievance=OuterRef("pk"), direction=MessageDirection.TO_COMPLAINANT,
                                        seen_at__isnull=True)
    cases = (cases_of(stakeholder).select_related("on_behalf_of")
             .annotate(next_action_due=_next_action_due(), has_unseen=Exists(unseen))
             .only("id", "number", "stage", "received_at", "acknowledge_due_on", "respond_due_on", "responded_at",
                   "product", "proxy_id", "stakeholder_id", "remedy_plan_id", "on_behalf_of__name")
             .order_by("-received_at", "-id"))
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"case": case, "stage_meaning": stages.MEANING.get(case.stage, ""), "next_step": _next_step(case)}
            for case in page.object_list]
    return render(request, "grievances/portal/index.html", {"page": page, "rows": rows})


def _raise_page(request, form: RaiseForm, status: int = 200):
    return render(request, "grievances/portal/raise.html", {
        "form": form, "public_url": reverse("grievances-public:intake", args=[request.portal.organisation.slug]),
    }, status=status)


@portal_view
@require_http_methods(["GET", "POST"])
def raise_grievance(request):
    stakeholder = request.portal.stakeholder
    groups = list(mandated_groups(stakeholder))
    if request.method != "POST":
        return _raise_page(request, RaiseForm(groups=groups))
    form = RaiseForm(request.POST, groups=groups)
    if form.is_valid():
        try:
            submitted = raise_from_portal(stakeholder=stakeholder, report=form.report(language=request.portal.language),
                                          on_behalf_of=form.cleaned_data.get("on_behalf_of"),
                                          submission_key=form.cleaned_data["token"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            grievance = submitted.grievance
            # Kept only until the receipt page shows it once (POST, redirect, GET: a refresh cannot post again).
            request.session[SESSION_RECEIPT_KEY] = {
                "stakeholder": stakeholder.pk, "receipt": submitted.receipt, "case": grievance.label,
                "case_id": grievance.pk, "acknowledge_due_on": grievance.acknowledge_due_on.isoformat(),
                "respond_due_on": grievance.respond_due_on.isoformat(),
            }
            return HttpResponseRedirect(reverse("portal:grievances:receipt"), status=303)
    return _raise_page(request, form, status=400)


@portal_view
@require_GET
def receipt(request):
    """The receipt of the grievance just raised, shown once: then it is gone from the session too."""
    shown = request.session.get(SESSION_RECEIPT_KEY)
    context: dict = {"already_shown": True}
    if shown and shown.get("stakeholder") == request.portal.stakeholder.pk:
        del request.session[SESSION_RECEIPT_KEY]
        display = receipts.display(shown["receipt"])
        context = {
            "receipt": display, "groups": display.split(" "), "case": shown["case"],
            "case_url": reverse("portal:grievances:case", args=[shown["case_id"]]),
            "acknowledge_due_on": datetime.date.fromisoformat(shown["acknowledge_due_on"]),
            "respond_due_on": datetime.date.fromisoformat(shown["respond_due_on"]),
        }
    context["follow_up_url"] = reverse("grievances-public:follow-up-sign-in",
                                       args=[request.portal.organisation.slug])
    return render(request, "grievances/portal/receipt.html", context)


# One case -----------------------------------------------------------------------------------------------------

def _case_context(grievance: Grievance, *, stakeholder, remedy_forms: dict | None = None, **forms) -> dict:
    changes = list(grievance.stage_changes.order_by("at", "id"))
    conversation = list(CaseMessage.objects.filter(grievance=grievance).exclude(
        direction=MessageDirection.INTERNAL).order_by("created_at", "id"))
    for row in (*changes, *conversation):
        row.grievance = grievance  # the case's key, unwrapped once
    last_to_them = next((m for m in reversed(conversation) if m.direction == MessageDirection.TO_COMPLAINANT), None)
    awaiting_answer = last_to_them is not None and last_to_them.is_question and not any(
        m.direction == MessageDirection.FROM_COMPLAINANT and (m.created_at, m.pk) > (last_to_them.created_at,
                                                                                     last_to_them.pk)
        for m in conversation)
    context = {
        "grievance": grievance,
        "filed_as_proxy": grievance.proxy_id == stakeholder.pk,
        "stage": grievance.get_stage_display(),
        "meaning": stages.MEANING.get(grievance.stage, ""),
        "next_step": _next_step(grievance),
        "changes": changes,
        "conversation": conversation,
        "awaiting_answer": awaiting_answer,
        "has_outcome": person.has_outcome(grievance),
        "may_appeal": person.may_appeal(grievance),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "satisfaction_form": forms.get("satisfaction_form") or SatisfactionForm(initial={
            "satisfaction": grievance.satisfaction or None}),
        "appeal_form": forms.get("appeal_form") or AppealForm(),
        "page_errors": forms.get("page_errors") or [],
        # A remedy plan to follow, or a proposed remedy waiting for their answer.
        "has_remedy": grievance.remedy_plan_id is not None or grievance.stage == Stage.REMEDY_PROPOSED,
    }
    if context["has_remedy"]:
        # The follow-up page's remedy section reads the same; its forms post here instead (no receipt session).
        context.update(remedy_public_views.section_context(grievance, **(remedy_forms or {})))
    return context


def _case_page(request, grievance: Grievance, *, status: int = 200, **forms):
    context = _case_context(grievance, stakeholder=request.portal.stakeholder, **forms)
    return render(request, "grievances/portal/case.html", context, status=status)


def _done(request, grievance: Grievance, message: str, anchor: str):
    messages.success(request, message)
    return HttpResponseRedirect(_case_url(grievance, anchor), status=303)


@portal_view
@require_GET
def case(request, pk: int):
    grievance = own_case(request, pk)
    person.mark_seen(grievance)
    return _case_page(request, grievance)


@portal_view
@require_POST
def reply(request, pk: int):
    grievance = own_case(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            person.reply(grievance=grievance, text=form.cleaned_data["text"], via=MessageVia.PORTAL,
                         submission_key=form.cleaned_data["token"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return _done(request, grievance, _("Your message was sent."), "#messages")
    return _case_page(request, grievance, status=400, reply_form=form)


@portal_view
@require_POST
def satisfaction(request, pk: int):
    grievance = own_case(request, pk)
    form = SatisfactionForm(request.POST)
    if form.is_valid():
        try:
            person.give_satisfaction(grievance=grievance, satisfaction=form.cleaned_data["satisfaction"],
                                     note=form.cleaned_data["note"], via=MessageVia.PORTAL)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return _done(request, grievance, _("Thank you: we have what you said about the outcome."), "#outcome")
    return _case_page(request, grievance, status=400, satisfaction_form=form)


@portal_view
@require_POST
def appeal(request, pk: int):
    grievance = own_case(request, pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            person.appeal(grievance=grievance, reason=form.cleaned_data["reason"], via=MessageVia.PORTAL)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return _done(request, grievance, _("Your appeal was received. A different person will look at your "
                                               "case again."), "#stage")
    return _case_page(request, grievance, status=400, appeal_form=form)


@portal_view
@require_POST
def remedy_propose(request, pk: int):
    grievance = own_case(request, pk)
    if grievance.remedy_plan_id is None:
        raise Http404
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            remedy_actions.record_proposal(plan=grievance.remedy_plan, grievance=grievance,
                                           text=form.cleaned_data["text"], via=MessageVia.PORTAL,
                                           submission_key=form.cleaned_data["submission_key"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return _done(request, grievance, _("Thank you: we received your proposal and will answer it."),
                         "#remedy")
    return _case_page(request, grievance, status=400, remedy_forms={"proposal_form": form})


@portal_view
@require_POST
def remedy_answer(request, pk: int, action_pk: int):
    grievance = own_case(request, pk)
    if grievance.remedy_plan_id is None or not plausible_id(action_pk):
        raise Http404
    action = RemedyAction.objects.filter(pk=int(action_pk), plan_id=grievance.remedy_plan_id).first()
    if action is None:
        raise Http404
    form = AnswerForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            remedy_actions.confirm_or_dispute(action=action, grievance=grievance, answer=form.cleaned_data["answer"],
                                              note=form.cleaned_data["note"], via=MessageVia.PORTAL)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return _done(request, grievance, _("Thank you: we have your answer."), "#remedy")
    return _case_page(request, grievance, status=400,
                      remedy_forms={"answer_form": form, "answer_for": action.pk})


@portal_view
@require_POST
def remedy_agree(request, pk: int):
    """They agree to the remedy proposed on their case, or say what is wrong with it (actions.remedy_answer)."""
    grievance = own_case(request, pk)
    form = RemedyAgreementForm(request.POST)
    if form.is_valid():
        try:
            answer_proposed_remedy(grievance=grievance, agree=form.cleaned_data["agree"],
                                   note=form.cleaned_data["note"], via=MessageVia.PORTAL)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return _done(request, grievance, _("Thank you: we have your answer to the proposed remedy."), "#remedy")
    # No remedy waits for an answer any more (answered meanwhile, say): the form is not on the page, so say why above.
    hidden = grievance.stage != Stage.REMEDY_PROPOSED
    problems = [problem for listed in form.errors.values() for problem in listed] if hidden else []
    return _case_page(request, grievance, status=400, remedy_forms={"agreement_form": form}, page_errors=problems)
