"""Portal section "exercises": the consensus exercises of engagements the stakeholder takes part in, voted on here.

The same page as a voting link (consensus.views.voting), inside the portal session instead of a link: votes are cast
with the channel PORTAL, by the exercise's participant for the stakeholder's participation, numbered at their first
vote (a visit alone creates nobody). Only direct participations count: someone engaged through a proxy is heard
through the proxy. Exercises still in draft are not shown; closed ones are, with what became of them.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rightsloop.consensus.actions.votes import cast_vote, join_through_portal, submit_statement
from rightsloop.consensus.models import Exercise, Participant
from rightsloop.consensus.views.voting import StatementForm, VoteForm, ballot, form_errors, statement_voted
from rightsloop.consensus.vocabulary import ExerciseStatus, VoteChannel
from rightsloop.core.access import plausible_id
from rightsloop.engagements.models import Participation

from ..access import portal_view


def _participations(stakeholder) -> QuerySet[Participation]:
    return Participation.objects.filter(stakeholder=stakeholder, via_proxy__isnull=True,
                                        engagement__organisation_id=stakeholder.organisation_id)


def exercises_of(stakeholder) -> QuerySet[Exercise]:
    """Open and closed exercises of the engagements the stakeholder takes part in directly, newest first."""
    return (Exercise.objects.filter(organisation_id=stakeholder.organisation_id,
                                    status__in=[ExerciseStatus.OPEN, ExerciseStatus.CLOSED])
            .filter(Exists(_participations(stakeholder).filter(engagement_id=OuterRef("engagement_id"))))
            .order_by("status", "-opened_at", "-id"))


def has_exercises(stakeholder) -> bool:
    return exercises_of(stakeholder).exists()


def _exercise_and_participant(request, pk) -> tuple[Exercise, Participation, Participant]:
    """The exercise if the stakeholder may vote in it (else 404), their participation, and its participant: the
    stored one, or an unsaved stand-in routed as someone who has not voted yet."""
    stakeholder = request.portal.stakeholder
    exercise = exercises_of(stakeholder).filter(pk=pk).select_related("organisation").first() if plausible_id(
        pk) else None
    if exercise is None:
        raise Http404
    participation = _participations(stakeholder).get(engagement_id=exercise.engagement_id)
    participant = Participant.objects.filter(exercise=exercise, participation=participation).first()
    if participant is None:
        participant = Participant(exercise=exercise, participation=participation, channel=VoteChannel.PORTAL,
                                  uid=participation.uid)
    participant.exercise = exercise
    return exercise, participation, participant


@portal_view
@require_http_methods(["GET"])
def index(request):
    return render(request, "portal/exercises/index.html",
                  {"exercises": list(exercises_of(request.portal.stakeholder).select_related("engagement"))})


def _page(request, exercise, participant, *, vote_form=None, statement_form=None, status=200):
    return render(request, "portal/exercises/vote.html", {
        "ballot": ballot(participant),
        "vote_action": reverse("portal:exercises:vote", args=[exercise.pk]),
        "write_action": reverse("portal:exercises:write", args=[exercise.pk]),
        "vote_form": vote_form,
        "statement_form": statement_form or StatementForm(),
        "written": request.GET.get("written") == "1",
    }, status=status)


@portal_view
@require_http_methods(["GET", "POST"])
def vote(request, pk: int):
    exercise, participation, participant = _exercise_and_participant(request, pk)
    if request.method == "GET":
        return _page(request, exercise, participant)
    form = VoteForm(request.POST)
    if form.is_valid():
        statement = statement_voted(participant, form)
        if statement is None:
            form.add_error("statement", _("This statement is not part of this exercise."))
        else:
            try:
                cast_vote(participant=_joined(exercise, participation, participant), statement=statement,
                          value=form.cleaned_data["value"], channel=VoteChannel.PORTAL)
            except ValidationError as error:
                form_errors(form, error)
            else:
                return HttpResponseRedirect(reverse("portal:exercises:vote", args=[exercise.pk]), status=303)
    return _page(request, exercise, participant, vote_form=form, status=400)


@portal_view
@require_POST
def write(request, pk: int):
    exercise, participation, participant = _exercise_and_participant(request, pk)
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            submit_statement(participant=_joined(exercise, participation, participant), text=form.cleaned_data["text"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("portal:exercises:vote", args=[exercise.pk]) + "?written=1",
                                        status=303)
    return _page(request, exercise, participant, statement_form=form, status=400)


def _joined(exercise, participation, participant) -> Participant:
    if participant.pk:
        return participant
    if not exercise.is_open:
        # Nothing to join: the action refuses the vote with the reason (closed, not open yet).
        return participant
    return join_through_portal(exercise=exercise, participation=participation)


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", vote, name="vote"),
    path("<int:pk>/write/", write, name="write"),
]
