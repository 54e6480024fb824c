"""The results of a consensus exercise: the opinion map, what each group stands for, common ground and divides,
the run history, turning findings into inputs, and telling the participants what became of them.

Figures of a group smaller than the exercise's min_group_size are never shown: such a group appears as "a group
too small to show", with no count and no shares, and its members on the map in the neutral grey of hidden things.
No name is ever placed on the map; a large exercise's map draws its base clusters sized by members, not people.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability, Function
from rightsloop.core import charts
from rightsloop.core.forms import copy_errors

from .. import queries
from ..actions import analysis as analysis_actions
from ..actions import results as result_actions
from ..analysis import load_placements, run_message
from ..outcomes import outcome_for
from ..vocabulary import ResultKind, RunState

# Up to this many participants the map draws each one; above, it draws the base clusters sized by members.
MAP_PEOPLE = 1500
RUNS_PER_PAGE = 50


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


# The page's pieces ----------------------------------------------------------------------------------------------

def group_view(results: dict) -> tuple[list[dict], list[dict]]:
    """(shown groups, hidden groups): hidden ones carry no size, only that they exist."""
    shown, hidden = [], []
    for group in results.get("groups", []):
        if group.get("shown"):
            shown.append({"id": int(group["id"]), "label": group["label"], "size": int(group.get("size", 0))})
        else:
            hidden.append({"id": int(group["id"])})
    return shown, hidden


def opinion_map(run, results: dict) -> tuple[charts.Scatter, bool]:
    """The opinion map and whether it draws base clusters (a large exercise) rather than people."""
    placements = load_placements(run)
    shown, _hidden = group_view(results)
    shown_ids = {group["id"] for group in shown}
    clusters = len(placements) > MAP_PEOPLE and len(placements.base_x) > 0
    if clusters:
        xs, ys, groups = placements.base_x, placements.base_y, placements.base_group
        weights = placements.base_size
    else:
        xs, ys, groups, weights = placements.x, placements.y, placements.group, None

    def points(mask) -> list[list[float]]:
        chosen = [i for i, keep in enumerate(mask) if keep]
        if weights is None:
            return [[float(xs[i]), float(ys[i])] for i in chosen]
        return [[float(xs[i]), float(ys[i]), int(weights[i])] for i in chosen]

    series = [{"label": _("Group %(label)s") % {"label": group["label"]}, "count": group["size"],
               "points": points(groups == group["id"])} for group in shown]
    small = (groups >= 0) & ~_isin(groups, shown_ids)
    if small.any():
        series.append({"label": _("A group too small to show"), "count": None, "points": points(small),
                       "muted": True})
    unclustered = int((placements.group < 0).sum())
    if unclustered:
        series.append({"label": _("Not in a group (too few votes)"), "count": unclustered,
                       "points": [] if clusters else points(groups < 0), "hollow": True})
    description = (_("Each circle is a cluster of participants who vote alike, sized by how many they are; "
                     "participants not in a group are not drawn.") if clusters else
                   _("Each dot is a participant, placed by how they voted: those who vote alike sit close. "
                     "No one is named."))
    chart = charts.scatter("opinion-map", _("Opinion map"), description, series, label_heading=_("Group"),
                           value_heading=_("Participants"), smallest=run.exercise.min_group_size)
    return chart, clusters


def _isin(values, wanted: set[int]):
    import numpy

    return numpy.isin(values, sorted(wanted)) if wanted else numpy.zeros(len(values), dtype=bool)


def _statement_rows(numbers: list[int], results: dict, texts: dict[int, str]) -> list[dict]:
    figures = results.get("statements", {})
    rows = []
    for number in numbers:
        f = figures.get(str(number), {})
        ns, na, nd = f.get("ns", 0), f.get("na", 0), f.get("nd", 0)
        rows.append({"number": number, "text": texts.get(number, ""), "ns": ns, "na": na, "nd": nd,
                     "passes": max(ns - na - nd, 0), "agree": _percent(na, ns), "disagree": _percent(nd, ns)})
    return rows


def consensus_chart(rows: list[dict]) -> charts.Timeline:
    return charts.timeline(
        "consensus", _("Common ground: votes on each consensus statement"),
        _("Agree, disagree and pass on the statements most participants agree on, or disagree with, across groups."),
        [f"#{row['number']}" for row in rows],
        [{"label": _("Agree"), "values": [row["na"] for row in rows]},
         {"label": _("Disagree"), "values": [row["nd"] for row in rows]},
         {"label": _("Pass / unsure"), "values": [row["passes"] for row in rows]}],
        value_heading=_("Votes"), period_heading=_("Statement"))


def results_context(exercise, run) -> dict:
    """Everything the results page shows of one run, in a fixed handful of queries."""
    results = run.results if run is not None and run.state == RunState.DONE else {}
    shown, hidden = group_view(results)
    consensus = results.get("consensus", {})
    representative = results.get("representative", {})
    divisive = results.get("divisive", [])
    numbers = {e["statement"] for e in [*consensus.get("agree", []), *consensus.get("disagree", []), *divisive]}
    numbers |= {e["statement"] for entries in representative.values() for e in entries}
    texts = (dict(exercise.statements.filter(number__in=sorted(numbers)).values_list("number", "text"))
             if numbers else {})
    figures = results.get("statements", {})
    agree_rows = _statement_rows([e["statement"] for e in consensus.get("agree", [])], results, texts)
    disagree_rows = _statement_rows([e["statement"] for e in consensus.get("disagree", [])], results, texts)
    groups = []
    for group in shown:
        entries = []
        for entry in representative.get(str(group["id"]), []):
            own = figures.get(str(entry["statement"]), {}).get("groups", {}).get(str(group["id"]), {})
            key = "na" if entry.get("direction") == "agree" else "nd"
            entries.append({"number": entry["statement"], "text": texts.get(entry["statement"], ""),
                            "direction": entry.get("direction"), "share": _percent(own.get(key, 0), own.get("ns", 0)),
                            "voters": own.get("ns", 0)})
        groups.append({**group, "representative": entries})
    divides = []
    for entry in divisive:
        per_group = figures.get(str(entry["statement"]), {}).get("groups", {})
        divides.append({"number": entry["statement"], "text": texts.get(entry["statement"], ""),
                        "shares": [_percent(per_group.get(str(g["id"]), {}).get("na", 0),
                                            per_group.get(str(g["id"]), {}).get("ns", 0)) for g in shown]})
    context = {"results": results, "shown_groups": groups, "hidden_groups": hidden, "agree_rows": agree_rows,
               "disagree_rows": disagree_rows, "divides": divides}
    if results:
        context["consensus_chart"] = consensus_chart(agree_rows + disagree_rows)
        context["map"], context["map_of_clusters"] = opinion_map(run, results)
    return context


# Pages ------------------------------------------------------------------------------------------------------------

def _render_results(request, exercise, run, *, status: int = 200):
    viewer = request.viewer
    pending = exercise.runs.filter(state__in=[RunState.QUEUED, RunState.RUNNING]).order_by("-created_at").first()
    # A failure after the run shown is worth a word: the page shows older results meanwhile.
    last_failed = exercise.runs.filter(state=RunState.FAILED).order_by("-created_at", "-id").first()
    if last_failed and run is not None and (run.state == RunState.FAILED or last_failed.created_at <= run.created_at):
        last_failed = None
    context = {
        "exercise": exercise, "run": run, "run_message": run_message(run) if run else "", "pending": pending,
        "last_failed": last_failed,
        "outcomes": outcome_for(exercise),
        "can_edit": viewer.can(Capability.ENGAGEMENTS_EDIT), "can_send": viewer.can(Capability.FEEDBACK_SEND),
        **results_context(exercise, run),
    }
    return render(request, "consensus/results/results.html", context, status=status)


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def results(request, pk: int):
    exercise = queries.access_exercise(request.viewer, pk)
    return _render_results(request, exercise, queries.latest_run(exercise))


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def run_detail(request, pk: int, run_pk: int):
    exercise = queries.access_exercise(request.viewer, pk)
    return _render_results(request, exercise, queries.access_run(exercise, run_pk))


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def run_list(request, pk: int):
    exercise = queries.access_exercise(request.viewer, pk)
    runs = list(exercise.runs.defer("results", "placements").select_related("requested_by")
                .order_by("-created_at", "-id")[:RUNS_PER_PAGE])
    for run in runs:
        run.shown_message = run_message(run) if run.state == RunState.NOT_ENOUGH else run.message
    return render(request, "consensus/results/runs.html", {"exercise": exercise, "runs": runs})


@requires(Capability.ENGAGEMENTS_EDIT)
@require_POST
def analyse_now(request, pk: int):
    exercise = queries.access_exercise(request.viewer, pk, for_update=True)
    # Asked for by a person: no debounce, the run starts as soon as a worker is free.
    run = analysis_actions.request_analysis(exercise=exercise, by=request.viewer, delay=datetime.timedelta(0))
    messages.success(request, _("An analysis is queued (run #%(run)s); this page shows it when it is done.")
                     % {"run": run.pk})
    return redirect("consensus:results", pk=exercise.pk)


class FindingsForm(forms.Form):
    findings = forms.MultipleChoiceField(label=gettext_lazy("Findings to turn into inputs"),
                                         widget=forms.CheckboxSelectMultiple)
    owning_function = forms.ChoiceField(label=gettext_lazy("Route the inputs to"), required=False,
                                        choices=[("", gettext_lazy("Nobody yet (triage later)")), *Function.choices])

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].choices = choices

    def picks(self) -> list[result_actions.Pick]:
        found = []
        for value in self.cleaned_data["findings"]:
            kind, group, number = value.split(":")
            found.append(result_actions.Pick(statement=int(number), kind=kind, group=int(group)))
        return found


def finding_choices(run, texts: dict[int, str]) -> list[tuple[str, str]]:
    """Every finding of the run a facilitator may turn into an input, as (value, label)."""
    results = run.results or {}
    shown, _hidden = group_view(results)
    choices = []

    def add(kind: str, group: int, number: int, prefix: str) -> None:
        choices.append((f"{kind}:{group}:{number}", f"{prefix} — #{number} {texts.get(number, '')}"))

    for entry in results.get("consensus", {}).get("agree", []):
        add(ResultKind.CONSENSUS_AGREE, -1, entry["statement"], str(ResultKind.CONSENSUS_AGREE.label))
    for entry in results.get("consensus", {}).get("disagree", []):
        add(ResultKind.CONSENSUS_DISAGREE, -1, entry["statement"], str(ResultKind.CONSENSUS_DISAGREE.label))
    for entry in results.get("divisive", []):
        add(ResultKind.DIVISIVE, -1, entry["statement"], str(ResultKind.DIVISIVE.label))
    for group in shown:
        for entry in results.get("representative", {}).get(str(group["id"]), []):
            add(ResultKind.REPRESENTATIVE, group["id"], entry["statement"],
                _("Represents group %(label)s") % {"label": group["label"]})
    return choices


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def results_to_inputs(request, pk: int, run_pk: int):
    exercise = queries.access_exercise(request.viewer, pk, for_update=True)
    run = queries.access_run(exercise, run_pk)  # a run with no findings offers none; the action refuses it
    texts = dict(exercise.statements.values_list("number", "text"))
    done = {f"{kind}:{group}:{number}" for kind, group, number in
            exercise.statements.filter(results__isnull=False).values_list("results__kind", "results__group", "number")}
    form = FindingsForm(request.POST or None, choices=finding_choices(run, texts))
    if request.method == "POST" and form.is_valid():
        try:
            rows = result_actions.results_to_inputs(run=run, picks=form.picks(), by=request.viewer,
                                                    owning_function=form.cleaned_data["owning_function"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("%(count)s finding(s) are now inputs of the engagement, to be decided.")
                             % {"count": len(rows)})
            return redirect("consensus:results", pk=exercise.pk)
    return render(request, "consensus/results/to_inputs.html", {"exercise": exercise, "run": run, "form": form,
                                                                 "done": done},
                  status=400 if request.method == "POST" else 200)


@requires(Capability.FEEDBACK_SEND)
@require_POST
def send_outcome(request, pk: int):
    exercise = queries.access_exercise(request.viewer, pk)
    try:
        count = result_actions.send_outcome(exercise=exercise, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The outcome goes by email to %(count)s participant(s); those we may not safely "
                                    "email hear back another way.") % {"count": count})
    return redirect("consensus:results", pk=exercise.pk)


urlpatterns = [
    path("exercises/<int:pk>/results/", results, name="results"),
    path("exercises/<int:pk>/results/analyse/", analyse_now, name="analyse"),
    path("exercises/<int:pk>/results/send-outcome/", send_outcome, name="send-outcome"),
    path("exercises/<int:pk>/runs/", run_list, name="runs"),
    path("exercises/<int:pk>/runs/<int:run_pk>/", run_detail, name="run"),
    path("exercises/<int:pk>/runs/<int:run_pk>/inputs/", results_to_inputs, name="results-to-inputs"),
]
