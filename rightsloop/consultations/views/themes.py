"""The analyst's pages: the analysis overview (runs, themes, charts), one theme, campaigns and the review queue.

Every change is a plain form post to an action and a redirect back (or the page again with the form's errors,
status 400); no page shows a respondent or a contact.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core import rights as rights_taxonomy
from rightsloop.core.pagination import paginate

from .. import charts, queries
from .. import theme_queries as themes_q
from ..actions import analysis as runs
from ..actions import outcomes as outcome_actions
from ..actions import themes as actions
from ..analysis.duplicates import CAMPAIGN_EDITED_SHARE
from ..models import AssignmentSource, DuplicateKind, RunState, ThemeAssignment, ThemeStatus
from ..theme_forms import (
    AssignmentForm,
    DiscoveryForm,
    ExampleForm,
    LinksForm,
    MergeForm,
    ReviewForm,
    RouteForm,
    SearchForm,
    SplitForm,
    ThemeForm,
    final_themes_of,
)

CAMPAIGNS_SHOWN = 10


def copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _theme_rows(consultation):
    themes = list(themes_q.themes_of(consultation))
    for theme in themes:
        theme.stance_words = charts.stance_summary(theme.stance) if consultation.yes_no else ""
    return themes


def _charts(consultation, themes, groups, waiting):
    detail = "consultations:theme-detail"
    sizes = charts.sized_bars(
        "sizes", _("Theme sizes"), _("Responses placed in each theme; a response can be in more than one."),
        [(theme.label, theme.size, reverse(detail, args=[consultation.pk, theme.pk])) for theme in themes],
        label_heading=_("Theme"), value_heading=_("Responses"))
    languages = dict(consultation.responses.values_list("language").annotate(n=Count("id")).order_by())
    language_chart = charts.sized_bars(
        "languages", _("Languages"), _("Responses by language, detected when the file did not say."),
        [(code or _("unknown"), count, "") for code, count in languages.items()],
        label_heading=_("Language"), value_heading=_("Responses"))
    campaign_chart = charts.sized_bars(
        "campaigns", _("Organised campaigns and repeated answers"),
        _("The largest groups of identical answers, near-identical answers and organised campaigns (a template "
          "its senders edited); each counts fully but is read once."),
        [(f"{DuplicateKind(group.kind).label}: {group.text}", group.size, "") for group in groups],
        label_heading=_("Group"), value_heading=_("Responses"))
    reviewed = (ThemeAssignment.objects.filter(consultation=consultation, source=AssignmentSource.REVIEWED)
                .values("response_id").distinct().count())
    review_chart = charts.sized_bars(
        "review", _("Review queue"), _("Responses the model placed with a confidence below the review threshold."),
        [(_("Waiting for review"), waiting, reverse("consultations:review", args=[consultation.pk])),
         (_("Reviewed by an analyst"), reviewed, "")],
        label_heading=_("Responses"), value_heading=_("Count"))
    shown = [sizes, language_chart, campaign_chart, review_chart]
    if consultation.yes_no:
        stance = dict(consultation.responses.exclude(stance="").values_list("stance").annotate(n=Count("id"))
                      .order_by())
        stance_chart = charts.stance_chart(
            "stance", _("Stance of all responses"), stance,
            description=_("Responses for the proposal, against it, and with no clear stance, as the model read "
                          "them; each response counted once."))
        if stance_chart:
            shown.insert(1, stance_chart)
    return shown


def _largest_groups(consultation, limit):
    groups = list(themes_q.duplicate_groups(consultation)[:limit])
    for group in groups:
        group.text = group.representative.text
    return groups


def _analysis_page(request, consultation, *, forms=None, status=200):
    viewer = request.viewer
    themes = _theme_rows(consultation)
    groups = _largest_groups(consultation, CAMPAIGNS_SHOWN)
    waiting = themes_q.review_queue_size(consultation)
    runs_list = themes_q.runs_of(consultation)
    forms = forms or {}
    return render(request, "consultations/themes/analysis.html", {
        "consultation": consultation,
        "runs": runs_list,
        "running": any(run.state in (RunState.QUEUED, RunState.RUNNING) for run in runs_list),
        "themes": themes,
        "candidates": sum(1 for theme in themes if theme.status == ThemeStatus.CANDIDATE),
        "finals": sum(1 for theme in themes if theme.status == ThemeStatus.FINAL),
        "charts": _charts(consultation, themes, groups, waiting),
        "waiting": waiting,
        "can_analyse": viewer.can(Capability.CONSULTATIONS_ANALYSE),
        "discovery_form": forms.get("discovery") or DiscoveryForm(initial={"seed": 0}),
        "assignment_form": forms.get("assignment") or AssignmentForm(initial={"seed": 0}),
        "add_form": forms.get("add") or ThemeForm(prefix="add"),
        "merge_form": forms.get("merge") or MergeForm(prefix="merge", consultation=consultation),
        "finalise_errors": forms.get("finalise", []),
    }, status=status)


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def analysis(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    return _analysis_page(request, consultation)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def discovery_start(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    form = DiscoveryForm(request.POST)
    if form.is_valid():
        try:
            runs.start_discovery(consultation=consultation, parameters=form.parameters(), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Theme discovery queued. This page shows its progress when you reload it."))
            return redirect("consultations:analysis", consultation.pk)
    return _analysis_page(request, consultation, forms={"discovery": form}, status=400)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def assignment_start(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    form = AssignmentForm(request.POST)
    if form.is_valid():
        try:
            runs.start_assignment(consultation=consultation, seed=form.cleaned_data["seed"] or 0, by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Assignment to the final themes queued."))
            return redirect("consultations:analysis", consultation.pk)
    return _analysis_page(request, consultation, forms={"assignment": form}, status=400)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def theme_add(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    form = ThemeForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            theme = actions.add_theme(consultation=consultation, by=request.viewer, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Theme added. Find responses to give it examples."))
            return redirect("consultations:theme-detail", consultation.pk, theme.pk)
    return _analysis_page(request, consultation, forms={"add": form}, status=400)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def themes_merge(request, pk):
    """Merge the ticked themes, once the analyst has seen what goes (a page, then the same post confirmed)."""
    consultation = queries.access_consultation(request.viewer, pk)
    form = MergeForm(request.POST, prefix="merge", consultation=consultation)
    if form.is_valid() and request.POST.get("confirmed") != "yes":
        themes = form.cleaned_data["themes"]
        return render(request, "consultations/themes/merge.html", {
            "consultation": consultation, "target": themes[0], "others": themes[1:],
            "label": form.cleaned_data["label"],
            "decided": [theme for theme in themes[1:] if theme.decisions.exists()]})
    if form.is_valid():
        try:
            theme = actions.merge_themes(themes=form.cleaned_data["themes"], label=form.cleaned_data["label"],
                                         by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Themes merged."))
            return redirect("consultations:theme-detail", consultation.pk, theme.pk)
    return _analysis_page(request, consultation, forms={"merge": form}, status=400)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def themes_finalise(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    try:
        count = actions.finalise_themes(consultation=consultation, by=request.viewer)
    except ValidationError as error:
        return _analysis_page(request, consultation, forms={"finalise": error.messages}, status=400)
    messages.success(request, _("%(n)s themes made final. Next: assign every response to them.") % {"n": count})
    return redirect("consultations:analysis", consultation.pk)


def _theme_page(request, consultation, theme, *, forms=None, status=200):
    viewer = request.viewer
    forms = forms or {}
    search = SearchForm(request.GET or None)
    found, looked = [], 0
    if search.is_valid():
        scope = None if request.GET.get("scope") == "all" else theme
        found, looked = themes_q.search_responses(consultation, search.cleaned_data["q"], theme=scope)
    examples = themes_q.examples_of(theme)
    for example in examples:
        example.text = example.response.text
    move_form = ExampleForm(theme=theme)
    return render(request, "consultations/themes/theme.html", {
        "consultation": consultation,
        "theme": theme,
        "examples": examples,
        "theme_stance_words": charts.stance_summary(theme.stance),
        "stance_chart": charts.stance_chart(f"stance-{theme.pk}", _("Stance in this theme"), theme.stance)
        if consultation.yes_no else None,
        "risks": list(theme.risks.all()) if viewer.can(Capability.RISKS_VIEW) else [],
        "rights": [rights_taxonomy.name(code) for code in theme.rights],
        "can_analyse": viewer.can(Capability.CONSULTATIONS_ANALYSE),
        "rename_form": forms.get("rename") or ThemeForm(initial={"label": theme.label,
                                                                 "description": theme.description}),
        "split_form": forms.get("split") or SplitForm(initial={"parts": 2, "seed": 0}),
        "links_form": forms.get("links") or LinksForm(viewer=viewer, initial={
            "risks": [risk.pk for risk in theme.risks.all()], "rights": theme.rights}),
        "example_form": forms.get("example") or move_form,
        "route_form": forms.get("route") or RouteForm(initial={"owning_function": theme.owning_function}),
        "other_themes": move_form.fields["to"].queryset,
        "delete_errors": forms.get("delete", []),
        "search_form": search,
        "scope": request.GET.get("scope", "theme"),
        "found": found,
        "looked": looked,
        "search_limit": themes_q.SEARCH_LIMIT,
    }, status=status)


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def theme_detail(request, pk, theme_pk):
    consultation = queries.access_consultation(request.viewer, pk)
    theme = themes_q.access_theme(consultation, theme_pk)
    return _theme_page(request, consultation, theme)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def theme_edit(request, pk, theme_pk):
    """Rename the theme; or, with `do`, confirm its label as it is, or mark its stance counts (un)reviewed."""
    consultation = queries.access_consultation(request.viewer, pk)
    theme = themes_q.access_theme(consultation, theme_pk)
    review = {"confirm-label": None, "review-stance": True, "unreview-stance": False}
    do = request.POST.get("do", "")
    if do in review:
        try:
            if do == "confirm-label":
                actions.confirm_label(theme=theme, by=request.viewer)
                messages.success(request, _("Label confirmed: it can be published."))
            else:
                actions.review_stance(theme=theme, reviewed=review[do], by=request.viewer)
                messages.success(request, _("Stance marked as reviewed: the public page shows it.") if review[do]
                                 else _("Stance no longer marked as reviewed: the public page leaves it out."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("consultations:theme-detail", consultation.pk, theme.pk)
    form = ThemeForm(request.POST)
    if form.is_valid():
        try:
            actions.rename_theme(theme=theme, by=request.viewer, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Theme saved."))
            return redirect("consultations:theme-detail", consultation.pk, theme.pk)
    return _theme_page(request, consultation, theme, forms={"rename": form}, status=400)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def theme_route(request, pk, theme_pk):
    consultation = queries.access_consultation(request.viewer, pk)
    theme = themes_q.access_theme(consultation, theme_pk)
    form = RouteForm(request.POST)
    if form.is_valid():
        try:
            outcome_actions.route_theme(theme=theme, owning_function=form.cleaned_data["owning_function"],
                                        by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Routing saved."))
            return redirect("consultations:theme-detail", consultation.pk, theme.pk)
    return _theme_page(request, consultation, theme, forms={"route": form}, status=400)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def theme_split(request, pk, theme_pk):
    consultation = queries.access_consultation(request.viewer, pk)
    theme = themes_q.access_theme(consultation, theme_pk)
    form = SplitForm(request.POST)
    if form.is_valid():
        try:
            parts = actions.split_theme(theme=theme, parts=form.cleaned_data["parts"],
                                        seed=form.cleaned_data["seed"] or 0, by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Theme split in %(n)s: confirm examples in each part.") % {"n": len(parts)})
            return redirect("consultations:analysis", consultation.pk)
    return _theme_page(request, consultation, theme, forms={"split": form}, status=400)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_http_methods(["GET", "POST"])
def theme_delete(request, pk, theme_pk):
    """GET: what deleting the theme would lose, and a form to confirm it; POST: delete it."""
    consultation = queries.access_consultation(request.viewer, pk)
    theme = themes_q.access_theme(consultation, theme_pk)
    if request.method == "GET":
        return render(request, "consultations/themes/delete.html", {
            "consultation": consultation, "theme": theme, "loss": themes_q.deletion_preview(theme)})
    try:
        actions.delete_theme(theme=theme, by=request.viewer)
    except ValidationError as error:
        return _theme_page(request, consultation, theme, forms={"delete": error.messages}, status=400)
    messages.success(request, _("Theme deleted."))
    return redirect("consultations:analysis", consultation.pk)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def theme_links(request, pk, theme_pk):
    viewer = request.viewer
    consultation = queries.access_consultation(viewer, pk)
    theme = themes_q.access_theme(consultation, theme_pk)
    form = LinksForm(request.POST, viewer=viewer)
    if form.is_valid():
        try:
            actions.link_risks(theme=theme, risk_ids=[risk.pk for risk in form.cleaned_data["risks"]], by=viewer)
            actions.link_rights(theme=theme, codes=form.cleaned_data["rights"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Links saved."))
            return redirect("consultations:theme-detail", consultation.pk, theme.pk)
    return _theme_page(request, consultation, theme, forms={"links": form}, status=400)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def theme_example(request, pk, theme_pk, response_pk):
    viewer = request.viewer
    consultation = queries.access_consultation(viewer, pk)
    theme = themes_q.access_theme(consultation, theme_pk)
    response = themes_q.access_response(consultation, response_pk)
    form = ExampleForm(request.POST, theme=theme)
    if form.is_valid():
        action, to = form.cleaned_data["action"], form.cleaned_data["to"]
        try:
            if action == ExampleForm.ADD:
                actions.add_example(theme=theme, response=response, by=viewer)
            elif action in (ExampleForm.CONFIRM, ExampleForm.UNCONFIRM):
                actions.confirm_example(theme=theme, response=response, confirmed=action == ExampleForm.CONFIRM,
                                        by=viewer)
            elif action == ExampleForm.REMOVE:
                actions.remove_example(theme=theme, response=response, by=viewer)
            else:
                actions.move_example(theme=theme, response=response, to=to, by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Example saved."))
            return redirect("consultations:theme-detail", consultation.pk, theme.pk)
    return _theme_page(request, consultation, theme, forms={"example": form}, status=400)


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def campaigns(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    page = paginate(request, themes_q.duplicate_groups(consultation))
    for group in page.object_list:
        group.text = group.representative.text
    return render(request, "consultations/themes/campaigns.html", {
        "consultation": consultation, "page": page, "edited_share": round(100 * CAMPAIGN_EDITED_SHARE)})


# The analyst places one response at a time: ten a page keep the queue within about two screens.
REVIEW_PER_PAGE = 10


def _review_page(request, consultation, *, failed=None, status=200):
    page = paginate(request, themes_q.review_queue(consultation), per_page=REVIEW_PER_PAGE,
                    count=themes_q.review_queue_size(consultation))
    finals = final_themes_of(consultation)
    for response in page.object_list:
        suggested = [str(placement.theme_id) for placement in response.suggestions if placement.theme_id]
        response.form = (failed if failed is not None and failed.response_pk == response.pk else
                         ReviewForm(prefix=f"r{response.pk}", final_themes=finals, initial={"themes": suggested}))
        response.confidence = max((p.confidence for p in response.suggestions), default=0)
    return render(request, "consultations/themes/review.html", {
        "consultation": consultation, "page": page,
        "can_analyse": request.viewer.can(Capability.CONSULTATIONS_ANALYSE)}, status=status)


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def review(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    return _review_page(request, consultation)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def review_response(request, pk, response_pk):
    consultation = queries.access_consultation(request.viewer, pk)
    response = themes_q.access_response(consultation, response_pk)
    form = ReviewForm(request.POST, prefix=f"r{response.pk}", final_themes=final_themes_of(consultation))
    form.response_pk = response.pk
    if form.is_valid():
        try:
            actions.review_response(response=response, themes=list(form.cleaned_data["themes"]),
                                    make_example=form.cleaned_data["make_example"], by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Response placed."))
            url = reverse("consultations:review", args=[consultation.pk])
            page = request.POST.get("page", "")
            return redirect(f"{url}?page={page}" if page.isdigit() else url)
    return _review_page(request, consultation, failed=form, status=400)


urlpatterns = [
    path("<int:pk>/analysis/", analysis, name="analysis"),
    path("<int:pk>/analysis/discover/", discovery_start, name="discovery-start"),
    path("<int:pk>/analysis/assign/", assignment_start, name="assignment-start"),
    path("<int:pk>/analysis/finalise/", themes_finalise, name="themes-finalise"),
    path("<int:pk>/themes/add/", theme_add, name="theme-add"),
    path("<int:pk>/themes/merge/", themes_merge, name="themes-merge"),
    path("<int:pk>/themes/<int:theme_pk>/", theme_detail, name="theme-detail"),
    path("<int:pk>/themes/<int:theme_pk>/edit/", theme_edit, name="theme-edit"),
    path("<int:pk>/themes/<int:theme_pk>/route/", theme_route, name="theme-route"),
    path("<int:pk>/themes/<int:theme_pk>/split/", theme_split, name="theme-split"),
    path("<int:pk>/themes/<int:theme_pk>/delete/", theme_delete, name="theme-delete"),
    path("<int:pk>/themes/<int:theme_pk>/links/", theme_links, name="theme-links"),
    path("<int:pk>/themes/<int:theme_pk>/examples/<int:response_pk>/", theme_example, name="theme-example"),
    path("<int:pk>/campaigns/", campaigns, name="campaigns"),
    path("<int:pk>/review/", review, name="review"),
    path("<int:pk>/review/<int:response_pk>/", review_response, name="review-response"),
]
