"""The affected person's side of a remedy plan, on the follow-up page: propose, confirm or dispute.

No sign-in and no JavaScript: the browser follows one case (follow_up.followed_case, opened with the receipt),
and every form here acts on that case only. An action of another case's plan is a 404, like a missing one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from rightsloop.core.access import plausible_id
from rightsloop.core.forms import copy_errors
from rightsloop.core.models import Organisation

from . import follow_up, remedy_queries
from .actions import remedy as actions
from .actions.remedy_answer import answer_proposed_remedy
from .models import Grievance, RemedyAction
from .remedy_forms import AnswerForm, ProposalForm, RemedyAgreementForm
from .vocabulary import ActionStatus, MessageVia, Stage

SECTION_TEMPLATE = "grievances/remedy/public_section.html"
# The follow-up page's own base (written with the intake) when it exists; a minimal one of ours otherwise.
BASE_TEMPLATES = ["grievances/public/base.html", "grievances/remedy/public_base.html"]
FOLLOW_UP_ROUTE = "grievances-public:follow-up"
SIGN_IN_ROUTES = ("grievances-public:follow-up-sign-in", "grievances-public:follow-up", "grievances-public:intake")


def _url(names, slug: str) -> str | None:
    for name in names:
        try:
            return reverse(name, args=[slug])
        except NoReverseMatch:
            continue
    return None


def section_context(grievance: Grievance, *, proposal_form: ProposalForm | None = None,
                    answer_form: AnswerForm | None = None, answer_for: int | None = None,
                    agreement_form: RemedyAgreementForm | None = None) -> dict:
    """What the person sees of their remedy: the plan's actions, their answers, their proposals and decisions."""
    asks_agreement = grievance.stage == Stage.REMEDY_PROPOSED
    if grievance.remedy_plan_id is None:
        return {"remedy_slug": grievance.organisation.slug, "remedy_actions": [], "remedy_proposals": [],
                "remedy_has_plan": False, "remedy_agreement_form": (agreement_form or RemedyAgreementForm())
                if asks_agreement else None, "ActionStatus": ActionStatus}
    actions_ = remedy_queries.plan_actions(grievance.remedy_plan)
    answered = remedy_queries.answered_since_delivery(actions_, grievance)
    for action in actions_:
        action.your_answer = answered.get(action.pk, "")
        action.may_answer = action.status == ActionStatus.DELIVERED and not action.your_answer
        action.answer_form = answer_form if answer_for == action.pk else (
            AnswerForm(prefix=f"a{action.pk}") if action.may_answer else None)
    return {
        "remedy_slug": grievance.organisation.slug,
        "remedy_actions": actions_,
        "remedy_proposals": remedy_queries.case_proposals(grievance),
        "remedy_proposal_form": proposal_form or ProposalForm(),
        "remedy_has_plan": True,
        "remedy_agreement_form": (agreement_form or RemedyAgreementForm()) if asks_agreement else None,
        "ActionStatus": ActionStatus,
    }


def follow_up_section(request, grievance: Grievance):
    """The remedy section of the follow-up page (follow_up.add_section); nothing when the case has no plan and no
    remedy is waiting for the person's answer."""
    if grievance.remedy_plan_id is None and grievance.stage != Stage.REMEDY_PROPOSED:
        return None
    return SECTION_TEMPLATE, section_context(grievance)


# The language the person chose on the grievance pages (by ?lang= link), kept in their session by those pages.
SESSION_LANGUAGE_KEY = "rightsloop.grievances.language"


def _language(request, organisation, grievance: Grievance | None = None) -> str:
    """As the other grievance pages choose it: by link, else as chosen before, else the language we write to the
    person in about their case, else the browser's, else the organisation's."""
    available = dict(settings.LANGUAGES)
    chosen = request.GET.get("lang", "")
    if chosen in available:
        if request.session.get(SESSION_LANGUAGE_KEY) != chosen:
            request.session[SESSION_LANGUAGE_KEY] = chosen
        return chosen
    kept = request.session.get(SESSION_LANGUAGE_KEY, "")
    if kept in available:
        return kept
    if grievance is not None:
        grievance.organisation = organisation
        return grievance.complainant_language
    current = translation.get_language() or ""
    if current in available:
        return current
    from rightsloop.core.languages import stakeholder_language

    # Nobody is known yet: the fall-back order's last steps (docs/languages.md).
    return stakeholder_language(organisation_language=organisation.default_language)


def _case(request, slug: str):
    """The organisation and the case this browser follows in it; None for the case when there is none."""
    organisation = get_object_or_404(Organisation, slug=slug)
    return organisation, follow_up.followed_case(request, organisation)


def _to_sign_in(slug: str):
    return redirect(_url(SIGN_IN_ROUTES, slug) or "/")


def _page(request, organisation, grievance: Grievance, *, status: int = 200, **forms):
    language = _language(request, organisation, grievance)
    with translation.override(language):
        context = {"organisation": organisation, "grievance": grievance,
                   "languages": list(settings.LANGUAGES), "base_template": select_template(BASE_TEMPLATES),
                   "follow_up_url": _url([FOLLOW_UP_ROUTE], organisation.slug),
                   "page_url": reverse("grievances-public:remedy", args=[organisation.slug]),
                   "section_template": SECTION_TEMPLATE if (
                       grievance.remedy_plan_id or grievance.stage == Stage.REMEDY_PROPOSED) else None}
        if context["section_template"]:
            context.update(section_context(grievance, **forms))
        response = render(request, "grievances/remedy/public_page.html", context, status=status)
    response.headers["Content-Language"] = language
    return response


def _back(organisation, grievance) -> str:
    """Where a successful post goes: the follow-up page's remedy section, or our own page."""
    url = _url([FOLLOW_UP_ROUTE], organisation.slug) or reverse("grievances-public:remedy", args=[organisation.slug])
    return f"{url}#remedy"


@login_not_required
@never_cache
@require_GET
def remedy_page(request, slug: str):
    organisation, grievance = _case(request, slug)
    if grievance is None:
        return _to_sign_in(slug)
    return _page(request, organisation, grievance)


@login_not_required
@never_cache
@require_POST
def propose(request, slug: str):
    organisation, grievance = _case(request, slug)
    if grievance is None:
        return _to_sign_in(slug)
    if grievance.remedy_plan_id is None:
        raise Http404
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            actions.record_proposal(plan=grievance.remedy_plan, grievance=grievance, text=form.cleaned_data["text"],
                                    via=MessageVia.FOLLOW_UP, submission_key=form.cleaned_data["submission_key"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return redirect(_back(organisation, grievance))
    return _page(request, organisation, grievance, status=400, proposal_form=form)


@login_not_required
@never_cache
@require_POST
def answer(request, slug: str, action_pk: int):
    organisation, grievance = _case(request, slug)
    if grievance is None:
        return _to_sign_in(slug)
    if grievance.remedy_plan_id is None or not plausible_id(action_pk):
        raise Http404
    action = RemedyAction.objects.filter(pk=action_pk, plan_id=grievance.remedy_plan_id).first()
    if action is None:
        raise Http404
    form = AnswerForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            actions.confirm_or_dispute(action=action, grievance=grievance, answer=form.cleaned_data["answer"],
                                       note=form.cleaned_data["note"], via=MessageVia.FOLLOW_UP)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return redirect(_back(organisation, grievance))
    return _page(request, organisation, grievance, status=400, answer_form=form, answer_for=action.pk)


@login_not_required
@never_cache
@require_POST
def agree(request, slug: str):
    """The person agrees to the proposed remedy, or says what is wrong with it (actions/remedy_answer.py)."""
    organisation, grievance = _case(request, slug)
    if grievance is None:
        return _to_sign_in(slug)
    form = RemedyAgreementForm(request.POST)
    if form.is_valid():
        try:
            answer_proposed_remedy(grievance=grievance, agree=form.cleaned_data["agree"],
                                   note=form.cleaned_data["note"], via=MessageVia.FOLLOW_UP)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return redirect(_back(organisation, grievance))
    return _page(request, organisation, grievance, status=400, agreement_form=form)
