"""Staff pages of relationship quality (P2): rounds, trends with small groups hidden, one stakeholder's answers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.forms import copy_errors
from rightsloop.stakeholders.queries import shown_name

from . import rating_charts, rating_queries, ratings
from .models import DIMENSIONS
from .rating_forms import QUESTIONS, RatingForm, RoundForm, SettingsForm


def _trend_context(viewer, round_ids=None) -> dict:
    trend = rating_queries.trend(viewer, round_ids=round_ids)
    return {
        "trend": trend,
        "overall_chart": rating_charts.organisation_chart(trend),
        "breakdown_charts": [rating_charts.breakdown_chart(trend, key) for key in rating_queries.BREAKDOWNS],
        "hidden_text": rating_charts.hidden_note(trend.smallest),
    }


def _index(request, settings_form=None, status=200):
    viewer = request.viewer
    flags = list(rating_queries.open_flags(viewer)[:50])
    for flag in flags:
        flag.shown = shown_name(flag.stakeholder, viewer)
        flag.dimension_labels = [str(QUESTIONS[name][0]) for name in flag.dimensions if name in QUESTIONS]
    today = timezone.localdate()
    rounds = rating_queries.with_counts(viewer, list(rating_queries.rounds(viewer)[:50]))
    for round in rounds:
        round.current_state = round.state(today)
    if settings_form is None and viewer.can(Capability.ORGANISATION_MANAGE):
        settings_form = SettingsForm(initial={"smallest_group": rating_queries.smallest_group(viewer.organisation)})
    return render(request, "relationships/ratings/index.html", {
        **_trend_context(viewer),
        "rounds": rounds,
        "flags": flags,
        "can_edit": viewer.can(Capability.RELATIONSHIPS_EDIT),
        "settings_form": settings_form,
    }, status=status)


@requires(Capability.RELATIONSHIPS_VIEW)
@require_GET
def ratings_index(request):
    return _index(request)


@requires(Capability.RELATIONSHIPS_EDIT)
@require_http_methods(["GET", "POST"])
def round_create(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round = ratings.open_round(viewer=request.viewer, title=form.cleaned_data["title"],
                                       opens_on=form.cleaned_data["opens_on"],
                                       closes_on=form.cleaned_data["closes_on"], chooser=form.chooser())
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Rating round created."))
            return redirect("relationships:rating-round", pk=round.pk)
    return render(request, "relationships/ratings/round_form.html", {"form": form},
                  status=400 if form.errors else 200)


@requires(Capability.RELATIONSHIPS_VIEW)
@require_GET
def round_detail(request, pk: int):
    viewer = request.viewer
    round = rating_queries.access_round(viewer, pk)
    invitations = list(rating_queries.invitations_shown(viewer, round)[:500])
    for invitation in invitations:
        invitation.shown = shown_name(invitation.stakeholder, viewer)
    context = _trend_context(viewer, round_ids=[round.pk])
    trend = context["trend"]
    cell = trend.overall[round.pk]
    breakdowns = []
    for key in rating_queries.BREAKDOWNS:
        breakdown = trend.breakdowns[key]
        rows = []
        for code, label in breakdown.groups:
            group = breakdown.cell(round.pk, code)
            if group is not None:
                rows.append((label, group))
        breakdowns.append((rating_charts.BREAKDOWN_TITLES[key], rows))
    return render(request, "relationships/ratings/round.html", {
        **context,
        "round": round,
        "state": round.state(timezone.localdate()),
        "overall": cell,
        "dimensions": list(zip(DIMENSIONS, rating_charts.dimension_labels(), strict=True)),
        "breakdowns": breakdowns,
        "invitations": invitations,
        "can_edit": viewer.can(Capability.RELATIONSHIPS_EDIT),
    })


@requires(Capability.RELATIONSHIPS_EDIT)
@require_POST
def round_close(request, pk: int):
    round = rating_queries.access_round(request.viewer, pk, for_update=True)
    try:
        ratings.close_round(viewer=request.viewer, round=round)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Round closed."))
    return redirect("relationships:rating-round", pk=round.pk)


@requires(Capability.RELATIONSHIPS_EDIT)
@require_http_methods(["GET", "POST"])
def rating_record(request, pk: int, stakeholder_pk: int):
    """Type in an answer a stakeholder gave offline (on paper, by phone, in person)."""
    viewer = request.viewer
    round = rating_queries.access_round(viewer, pk, for_update=True)
    stakeholder = rating_queries.access_rated_stakeholder(viewer, stakeholder_pk)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratings.record_rating(round=round, stakeholder=stakeholder, scores=form.scores(),
                                  comment=form.cleaned_data["comment"], language=stakeholder.preferred_language,
                                  by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Answer recorded."))
            return redirect("relationships:rating-round", pk=round.pk)
    return render(request, "relationships/ratings/record.html", {
        "form": form, "round": round, "stakeholder": stakeholder, "shown": shown_name(stakeholder, viewer),
    }, status=400 if form.errors else 200)


@requires(Capability.RELATIONSHIPS_VIEW)
@require_GET
def stakeholder_ratings(request, pk: int):
    viewer = request.viewer
    stakeholder = rating_queries.access_rated_stakeholder(viewer, pk)
    answers = rating_queries.ratings_of(stakeholder)
    return render(request, "relationships/ratings/stakeholder.html", {
        "stakeholder": stakeholder, "shown": shown_name(stakeholder, viewer), "answers": answers,
        "chart": rating_charts.stakeholder_chart(answers), "hidden_text": "",
        "dimensions": list(zip(DIMENSIONS, rating_charts.dimension_labels(), strict=True)),
        "flags": list(stakeholder.rating_flags.filter(seen_at=None).select_related("rating__round")),
        "can_edit": viewer.can(Capability.RELATIONSHIPS_EDIT),
    })


@requires(Capability.RELATIONSHIPS_EDIT)
@require_POST
def flag_seen(request, pk: int):
    flag = rating_queries.access_flag(request.viewer, pk)
    ratings.mark_flag_seen(viewer=request.viewer, flag=flag)
    messages.success(request, _("Marked as seen."))
    return redirect("relationships:ratings")


@requires(Capability.ORGANISATION_MANAGE)
@require_POST
def rating_settings(request):
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _index(request, settings_form=form, status=400)
    ratings.set_smallest_group(viewer=request.viewer, smallest_group=form.cleaned_data["smallest_group"])
    messages.success(request, _("Setting saved."))
    return redirect("relationships:ratings")
