"""Decisions per theme and the loop-closure messages (C3): decide on every final theme, then tell respondents."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability, Function
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.engagements.forms import DecisionForm

from .. import loop, queries
from ..actions import outcomes as actions
from ..models import Theme, ThemeDecision


class ThemeDecisionForm(DecisionForm):
    """The decision form of a single input, worded for a theme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rationale"].help_text = gettext_lazy(
            "What we will do, or why not. Respondents read it in their message. Required unless adopted in full.")


def _initial(theme: Theme) -> dict:
    decision = theme.current_decision
    if decision is None:
        return {}
    return {"outcome": decision.outcome, "rationale": decision.rationale, "next_step": decision.next_step,
            "next_step_due": decision.next_step_due}


def _form(theme: Theme, data=None) -> ThemeDecisionForm:
    # One form per theme on one page: ids carry the theme so labels point at the right field.
    return ThemeDecisionForm(data, initial=_initial(theme), auto_id=f"theme-{theme.pk}-%s")


# The decisions page lists themes, one line each; a theme is decided on its own page (theme_decide), so the list
# stays short however many themes there are.
DECISIONS_PER_PAGE = 25


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def decisions(request, pk):
    viewer = request.viewer
    consultation = queries.access_consultation(viewer, pk)
    awaiting = request.GET.get("show") != "all"
    themes = loop.final_themes(consultation)
    total = themes.count()
    undecided = themes.awaiting_decision().count()
    page = paginate(request, themes.awaiting_decision() if awaiting else themes, per_page=DECISIONS_PER_PAGE)
    return render(request, "consultations/outcomes/decisions.html", {
        "consultation": consultation, "page": page, "awaiting": awaiting, "total": total, "undecided": undecided,
        "query": query_without_page(request), "can_decide": viewer.can(Capability.DECISIONS_ANY),
        "can_route": viewer.can(Capability.CONSULTATIONS_ANALYSE),
    })


@requires(Capability.DECISIONS_QUEUE)
@require_GET
def themes_to_decide(request):
    """The themes routed for decision: a decision maker's function's, or every routed one for the team."""
    viewer = request.viewer
    awaiting = request.GET.get("show") != "decided"
    page = paginate(request, queries.themes_to_decide(viewer, awaiting=awaiting))
    function = viewer.function if viewer.is_decision_maker else ""
    return render(request, "consultations/outcomes/themes_to_decide.html", {
        "page": page, "awaiting": awaiting, "query": query_without_page(request),
        "function_label": Function(function).label if function in Function.values else "",
    })


def _after_decision(viewer, consultation, theme) -> str:
    if viewer.can(Capability.CONSULTATIONS_VIEW):
        return reverse("consultations:decisions", args=[consultation.pk]) + f"#theme-{theme.pk}"
    return reverse("consultations:themes-to-decide")


@requires(Capability.DECISIONS_QUEUE)
@require_http_methods(["GET", "POST"])
def theme_decide(request, pk, theme_pk):
    viewer = request.viewer
    theme = queries.access_theme_to_decide(viewer, pk, theme_pk)
    if not actions.may_decide_theme(viewer, theme):
        raise PermissionDenied(_("Only the function this theme is routed to, or the human rights team, can decide "
                                 "on it."))
    consultation = theme.consultation
    form = _form(theme, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.decide_theme(theme=theme, outcome=data["outcome"], rationale=data["rationale"],
                                 next_step=data["next_step"], next_step_due=data["next_step_due"], by=viewer)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("Decision on “%(theme)s” recorded.") % {"theme": theme.label})
            return redirect(_after_decision(viewer, consultation, theme))
    prefetch_related_objects([theme], Prefetch("decisions", queryset=ThemeDecision.objects.select_related(
        "decided_by")))
    return render(request, "consultations/outcomes/decide.html", {
        "consultation": consultation, "theme": theme, "form": form,
        "stance": loop.stance_split(theme, consultation),
        "sees_consultation": viewer.can(Capability.CONSULTATIONS_VIEW),
    }, status=400 if form.errors else 200)


def _messages_context(request, consultation, *, problems=()):
    viewer = request.viewer
    now = timezone.now()
    runs = list(consultation.message_runs.all()[:10])
    latest = runs[0] if runs else None
    resumable = actions.resumable_run(consultation)
    return {
        "consultation": consultation,
        "counts": loop.sending_counts(consultation, now),
        "progress": loop.progress(latest, now) if latest else None,
        "runs": [loop.progress(run, now) for run in runs],
        "resumable": resumable,
        "blockers": loop.sending_blockers(consultation),
        "can_send": viewer.can(Capability.FEEDBACK_SEND),
        "problems": problems,
    }


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def messages_page(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    context = _messages_context(request, consultation)
    if request.htmx:
        return render(request, "consultations/outcomes/messages.html#progress", context)
    return render(request, "consultations/outcomes/messages.html", context)


def _send_or_explain(request, consultation, act):
    try:
        act()
    except ValidationError as error:
        return render(request, "consultations/outcomes/messages.html",
                      _messages_context(request, consultation, problems=error.messages), status=400)
    return redirect("consultations:messages", consultation.pk)


@requires(Capability.FEEDBACK_SEND)
@require_POST
def messages_start(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)

    def start():
        run = actions.start_sending(consultation=consultation, by=request.viewer)
        messages.success(request, _("Sending started: %(count)s addresses.") % {"count": run.total})

    return _send_or_explain(request, consultation, start)


@requires(Capability.FEEDBACK_SEND)
@require_POST
def messages_resume(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)

    def resume():
        run = actions.resumable_run(consultation)
        if run is None:
            raise ValidationError(_("There is no interrupted sending to resume."))
        actions.resume_sending(run=run, by=request.viewer)
        messages.success(request, _("Sending resumed."))

    return _send_or_explain(request, consultation, resume)


urlpatterns = [
    path("<int:pk>/decisions/", decisions, name="decisions"),
    path("<int:pk>/decisions/<int:theme_pk>/", theme_decide, name="theme-decide"),
    path("themes-to-decide/", themes_to_decide, name="themes-to-decide"),
    path("<int:pk>/messages/", messages_page, name="messages"),
    path("<int:pk>/messages/start/", messages_start, name="messages-start"),
    path("<int:pk>/messages/resume/", messages_resume, name="messages-resume"),
]
