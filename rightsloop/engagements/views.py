from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.request import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability, Function
from rightsloop.core.access import plausible_id
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import posted_search, search_text
from rightsloop.core.languages import choices as language_choices
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.stakeholders.models import AffectedGroup
from rightsloop.stakeholders.queries import (
    StakeholderFilters,
    access_stakeholder,
    hidden_from,
    proxies,
    shown_name,
    stakeholder_list,
    visible_stakeholders,
)
from rightsloop.stakeholders.vocabulary import SafetyLevel

from . import actions, load, queries
from .actions.decisions import may_decide
from .actions.feedback import permitted_channels
from .forms import (
    BriefingForm,
    DecisionForm,
    DeliveryForm,
    EngagementFilterForm,
    EngagementForm,
    InputFilterForm,
    InputForm,
    ParticipantForm,
    PersonalNoteForm,
    TranslationForm,
    TriageForm,
    parse_speaker,
    relay_value,
    tag_names,
)
from .reports import build_report, speaks_letter_language


def copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# Engagements ---------------------------------------------------------------

@requires(Capability.ENGAGEMENTS_VIEW)
def engagement_list(request):
    form = EngagementFilterForm(request.GET or None)
    filters = queries.EngagementFilters(**form.cleaned_data) if form.is_valid() else queries.EngagementFilters()
    today = timezone.localdate()
    page = paginate(request, queries.engagement_list(request.viewer, filters, today))
    page.object_list = queries.leave_out_hidden_people(list(page.object_list), request.viewer)
    # Engagement load (S3): engagements asking this month someone another team asked too, so they can merge.
    overlapping = load.overlapping_engagements([e.pk for e in page.object_list], hidden=hidden_from(request.viewer),
                                               organisation=request.viewer.organisation)
    for engagement in page.object_list:
        engagement.other_teams_this_month = overlapping.get(engagement.pk, 0)
    return render(request, "engagements/list.html", {
        "form": form, "page": page, "query": query_without_page(request), "today": today,
        "can_edit": request.viewer.can(Capability.ENGAGEMENTS_EDIT),
        "can_see_load": request.viewer.can(Capability.RELATIONSHIPS_VIEW),
    })


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def engagement_create(request):
    viewer = request.viewer
    form = EngagementForm(request.POST or None, organisation=viewer.organisation, creating=True,
                          initial={"owner": viewer.user, "starts_on": timezone.localdate()},
                          candidates=queries.participant_choices(viewer))
    if request.method == "POST" and form.is_valid():
        try:
            engagement = actions.create_engagement(plan=form.plan(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Engagement created. Feedback is due by %(date)s.") % {
                "date": engagement.feedback_due_on})
            _invite_chosen(request, engagement, form.cleaned_data["participants"])
            return redirect("engagements:detail", pk=engagement.pk)
    return render(request, "engagements/form.html", {
        "form": form, "default_days": viewer.organisation.feedback_days,
    })


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def engagement_edit(request, pk: int):
    engagement = queries.access_engagement(request.viewer, pk)
    initial = {name: getattr(engagement, name) for name in (
        "title", "type", "phases", "purpose", "starts_on", "ends_on", "location",
        "information_handling", "handling_notes", "attending_functions", "owner")}
    form = EngagementForm(request.POST or None, organisation=engagement.organisation, creating=False,
                          initial=initial, candidates=queries.participant_choices(request.viewer, engagement))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_engagement(engagement=engagement, plan=form.plan(), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            _invite_chosen(request, engagement, form.cleaned_data["participants"])
            return redirect("engagements:detail", pk=engagement.pk)
    return render(request, "engagements/form.html", {"form": form, "engagement": engagement})


def _invite_chosen(request, engagement, chosen: list[int]) -> None:
    """Invite the people chosen on the engagement form; say who was not, and why (they need their own page)."""
    if not chosen:
        return
    people = list(visible_stakeholders(request.viewer).filter(pk__in=chosen).order_by("-created_at", "-id"))
    added, left_out = actions.add_participants(engagement=engagement, stakeholders=people, by=request.viewer)
    if added:
        messages.success(request, ngettext("%(count)s participant invited.", "%(count)s participants invited.",
                                           len(added)) % {"count": len(added)})
    for missed in left_out:
        messages.warning(request, _("%(name)s was not invited: %(reason)s") % {
            "name": shown_name(missed.stakeholder, request.viewer), "reason": missed.reason})


@requires(Capability.ENGAGEMENTS_VIEW)
def engagement_detail(request, pk: int):
    viewer = request.viewer
    engagement = queries.access_engagement(viewer, pk)
    if (searched := posted_search(request, "find")) is not None:
        return searched
    find = search_text(request, "find")
    found = []
    if find and viewer.can(Capability.ENGAGEMENTS_EDIT):
        taken = engagement.participations.values("stakeholder_id")
        found = list(stakeholder_list(viewer, StakeholderFilters(q=find)).exclude(pk__in=taken)[:10])
    queries.leave_out_hidden_people([engagement], viewer)
    return render(request, "engagements/detail.html", {
        "engagement": engagement,
        "participations": queries.participations(engagement, viewer),
        "briefings": engagement.briefings.all(),
        "briefing_form": BriefingForm(initial={"shared_on": timezone.localdate()}),
        "find": find,
        "found": found,
        "can_edit": viewer.can(Capability.ENGAGEMENTS_EDIT),
        "today": timezone.localdate(),
        "heard": queries.who_was_heard_in(engagement, viewer),
        "board_view": False,
    })


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def participant_add(request, pk: int, stakeholder_pk: int):
    viewer = request.viewer
    engagement = queries.access_engagement(viewer, pk)
    stakeholder = access_stakeholder(viewer, stakeholder_pk)
    if (searched := posted_search(request, "proxy_q")) is not None:
        return searched
    proxy_q = search_text(request, "proxy_q")
    candidates = proxies(viewer).exclude(pk=stakeholder.pk)
    if proxy_q:
        candidates = candidates.search(viewer.organisation, proxy_q)
    elif stakeholder.country:
        candidates = candidates.filter(country=stakeholder.country)
    candidates = list(candidates[:20])
    chosen = request.POST.get("via_proxy")
    if chosen and chosen.isdigit() and all(p.pk != int(chosen) for p in candidates):
        candidates.append(access_stakeholder(viewer, int(chosen)))
    # A credible proxy may relay the words of the affected groups it represents: the page says which.
    groups = list(AffectedGroup.objects.filter(representations__proxy=stakeholder).order_by("name", "id"))
    form = ParticipantForm(request.POST or None, proxies=candidates)
    # Engagement load (S3): shown before the invitation is confirmed; the action refuses it unconfirmed.
    # Counted once per request: a refusal brings the load the action counted, anything else counts here.
    current_load = None
    if request.method == "POST" and form.is_valid():
        via_proxy = next((p for p in candidates if p.pk == form.cleaned_data["via_proxy"]), None)
        try:
            actions.add_participant(
                engagement=engagement, stakeholder=stakeholder, via_proxy=via_proxy,
                override_reason=form.cleaned_data["override_reason"], by=viewer,
                confirm_load=form.cleaned_data["confirm_load"],
            )
        except load.OverSolicited as warning:
            current_load = warning.load
            copy_errors(form, warning)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Participant added."))
            return redirect("engagements:detail", pk=engagement.pk)
    if current_load is None:
        current_load = load.invitation_load(stakeholder, leave_out=hidden_from(viewer))
    return render(request, "engagements/participant_add.html", {
        "engagement": engagement, "stakeholder": stakeholder, "form": form, "proxy_q": proxy_q,
        "protected": stakeholder.safety_level == SafetyLevel.HIGH,
        "can_override": viewer.can(Capability.SAFETY_OVERRIDE), "groups": groups, "load": current_load,
    }, status=400 if form.errors else 200)


def _removing_participant(request, pk: int, participation_pk: int) -> Confirmation:
    engagement = queries.access_engagement(request.viewer, pk)
    participation = queries.access_participation(request.viewer, engagement, participation_pk)
    name = shown_name(participation.stakeholder, request.viewer)
    return Confirmation(
        title=_("Remove %(name)s from “%(title)s”?") % {"name": name, "title": engagement.title},
        losses=[_("They no longer take part: they are not invited, owed feedback, or counted as asked in their "
                  "engagement load."),
                _("If they were invited through a proxy or for an affected group, that is removed with them.")],
        kept=[_("The removal is audited; they can be invited again.")],
        refusal=_("They have inputs recorded and cannot be removed: correct or withdraw the inputs first.")
        if participation.inputs.exists() else "",
        confirm_label=_("Remove the participant"), back_url=reverse("engagements:detail", args=[engagement.pk]))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_POST
def participants_add(request, pk: int):
    """Invite several people found with the engagement page's search at once (each through add_participant)."""
    engagement = queries.access_engagement(request.viewer, pk)
    chosen = [int(value) for value in request.POST.getlist("stakeholders") if plausible_id(value)]
    if not chosen:
        messages.error(request, _("Tick at least one person to invite."))
    else:
        _invite_chosen(request, engagement, chosen)
    return redirect("engagements:detail", pk=engagement.pk)


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_removing_participant)
@require_POST
def participant_remove(request, pk: int, participation_pk: int):
    engagement = queries.access_engagement(request.viewer, pk)
    participation = queries.access_participation(request.viewer, engagement, participation_pk)
    try:
        actions.remove_participant(participation=participation, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Participant removed."))
    return redirect("engagements:detail", pk=engagement.pk)


@requires(Capability.ENGAGEMENTS_EDIT)
@require_POST
def briefing_add(request, pk: int):
    engagement = queries.access_engagement(request.viewer, pk)
    form = BriefingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_briefing(engagement=engagement, by=request.viewer, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Briefing material added."))
            return redirect("engagements:detail", pk=engagement.pk)
    queries.leave_out_hidden_people([engagement], request.viewer)
    return render(request, "engagements/detail.html", {
        "engagement": engagement,
        "participations": queries.participations(engagement, request.viewer),
        "briefings": engagement.briefings.all(),
        "briefing_form": form,
        "can_edit": True,
        "today": timezone.localdate(),
        "heard": queries.who_was_heard_in(engagement, request.viewer),
        "board_view": False,
    }, status=400)


@requires(Capability.ENGAGEMENTS_VIEW)
def briefing_file(request, pk: int, briefing_pk: int):
    engagement = queries.access_engagement(request.viewer, pk)
    briefing = queries.access_briefing(request.viewer, engagement, briefing_pk)
    if not briefing.file:
        raise Http404
    # Opened through the sealed storage: decrypted chunk by chunk as it is sent.
    return FileResponse(briefing.file.open("rb"), as_attachment=True,
                        filename=briefing.file_name or briefing.file.name.rsplit("/", 1)[-1])


# Inputs --------------------------------------------------------------------

def _speaker_choices(engagement, viewer):
    """The participants who may be recorded as speakers, and the groups a participating proxy may relay."""
    choices = []
    speakers = queries.speaker_choices(engagement, viewer)
    for pk, stakeholder, proxy in speakers:
        label = shown_name(stakeholder, viewer)
        if proxy is not None:
            label = _("%(name)s, through %(proxy)s") % {"name": label, "proxy": shown_name(proxy, viewer)}
        choices.append((pk, label))
    names = {pk: shown_name(stakeholder, viewer) for pk, stakeholder, _proxy in speakers}
    relays = [(relay_value(pk, r.group_id), _("%(group)s, through %(proxy)s") % {
        "group": r.group.name, "proxy": names[pk]}) for pk, r in queries.relay_choices(speakers)]
    return choices, relays


def _relayed_group(engagement, group_pk):
    """The affected group chosen in the form, of the engagement's organisation (else a field error)."""
    if group_pk is None:
        return None
    group = AffectedGroup.objects.for_organisation(engagement.organisation).filter(pk=group_pk).first()
    if group is None:
        raise ValidationError({"speaker": _("Unknown affected group.")})
    return group


def _row_context(request, item):
    # The row writes its triage fields by hand (named as TriageForm with prefix "triage-<pk>" parses
    # them): rendering a bound form per row cost ~2 ms, most of a 100-row page's budget.
    return {
        "item": item,
        "speaker": queries.speaker_label(item, request.viewer),
        "tag_text": ", ".join(tag.name for tag in item.tags.all()),
        "function_choices": Function.choices,
        "can_record": request.viewer.can(Capability.INPUTS_RECORD),
        "can_decide": may_decide(request.viewer, item),
        "can_link_risks": request.viewer.can(Capability.RISKS_VIEW),
    }


@requires(Capability.ENGAGEMENTS_VIEW)
@require_http_methods(["GET", "POST"])
def engagement_inputs(request, pk: int):
    """Record inputs live: one page, htmx adds each new input without a reload; plain POST works too."""
    viewer = request.viewer
    engagement = queries.access_engagement(viewer, pk)
    speakers, relays = _speaker_choices(engagement, viewer)
    form = InputForm(request.POST or None, speakers=speakers, relays=relays)
    if request.method == "POST":
        if not viewer.can(Capability.INPUTS_RECORD):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            speaker_pk, group_pk = parse_speaker(data["speaker"])
            speaker = None
            if speaker_pk:
                speaker = queries.access_participation(viewer, engagement, speaker_pk)
            try:
                group = _relayed_group(engagement, group_pk)
                item, created = actions.record_input(
                    engagement=engagement, speaker=speaker, group=group, text=data["text"],
                    attribution=data["attribution"] or None, tags=tag_names(data["tags"]),
                    owning_function=data["owning_function"], idempotency_key=data["idempotency_key"],
                    by=viewer,
                )
            except ValidationError as error:
                copy_errors(form, error)
            else:
                fresh = InputForm(speakers=speakers, relays=relays, initial={"speaker": data["speaker"]})
                if request.htmx:
                    engagement.refresh_from_db()
                    return render(request, "engagements/inputs.html#recorded", {
                        "engagement": engagement, "form": fresh, "created": created,
                        **_row_context(request, item),
                    })
                messages.success(request, _("Input recorded."))
                return redirect("engagements:inputs", pk=engagement.pk)
        if request.htmx:
            return render(request, "engagements/inputs.html#input-form", {
                "engagement": engagement, "form": form,
            }, status=400)
    filter_form = InputFilterForm(request.GET or None, groups=queries.groups_heard(engagement))
    mended = request.GET.get("show") == "mended"
    items = queries.engagement_inputs(engagement, mended=mended, **filter_form.filters())
    # The site's page size (25): every row renders its own triage form, about 1.7 ms a row in all,
    # so 100 rows alone took over 150 ms on a 2-core machine (see docs/performance.md).
    page = paginate(request, items)
    rows = [_row_context(request, item) for item in page.object_list]
    return render(request, "engagements/inputs.html", {
        "engagement": engagement, "form": form, "rows": rows, "page": page, "filter_form": filter_form,
        "query": query_without_page(request), "mended": mended,
        "can_record": viewer.can(Capability.INPUTS_RECORD),
        "can_link_risks": viewer.can(Capability.RISKS_VIEW),
        "tag_suggestions": queries.tag_suggestions(engagement.organisation)
        if viewer.can(Capability.INPUTS_RECORD) else [],
    }, status=400 if form.errors else 200)


@requires(Capability.INPUTS_RECORD)
@require_POST
def input_triage(request, pk: int):
    item = queries.access_input(request.viewer, pk)
    form = TriageForm(request.POST, prefix=f"triage-{item.pk}")
    if form.is_valid():
        actions.triage_input(input=item, owning_function=form.cleaned_data["owning_function"],
                             tags=tag_names(form.cleaned_data["tags"]), by=request.viewer)
    if request.htmx:
        item = queries.engagement_inputs(item.engagement, mended=not item.stands).get(pk=item.pk)
        return render(request, "engagements/inputs.html#input-row", _row_context(request, item),
                      status=200 if form.is_valid() else 400)
    if form.is_valid():
        messages.success(request, _("Input routed."))
    else:
        messages.error(request, _("The input could not be routed: check the function and themes."))
    return redirect("engagements:inputs", pk=item.engagement_id)


# Decisions -----------------------------------------------------------------

@requires(Capability.DECISIONS_QUEUE)
def decision_queue(request):
    awaiting = request.GET.get("show") != "decided"
    page = paginate(request, queries.decision_queue(request.viewer, awaiting=awaiting))
    items = list(page.object_list)
    for item in items:
        item.speaker_shown = queries.speaker_label(item, request.viewer)
    function = request.viewer.function
    return render(request, "engagements/queue.html", {
        "page": page, "items": items, "awaiting": awaiting, "query": query_without_page(request),
        # Carried to each input's decision page, so "decide and go to the next" stays in this queue.
        "queue_query": request.GET.urlencode(),
        "function_label": Function(function).label if function in Function.values else "",
    })


def _after_decision(request, item) -> str:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    if request.viewer.can(Capability.ENGAGEMENTS_VIEW):
        return reverse("engagements:inputs", args=[item.engagement_id])
    return reverse("engagements:queue")


@requires(Capability.DECISIONS_QUEUE, Capability.ENGAGEMENTS_VIEW)
@require_http_methods(["GET", "POST"])
def input_decide(request, pk: int):
    viewer = request.viewer
    item = queries.access_input(viewer, pk)
    initial = {}
    if item.current_decision:
        decision = item.current_decision
        initial = {"outcome": decision.outcome, "rationale": decision.rationale,
                   "next_step": decision.next_step, "next_step_due": decision.next_step_due}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_decide(viewer, item):
            raise PermissionDenied(_("Only the function this input is routed to can decide on it."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_decision(
                    input=item, outcome=data["outcome"], rationale=data["rationale"],
                    next_step=data["next_step"], next_step_due=data["next_step_due"], by=viewer,
                )
            except ValidationError as error:
                copy_errors(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                if request.POST.get("then") == "next":
                    return redirect(_next_in_queue(request, item))
                return redirect(_after_decision(request, item))
    queue = QueryDict(request.POST.get("queue", "") if request.method == "POST" else request.GET.get("queue", ""))
    return render(request, "engagements/decide.html", {
        "item": item, "form": form, "speaker": queries.speaker_label(item, viewer),
        "history": queries.decision_history(item), "can_decide": may_decide(viewer, item),
        "next": request.GET.get("next", ""), "queue": queue.urlencode(),
        "queue_url": reverse("engagements:queue") + (f"?{queue.urlencode()}" if queue else ""),
    }, status=400 if form.errors else 200)


def _next_in_queue(request, item) -> str:
    """Decide and go to the next: the following undecided input of the same queue, its filters kept; else the queue."""
    # Parsed and encoded again, so only a query string of the queue's own page travels on.
    queue = QueryDict(request.POST.get("queue", "")).urlencode()
    following = queries.next_to_decide(request.viewer, item)
    if following is None:
        messages.info(request, _("Nothing is left to decide in this queue."))
        return reverse("engagements:queue") + (f"?{queue}" if queue else "")
    return reverse("engagements:input-decide", args=[following.pk]) + (
        f"?{urlencode({'queue': queue})}" if queue else "")


# Loop closure --------------------------------------------------------------

@requires(Capability.FEEDBACK_VIEW)
def engagement_feedback(request, pk: int):
    engagement = queries.access_engagement(request.viewer, pk)
    people = queries.participations(engagement, request.viewer).filter(inputs_count__gt=0)
    queries.leave_out_hidden_people([engagement], request.viewer)
    return render(request, "engagements/feedback.html", {
        "engagement": engagement, "people": people, "today": timezone.localdate(),
        "can_send": request.viewer.can(Capability.FEEDBACK_SEND),
    })


def _translation_form(participation, report, data=None, files=None):
    wanted = report.wanted_language or (report.original.language if report.original else "")
    form = TranslationForm(data, files, language_choices=language_choices(),
                           initial={"language": wanted or report.language})
    return form


@requires(Capability.FEEDBACK_VIEW)
@require_http_methods(["GET", "POST"])
def feedback_participant(request, pk: int, participation_pk: int):
    viewer = request.viewer
    engagement = queries.access_engagement(viewer, pk)
    participation = queries.access_participation(viewer, engagement, participation_pk)
    channels = permitted_channels(participation)
    action = request.POST.get("do") if request.method == "POST" else None
    delivery_form = DeliveryForm(request.POST if action == "deliver" else None, channels=channels)
    note_form = PersonalNoteForm(request.POST if action == "note" else None)
    translation_form = None
    send_error = ""
    if action is not None:
        if not viewer.can(Capability.FEEDBACK_SEND):
            raise PermissionDenied
        try:
            if action == "email":
                actions.send_feedback_by_email(participation=participation, by=viewer)
                messages.success(request, _("The report is being sent by email."))
                return redirect("engagements:feedback", pk=engagement.pk)
            if action == "deliver" and delivery_form.is_valid():
                actions.mark_feedback_delivered(participation=participation, by=viewer,
                                                **delivery_form.cleaned_data)
                messages.success(request, _("Recorded as delivered."))
                return redirect("engagements:feedback", pk=engagement.pk)
            if action == "note" and note_form.is_valid():
                actions.set_personal_note(participation=participation, note=note_form.cleaned_data["personal_note"],
                                          by=viewer)
                messages.success(request, _("Personal note saved.") if note_form.cleaned_data["personal_note"].strip()
                                 else _("Personal note removed."))
                return redirect("engagements:feedback-participant", pk=engagement.pk,
                                participation_pk=participation.pk)
            if action == "translation":
                translation_form = _translation_form(
                    participation, build_report(participation), request.POST, request.FILES)
                if translation_form.is_valid():
                    actions.attach_translation(participation=participation, by=viewer,
                                               text=translation_form.cleaned_data["translation"],
                                               language=translation_form.cleaned_data["language"])
                    messages.success(request, _("Translation attached: it is what will be sent and printed."))
                    return redirect("engagements:feedback-participant", pk=engagement.pk,
                                    participation_pk=participation.pk)
            if action == "remove-translation":
                actions.remove_translation(participation=participation, by=viewer)
                messages.success(request, _("Translation removed."))
                return redirect("engagements:feedback-participant", pk=engagement.pk,
                                participation_pk=participation.pk)
        except ValidationError as error:
            if action == "deliver":
                copy_errors(delivery_form, error)
            elif action == "note":
                copy_errors(note_form, error)
            elif action == "translation" and translation_form is not None:
                copy_errors(translation_form, error)
            else:
                send_error = " ".join(error.messages)
        if action not in ("email", "deliver", "note", "translation", "remove-translation"):
            send_error = _("Choose how to deliver the report.")
    report = build_report(participation, addressee=shown_name(participation.stakeholder, viewer))
    if action != "note":
        note_form = PersonalNoteForm(initial={"personal_note": report.personal_note})
    if translation_form is None:
        translation_form = _translation_form(participation, report)
    form_errors = delivery_form.errors or note_form.errors or translation_form.errors
    return render(request, "engagements/feedback_participant.html", {
        "engagement": engagement, "participation": participation, "report": report,
        "email_permitted": "email" in channels, "delivery_form": delivery_form,
        "note_form": note_form, "translation_form": translation_form,
        "speaks_letter_language": speaks_letter_language(participation, report.language),
        "can_send": viewer.can(Capability.FEEDBACK_SEND),
        "history": queries.reports_for(participation), "send_error": send_error,
    }, status=400 if form_errors or send_error else 200)


@requires(Capability.FEEDBACK_SEND)
def feedback_letter_pdf(request, pk: int, participation_pk: int):
    """The participant's letter as a PDF, for the post, in person or a proxy; made on demand, never stored."""
    viewer = request.viewer
    engagement = queries.access_engagement(viewer, pk)
    participation = queries.access_participation(viewer, engagement, participation_pk)
    try:
        _content, pdf = actions.download_letter_pdf(
            participation=participation, addressee=shown_name(participation.stakeholder, viewer), by=viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("engagements:feedback-participant", pk=engagement.pk, participation_pk=participation.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{engagement.pk}-{participation.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.FEEDBACK_SEND)
@require_http_methods(["GET", "POST"])
def feedback_send_ready(request, pk: int):
    """Ask first, then email every participant whose letter is ready, and say whom it left and why."""
    viewer = request.viewer
    engagement = queries.access_engagement(viewer, pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        plan = actions.send_ready_reports(engagement=engagement, by=viewer)
        return render(request, "engagements/feedback_send_ready.html", {
            "engagement": engagement, "plan": plan, "done": True})
    return render(request, "engagements/feedback_send_ready.html", {
        "engagement": engagement, "plan": actions.plan_ready_reports(engagement, viewer), "done": False,
    }, status=400 if request.method == "POST" else 200)
