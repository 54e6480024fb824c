"""Mending mistakes (the HTML front door): correct an input and see its earlier versions, withdraw it, merge a
duplicate into it, cancel an engagement. Every destructive step first shows, on a page that changes nothing,
what will change (core/confirm.html), and is done only by the POST of that page.

Kept beside views.py rather than in it while other work edits that module.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.forms import copy_errors

from . import actions, queries
from .forms import parse_speaker, relay_value, tag_names
from .mend_forms import InputEditForm, MergeForm, ReasonForm
from .models import FeedbackReport
from .views import _relayed_group, _speaker_choices
from .vocabulary import DeliveryStatus


def _inputs_url(item) -> str:
    return reverse("engagements:inputs", args=[item.engagement_id])


@requires(Capability.INPUTS_RECORD)
@require_http_methods(["GET", "POST"])
def input_edit(request, pk: int):
    """Correct what was recorded; the version before stays in the input's history."""
    viewer = request.viewer
    item = queries.access_input(viewer, pk)
    engagement = item.engagement
    # Whom the viewer may not know of stays as recorded: the form neither shows nor changes who spoke.
    hidden = queries.hidden_speaker(item, viewer)
    speakers, relays = (None, ()) if hidden else _speaker_choices(engagement, viewer)
    initial = {"text": item.text, "tags": ", ".join(tag.name for tag in item.tags.all()),
               "attribution": item.attribution,
               "speaker": relay_value(item.speaker_id, item.group_id) if item.group_id else (item.speaker_id or "")}
    form = InputEditForm(request.POST or None, initial=initial, speakers=speakers, relays=relays)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if hidden:
                speaker, group, attribution = item.speaker, item.group, item.attribution
            else:
                speaker_pk, group_pk = parse_speaker(data["speaker"])
                speaker = queries.access_participation(viewer, engagement, speaker_pk) if speaker_pk else None
                group = _relayed_group(engagement, group_pk)
                attribution = data["attribution"]
            actions.edit_input(input=item, text=data["text"], speaker=speaker, group=group,
                               attribution=attribution, tags=tag_names(data["tags"]), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Input corrected; the earlier version is kept in its history."))
            return redirect("engagements:input-versions", pk=item.pk)
    return render(request, "engagements/input_edit.html", {
        "item": item, "form": form, "speaker": queries.speaker_label(item, viewer),
    }, status=400 if form.errors else 200)


@requires(Capability.ENGAGEMENTS_VIEW)
def input_versions(request, pk: int):
    """An input as it reads now, whether it still stands, and every earlier version with who changed what, when."""
    viewer = request.viewer
    item = queries.access_input(viewer, pk)
    versions = list(item.versions.select_related("speaker__stakeholder", "speaker__via_proxy", "group",
                                                 "replaced_by"))
    for version in versions:
        version.speaker_shown = queries.speaker_label(version, viewer)
    merged_from = list(item.merged_from.order_by("pk").values_list("pk", flat=True))
    return render(request, "engagements/input_versions.html", {
        "item": item, "speaker": queries.speaker_label(item, viewer), "versions": versions,
        "merged_from": merged_from, "tags": [tag.name for tag in item.tags.all()],
        "can_mend": viewer.can(Capability.INPUTS_RECORD) and item.stands,
    })


def _input_losses(item) -> list[str]:
    losses = [_("The input no longer counts anywhere: not in the feedback letter to whoever said it, the "
                "engagement's loop, the dashboard, the board's figures, public reports or open data.")]
    if item.outcome:
        losses.append(_("Its decision (“%(outcome)s”) stays in its history but no longer counts.")
                      % {"outcome": item.get_outcome_display()})
    return losses


@requires(Capability.INPUTS_RECORD)
@require_http_methods(["GET", "POST"])
def input_withdraw(request, pk: int):
    """Withdraw an input recorded by mistake: GET says what changes and changes nothing; POST withdraws."""
    viewer = request.viewer
    item = queries.access_input(viewer, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_input(input=item, reason=form.cleaned_data["reason"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Input withdrawn. It is kept, with your reason, but no longer counts."))
            return redirect(_inputs_url(item))
    return render(request, "core/confirm.html", {
        "title": _("Withdraw this input?"),
        "intro": _("“%(text)s” — %(speaker)s") % {"text": item.text[:300],
                                                 "speaker": queries.speaker_label(item, viewer)},
        "refusal": "" if item.stands else _("This input was already withdrawn or merged into another."),
        "losses": _input_losses(item),
        "kept": [_("What was said, who said it, its decisions and your reason are kept and audited; "
                   "nothing is deleted.")],
        "form": form, "confirm_label": _("Withdraw the input"), "back_url": _inputs_url(item),
    }, status=400 if form.errors else 200)


@requires(Capability.INPUTS_RECORD)
@require_http_methods(["GET", "POST"])
def input_merge(request, pk: int):
    """Merge an input recorded twice into this one: GET lists the candidates and what changes; POST merges."""
    viewer = request.viewer
    keep = queries.access_input(viewer, pk)
    candidates = list(keep.engagement.inputs.standing().filter(speaker_id=keep.speaker_id, group_id=keep.group_id)
                      .exclude(pk=keep.pk).order_by("recorded_at", "id")) if keep.stands else []
    form = MergeForm(request.POST or None, duplicates=[(c.pk, c.text[:200]) for c in candidates])
    if request.method == "POST" and form.is_valid():
        duplicate = next(c for c in candidates if c.pk == form.cleaned_data["duplicate"])
        try:
            actions.merge_inputs(keep=keep, duplicate=duplicate, by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Merged: the duplicate is kept, pointing at this input, and no longer counts."))
            return redirect("engagements:input-versions", pk=keep.pk)
    refusal = ""
    if not keep.stands:
        refusal = _("This input was withdrawn or merged into another: nothing can be merged into it.")
    elif not candidates:
        refusal = _("No other input of this engagement was recorded for the same speaker: there is nothing to merge.")
    return render(request, "core/confirm.html", {
        "title": _("Merge an input recorded twice into this one?"),
        "intro": _("Kept: “%(text)s” — %(speaker)s") % {"text": keep.text[:300],
                                                       "speaker": queries.speaker_label(keep, viewer)},
        "refusal": refusal,
        "losses": [
            _("The input you choose below stops counting anywhere (letters, loops, figures) and points at the "
              "one kept."),
            _("Its themes and its links to risks, mitigations and strategic decisions are added to the one kept."),
            _("If the one kept has no decision yet, the duplicate's decision is recorded on it as a new revision; "
              "otherwise the kept input's own decision stands."),
        ],
        "kept": [_("The duplicate itself, its words and its decision history are kept and audited.")],
        "form": form, "confirm_label": _("Merge into the kept input"), "back_url": _inputs_url(keep),
    }, status=400 if form.errors else 200)


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def engagement_cancel(request, pk: int):
    """Cancel a mistaken engagement: GET says what changes (or why it cannot be) and changes nothing; POST cancels."""
    viewer = request.viewer
    engagement = queries.access_engagement(viewer, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.cancel_engagement(engagement=engagement, reason=form.cleaned_data["reason"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Engagement cancelled. It stays viewable but no longer counts."))
            return redirect("engagements:detail", pk=engagement.pk)
    sent = FeedbackReport.objects.filter(engagement=engagement).exclude(status=DeliveryStatus.FAILED).count()
    refusal = ""
    if engagement.is_cancelled:
        refusal = _("This engagement was already cancelled.")
    elif sent:
        refusal = ngettext(
            "%(n)s feedback report was already sent for this engagement, so it cannot be cancelled: its participants "
            "were told what became of their words. Withdraw the inputs recorded by mistake instead.",
            "%(n)s feedback reports were already sent for this engagement, so it cannot be cancelled: its "
            "participants were told what became of their words. Withdraw the inputs recorded by mistake instead.",
            sent) % {"n": sent}
    standing = engagement.inputs.standing().count()
    return render(request, "core/confirm.html", {
        "title": _("Cancel “%(title)s”?") % {"title": engagement.title},
        "refusal": refusal,
        "losses": [
            _("The engagement leaves the engagement list, the dashboard, loop reminders and every figure."),
            ngettext("Its %(n)s input is withdrawn, with the cancellation as its reason.",
                     "Its %(n)s inputs are withdrawn, with the cancellation as their reason.",
                     standing) % {"n": standing},
            _("No feedback report can be sent for it any more."),
        ],
        "kept": [_("The engagement, its participants and what they said stay viewable and audited; "
                   "nothing is deleted.")],
        "form": form, "confirm_label": _("Cancel the engagement"),
        "back_url": reverse("engagements:detail", args=[engagement.pk]),
    }, status=400 if form.errors else 200)
