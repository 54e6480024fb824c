"""The public grievance pages under /g/<organisation-slug>/: raise a grievance, get a receipt, follow the case.

No sign-in (opted out visibly with @login_not_required), no JavaScript, no address of anyone read or kept, every
response marked no-store. The language is chosen by a link (?lang=es) and kept in the session; the person's case
is opened by typing its receipt once (follow_up.open_case), and the session then holds only the case's id (and,
unless a language was chosen, its pages speak the complainant's language).
"""

from __future__ import annotations

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from rightsloop.core.models import Organisation

from . import attachments as attachment_rules
from . import follow_up, receipts, stages, throttle
from .actions import follow_up as person
from .actions.intake import GrievanceReport, submit_grievance
from .intake_forms import WAYS, AppealForm, AttachmentForm, IntakeForm, ReceiptForm, ReplyForm, SatisfactionForm
from .models import CaseAttachment, CaseMessage, Grievance, GrievanceSettings
from .vocabulary import Channel, MessageDirection, MessageVia, Mode

SESSION_LANGUAGE_KEY = "rightsloop.grievances.language"
SESSION_RECEIPT_KEY = "rightsloop.grievances.receipt"


def _organisation(slug: str) -> Organisation:
    found = Organisation.objects.filter(slug=slug).first() if len(slug) <= 50 else None
    if found is None:
        raise Http404
    return found


def _mechanism(organisation: Organisation) -> GrievanceSettings:
    """The organisation's settings, or the defaults (unsaved: a visit writes nothing)."""
    return (GrievanceSettings.objects.filter(organisation=organisation).first()
            or GrievanceSettings(organisation=organisation))


def _language(request, organisation: Organisation) -> str:
    """The language chosen by link (?lang=), kept in the session; else, once the person follows their case, the
    one we write to them in (Grievance.complainant_language); else the browser's, else the organisation's."""
    available = dict(settings.LANGUAGES)
    chosen = request.GET.get("lang", "")
    if chosen in available:
        if request.session.get(SESSION_LANGUAGE_KEY) != chosen:
            request.session[SESSION_LANGUAGE_KEY] = chosen
        return chosen
    kept = request.session.get(SESSION_LANGUAGE_KEY, "")
    if kept in available:
        return kept
    # Someone who filed in Swahili and comes back days later, on a phone set to English, reads their case in
    # Swahili: the language they filed in outranks the browser's.
    followed = _followed(request, organisation)
    if followed is not None:
        followed.organisation = organisation
        return followed.complainant_language
    current = translation.get_language() or ""
    if current in available:
        return current
    from rightsloop.core.languages import stakeholder_language

    # Nobody is known yet: the fall-back order's last steps (docs/languages.md).
    return stakeholder_language(organisation_language=organisation.default_language)


def _readable_form(request) -> None:
    """Read a form body that is not valid UTF-8 with U+FFFD for what cannot be read, so the fields say so.

    Django would read such a body as Latin-1 and take mojibake for text; browsers never send one.
    """
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return
    try:
        request.body.decode("utf-8")
    except UnicodeDecodeError:
        request.POST = QueryDict(request.body.decode("utf-8", errors="replace"))
    except RequestDataTooBig:
        return


def public_page(view):
    """Resolve the organisation, speak the chosen language, and let no response be stored anywhere."""

    @wraps(view)
    def page(request, slug: str, *args, **kwargs):
        organisation = _organisation(slug)
        _readable_form(request)
        language = _language(request, organisation)
        with translation.override(language):
            request.grievance_language = language
            response = view(request, organisation, *args, **kwargs)
        add_never_cache_headers(response)
        response.headers["Content-Language"] = language
        return response

    return login_not_required(page)


def takes_files(view):
    """Cap the request body before anything reads it; oversized bodies get the page back with 413, unread."""
    protected = csrf_protect(view)

    @wraps(view)
    def capped(request, organisation, *args, **kwargs):
        cap = attachment_rules.cap_uploads(request)
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parsed here, under the cap
            except RequestDataTooBig:
                cap.too_large = True
                request.POST = QueryDict()  # the text alone passed Django's limit: nothing of it is read
            if cap.too_large:
                # Nothing is done with a refused body, so no CSRF check is needed to say so.
                return view(request, organisation, *args, too_large=cap.message(), **kwargs)
        return protected(request, organisation, *args, **kwargs)

    return csrf_exempt(capped)


def _render(request, organisation, template: str, context: dict, status: int = 200):
    context = {
        "organisation": organisation,
        "language": request.grievance_language,
        "languages": list(settings.LANGUAGES),
        **context,
    }
    return render(request, f"grievances/public/{template}", context, status=status)


def _add_errors(form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


# Intake -------------------------------------------------------------------------

def _way(request) -> str:
    way = request.POST.get("mode") if request.method == "POST" else request.GET.get("way")
    return way if way in WAYS else Mode.ANONYMOUS


def _report(form: IntakeForm, language: str) -> GrievanceReport:
    data = form.cleaned_data
    return GrievanceReport(
        mode=data["mode"], raised_by=data["raised_by"], description=data["description"], country=data["country"],
        occurred_on=data["occurred_on"], when_text=data["when_text"], product=data["product"],
        affected_people=data["affected_people"], wanted_outcome=data["wanted_outcome"],
        complainant_name=data.get("complainant_name", ""), complainant_contact=data.get("complainant_contact", ""),
        represents=data["represents"], at_risk=list(data["at_risk"]),
        supported_by_adviser=data["supported_by_adviser"], interface_language=language)


@public_page
@require_http_methods(["GET", "POST"])
@takes_files
def intake(request, organisation, too_large: str = ""):
    mechanism = _mechanism(organisation)
    if not mechanism.intake_open:
        return _render(request, organisation, "closed.html", {"mechanism": mechanism},
                       status=403 if request.method == "POST" else 200)
    way = _way(request)
    bound = request.method == "POST"
    form = IntakeForm(request.POST if bound else None, request.FILES if bound and not too_large else None,
                      mode=way, organisation_name=organisation.name, products=mechanism.products)
    status = 200
    if too_large:
        form.is_valid()
        form.add_error("attachments", too_large)
        status = 413
    elif bound:
        if form.is_valid():
            try:
                submitted = submit_grievance(
                    organisation=organisation, report=_report(form, request.grievance_language), channel=Channel.WEB,
                    submission_key=form.cleaned_data["token"], attachments=form.cleaned_data["attachments"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                grievance = submitted.grievance
                # Kept only until the receipt page shows it once (POST, redirect, GET: a refresh cannot post again).
                request.session[SESSION_RECEIPT_KEY] = {
                    "organisation": organisation.pk, "receipt": submitted.receipt, "case": grievance.label,
                    "acknowledge_due_on": grievance.acknowledge_due_on.isoformat(),
                    "respond_due_on": grievance.respond_due_on.isoformat(),
                }
                return HttpResponseRedirect(reverse("grievances-public:receipt", args=[organisation.slug]), status=303)
        status = 400
    ways = [(code, label, WAYS[code]) for code, label in Mode.choices]
    return _render(request, organisation, "intake.html", {
        "form": form, "way": way, "ways": ways, "mechanism": mechanism, "max_files": attachment_rules.MAX_FILES,
    }, status=status)


@public_page
@require_http_methods(["GET"])
def receipt(request, organisation):
    shown = request.session.get(SESSION_RECEIPT_KEY)
    if shown and shown.get("organisation") == organisation.pk:
        del request.session[SESSION_RECEIPT_KEY]
        context = {
            "receipt": receipts.display(shown["receipt"]),
            "groups": receipts.display(shown["receipt"]).split(" "),
            "case": shown["case"],
            "acknowledge_due_on": datetime.date.fromisoformat(shown["acknowledge_due_on"]),
            "respond_due_on": datetime.date.fromisoformat(shown["respond_due_on"]),
        }
    else:
        context = {"already_shown": True}
    return _render(request, organisation, "receipt.html", context)


# Follow-up ----------------------------------------------------------------------

@public_page
@require_http_methods(["GET", "POST"])
@csrf_protect
def sign_in(request, organisation):
    form = ReceiptForm(request.POST if request.method == "POST" else None)
    status = 200
    context = {"following": follow_up.followed_case(request, organisation) is not None}
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                grievance = throttle.check_receipt(organisation, form.cleaned_data["receipt"])
            except throttle.Throttled as paused:
                context["throttled"] = max(1, paused.retry_after // 60)
                status = 429
            else:
                if grievance is not None:
                    follow_up.open_case(request, grievance)
                    return HttpResponseRedirect(reverse("grievances-public:follow-up", args=[organisation.slug]),
                                                status=303)
                form.add_error("receipt", _("This receipt does not open a case here. Check each group of four "
                                            "digits against what you wrote down."))
    context["form"] = form
    return _render(request, organisation, "sign_in.html", context, status=status)


def _followed(request, organisation) -> Grievance | None:
    # Read once per request: the page's language (_language) and the view both ask.
    if getattr(request, "_followed_case", (None,))[0] != organisation.pk:
        request._followed_case = (organisation.pk, follow_up.followed_case(request, organisation))
    return request._followed_case[1]


def _case_context(request, grievance: Grievance, **forms) -> dict:
    changes = list(grievance.stage_changes.order_by("at", "id"))
    for change in changes:
        change.grievance = grievance  # the case's key, unwrapped once
    conversation = list(CaseMessage.objects.filter(grievance=grievance).exclude(
        direction=MessageDirection.INTERNAL).order_by("created_at", "id"))
    for message in conversation:
        message.grievance = grievance
    files = list(CaseAttachment.objects.filter(grievance=grievance, from_complainant=True)
                 .only("id", "uid", "grievance_id", "file_name_sealed", "size", "uploaded_at")
                 .order_by("uploaded_at", "id"))
    for attachment in files:
        attachment.grievance = grievance
    last_to_them = next((m for m in reversed(conversation)
                         if m.direction == MessageDirection.TO_COMPLAINANT), None)
    awaiting_answer = last_to_them is not None and last_to_them.is_question and not any(
        m.direction == MessageDirection.FROM_COMPLAINANT and (m.created_at, m.pk) > (last_to_them.created_at,
                                                                                     last_to_them.pk)
        for m in conversation)
    sections = [render_to_string(template, context, request) for template, context in
                follow_up.sections(request, grievance)]
    return {
        "grievance": grievance,
        "stage": grievance.get_stage_display(),
        "meaning": stages.MEANING.get(grievance.stage, ""),
        "next_step": stages.next_step(stage=grievance.stage, acknowledge_due_on=grievance.acknowledge_due_on,
                                      respond_due_on=grievance.respond_due_on,
                                      responded=grievance.responded_at is not None),
        "changes": changes,
        "conversation": conversation,
        "awaiting_answer": awaiting_answer,
        "files": files,
        "may_add_files": len(files) < attachment_rules.MAX_FILES_PER_CASE,
        "has_outcome": person.has_outcome(grievance),
        "may_appeal": person.may_appeal(grievance),
        "sections": mark_safe("".join(sections)),  # each rendered by its own, escaping, template
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "satisfaction_form": forms.get("satisfaction_form") or SatisfactionForm(initial={
            "satisfaction": grievance.satisfaction or None}),
        "appeal_form": forms.get("appeal_form") or AppealForm(),
    }


def _case_page(request, organisation, grievance, status=200, **forms):
    return _render(request, organisation, "case.html", _case_context(request, grievance, **forms), status=status)


def _to_sign_in(organisation):
    return redirect(reverse("grievances-public:follow-up-sign-in", args=[organisation.slug]))


@public_page
@require_http_methods(["GET"])
def case(request, organisation):
    grievance = _followed(request, organisation)
    if grievance is None:
        return _to_sign_in(organisation)
    person.mark_seen(grievance)
    return _case_page(request, organisation, grievance)


def _after(request, organisation, message: str, anchor: str):
    messages.success(request, message)
    return HttpResponseRedirect(reverse("grievances-public:follow-up", args=[organisation.slug]) + anchor, status=303)


@public_page
@require_POST
@csrf_protect
def case_reply(request, organisation):
    grievance = _followed(request, organisation)
    if grievance is None:
        return _to_sign_in(organisation)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            person.reply(grievance=grievance, text=form.cleaned_data["text"], via=MessageVia.FOLLOW_UP,
                         submission_key=form.cleaned_data["token"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _after(request, organisation, _("Your message was sent."), "#messages")
    return _case_page(request, organisation, grievance, status=400, reply_form=form)


@public_page
@require_POST
@takes_files
def case_attachment(request, organisation, too_large: str = ""):
    grievance = _followed(request, organisation)
    if grievance is None:
        return _to_sign_in(organisation)
    form = AttachmentForm(request.POST, request.FILES if not too_large else None)
    if too_large:
        form.is_valid()
        form.add_error("attachments", too_large)
        return _case_page(request, organisation, grievance, status=413, attachment_form=form)
    if form.is_valid():
        try:
            person.add_attachment(grievance=grievance, files=form.cleaned_data["attachments"],
                                  via=MessageVia.FOLLOW_UP)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _after(request, organisation, _("Your files were added."), "#files")
    return _case_page(request, organisation, grievance, status=400, attachment_form=form)


@public_page
@require_POST
@csrf_protect
def case_satisfaction(request, organisation):
    grievance = _followed(request, organisation)
    if grievance is None:
        return _to_sign_in(organisation)
    form = SatisfactionForm(request.POST)
    if form.is_valid():
        try:
            person.give_satisfaction(grievance=grievance, satisfaction=form.cleaned_data["satisfaction"],
                                     note=form.cleaned_data["note"], via=MessageVia.FOLLOW_UP)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _after(request, organisation, _("Thank you: we have what you said about the outcome."),
                          "#outcome")
    return _case_page(request, organisation, grievance, status=400, satisfaction_form=form)


@public_page
@require_POST
@csrf_protect
def case_appeal(request, organisation):
    grievance = _followed(request, organisation)
    if grievance is None:
        return _to_sign_in(organisation)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            person.appeal(grievance=grievance, reason=form.cleaned_data["reason"], via=MessageVia.FOLLOW_UP)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _after(request, organisation, _("Your appeal was received. A different person will look at your "
                                                   "case again."), "#stage")
    return _case_page(request, organisation, grievance, status=400, appeal_form=form)


@public_page
@require_POST
@csrf_protect
def leave(request, organisation):
    follow_up.leave(request)
    messages.success(request, _("You have left your case. Nothing of it stays in this browser; come back with "
                                "your receipt."))
    return HttpResponseRedirect(reverse("grievances-public:follow-up-sign-in", args=[organisation.slug]), status=303)
