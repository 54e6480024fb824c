"""The facilitator's pages of a consensus exercise: set it up, seed and moderate, hand out links, record a room.

A voting link appears only on the page that answers the POST issuing it (rendered, never redirected: the token
is in no URL, session or log), with a QR code to print; a lost link is reissued, which kills the old one.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors
from rightsloop.engagements.queries import access_engagement
from rightsloop.risks.queries import visible_decisions, visible_risks
from rightsloop.stakeholders.queries import hidden_from, shown_name

from .. import queries
from ..actions import exercises as actions
from ..forms import (
    ExerciseForm,
    InviteForm,
    ModerationForm,
    RoomSeatsForm,
    RoomVotesForm,
    StatementForm,
    exercise_initial,
)
from ..vocabulary import ExerciseStatus, Moderation, VoteChannel

PER_PAGE = 50
# A room recorded on one form: more people than this are recorded through their own links instead.
ROOM_ROWS = 300


def _status(request) -> int:
    return 400 if request.method == "POST" else 200


def _page(request, queryset, name: str):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get(name))


def participant_labels(viewer: Viewer, participants) -> dict[int, str]:
    """Names of engagement participants the viewer may know of (a pseudonym at high safety); nobody else is named.

    A protected person on whom the viewer holds no grant stays a number, as a link-only or room participant is.
    Reads the participants' stakeholders (select_related("participation__stakeholder")) and one query more.
    """
    people = {p.pk: p.participation.stakeholder for p in participants if p.participation_id is not None}
    hidden = set(hidden_from(viewer).filter(pk__in=[s.pk for s in people.values()]).values_list("pk", flat=True))
    return {pk: shown_name(stakeholder, viewer) for pk, stakeholder in people.items() if stakeholder.pk not in hidden}


def _qr(url: str) -> str:
    # Drawn on the server as inline SVG (no script, nothing from another origin). Safe to mark: segno writes only
    # path data for the link (never its text) and escapes the title.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=3, dark="#000", light="#fff",
                                                           title=_("QR code of a voting link")))


def _issued_page(request, exercise, issued):
    rows = [(link.participant, link.url, _qr(link.url)) for link in issued]
    return render(request, "consensus/exercises/issued.html", {"exercise": exercise, "rows": rows})


# The list and the exercise --------------------------------------------------------------------------------------

@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def exercise_list(request):
    status = request.GET.get("status", "")
    if status not in ExerciseStatus.values:
        status = ""
    exercises = queries.visible_exercises(request.viewer).select_related("engagement")
    if status:
        exercises = exercises.filter(status=status)
    # From an engagement's page: its exercises only, with the way to set one up.
    engagement = None
    if request.GET.get("engagement", "").isdigit():
        engagement = access_engagement(request.viewer, int(request.GET["engagement"]))
        exercises = exercises.filter(engagement=engagement)
    query = "&".join(part for part in (f"status={status}" if status else "",
                                       f"engagement={engagement.pk}" if engagement else "") if part)
    return render(request, "consensus/exercises/list.html", {
        "page": _page(request, exercises, "page"), "status": status, "statuses": ExerciseStatus.choices,
        "engagement": engagement, "query": query, "can_edit": request.viewer.can(Capability.ENGAGEMENTS_EDIT),
    })


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def exercise_detail(request, pk: int):
    viewer = request.viewer
    exercise = queries.access_exercise(viewer, pk)
    counts = exercise.statements.aggregate(
        accepted=Count("pk", filter=Q(moderation=Moderation.ACCEPTED)),
        pending=Count("pk", filter=Q(moderation=Moderation.PENDING)),
        set_aside=Count("pk", filter=Q(moderation__in=[Moderation.REJECTED, Moderation.META])))
    statements = _page(request, exercise.statements.exclude(moderation=Moderation.PENDING), "statements")
    queue = _page(request, exercise.statements.filter(moderation=Moderation.PENDING), "queue")
    # Participants are numbered without gaps from the exercise's counter: a page is a range of numbers, read through
    # the (exercise, number) index, with no COUNT and no OFFSET over 100,000 rows.
    participants = Paginator(range(exercise.next_participant_number), PER_PAGE).get_page(
        request.GET.get("participants"))
    numbers = participants.object_list
    participant_rows = list(exercise.participants.filter(number__gte=numbers.start, number__lt=numbers.stop)
                            .select_related("participation__stakeholder").order_by("number"))
    labels = participant_labels(viewer, participant_rows)
    for participant in participant_rows:
        participant.label = labels.get(participant.pk)
    return render(request, "consensus/exercises/detail.html", {
        "exercise": exercise, "counts": counts, "statements": statements, "queue": queue,
        "participants": participants, "participant_rows": participant_rows,
        "can_edit": viewer.can(Capability.ENGAGEMENTS_EDIT),
        "moderations": [(value, label) for value, label in Moderation.choices
                        if value in actions.MODERATION_CHOICES],
        "may_open": counts["accepted"] >= actions.MIN_ACCEPTED_TO_OPEN,
    })


# Setting it up ------------------------------------------------------------------------------------------------

def _exercise_form(request, initial=None):
    viewer = request.viewer
    return ExerciseForm(request.POST or None, initial=initial, risks=visible_risks(viewer).order_by("title"),
                        decisions=visible_decisions(viewer).order_by("title"))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def exercise_create(request, engagement_pk: int):
    viewer = request.viewer
    engagement = access_engagement(viewer, engagement_pk)
    form = _exercise_form(request, initial={"participants_may_write": True, "min_group_size": 5})
    if request.method == "POST" and form.is_valid():
        try:
            exercise = actions.create_exercise(engagement=engagement, by=viewer, **form.values())
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Exercise set up. Add at least two seed statements, then open it."))
            return redirect("consensus:exercise", pk=exercise.pk)
    return render(request, "consensus/exercises/form.html", {"form": form, "engagement": engagement},
                  status=_status(request))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def exercise_edit(request, pk: int):
    viewer = request.viewer
    exercise = queries.access_exercise(viewer, pk, for_update=True)
    form = _exercise_form(request, initial=exercise_initial(exercise))
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_exercise(exercise=exercise, by=viewer, **form.values())
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Exercise saved."))
            return redirect("consensus:exercise", pk=exercise.pk)
    return render(request, "consensus/exercises/form.html", {
        "form": form, "engagement": exercise.engagement, "exercise": exercise}, status=_status(request))


def _opening(request, pk: int) -> Confirmation:
    exercise = queries.access_exercise(request.viewer, pk, for_update=True)
    return Confirmation(
        title=_("Open “%(question)s” for votes?") % {"question": exercise.question},
        losses=[_("Everyone with a link can vote on the accepted statements from now on.")],
        kept=[_("You can close it again at any time; the opening is audited.")],
        confirm_label=_("Open for votes"), back_url=reverse("consensus:exercise", args=[exercise.pk]))


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_opening)
@require_POST
def exercise_open(request, pk: int):
    exercise = queries.access_exercise(request.viewer, pk, for_update=True)
    try:
        actions.open_exercise(exercise=exercise, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The exercise is open for votes."))
    return redirect("consensus:exercise", pk=exercise.pk)


def _closing(request, pk: int) -> Confirmation:
    exercise = queries.access_exercise(request.viewer, pk, for_update=True)
    return Confirmation(
        title=_("Close “%(question)s” to votes?") % {"question": exercise.question},
        losses=[_("Links stop accepting votes and statements.")],
        kept=[_("The votes, statements, links and analysis stay; you can open it again.")],
        confirm_label=_("Close to votes"), back_url=reverse("consensus:exercise", args=[exercise.pk]))


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_closing)
@require_POST
def exercise_close(request, pk: int):
    exercise = queries.access_exercise(request.viewer, pk, for_update=True)
    try:
        actions.close_exercise(exercise=exercise, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The exercise is closed."))
    return redirect("consensus:exercise", pk=exercise.pk)


# Statements ----------------------------------------------------------------------------------------------------

@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def statement_add(request, pk: int):
    viewer = request.viewer
    exercise = queries.access_exercise(viewer, pk, for_update=True)
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            statement = actions.add_statement(exercise=exercise, text=form.cleaned_data["text"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Statement %(number)s added.") % {"number": statement.number})
            if "another" in request.POST:
                return redirect("consensus:statement-add", pk=exercise.pk)
            return redirect(reverse("consensus:exercise", args=[exercise.pk]) + "#statements")
    return render(request, "consensus/exercises/statement_form.html", {"form": form, "exercise": exercise},
                  status=_status(request))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def statement_moderate(request, pk: int, statement_pk: int):
    viewer = request.viewer
    exercise = queries.access_exercise(viewer, pk, for_update=True)
    statement = queries.access_statement(exercise, statement_pk)
    form = ModerationForm(request.POST or None, initial={"moderation": statement.moderation})
    if request.method == "POST" and form.is_valid():
        try:
            actions.moderate_statement(statement=statement, moderation=form.cleaned_data["moderation"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Statement %(number)s: %(moderation)s.") % {
                "number": statement.number, "moderation": Moderation(form.cleaned_data["moderation"]).label})
            return redirect(reverse("consensus:exercise", args=[exercise.pk]) + "#queue")
    return render(request, "consensus/exercises/moderate.html", {
        "form": form, "exercise": exercise, "statement": statement}, status=_status(request))


# Participants and links ----------------------------------------------------------------------------------------

def _invitable(viewer, exercise) -> list[tuple[str, str]]:
    """(participation id, name) of engagement participants not invited yet, that this viewer may know of."""
    from rightsloop.engagements.queries import participations

    invited = exercise.participants.filter(participation__isnull=False).values("participation_id")
    rows = participations(exercise.engagement, viewer).exclude(pk__in=invited)
    return sorted(((str(p.pk), shown_name(p.stakeholder, viewer)) for p in rows), key=lambda c: c[1].casefold())


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def participants_invite(request, pk: int):
    viewer = request.viewer
    exercise = queries.access_exercise(viewer, pk, for_update=True)
    choices = _invitable(viewer, exercise)
    form = InviteForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["participations"]
        try:
            with_links = []
            if chosen:
                people = exercise.engagement.participations.filter(pk__in=[int(pk) for pk in chosen])
                with_links += actions.invite_participants(exercise=exercise, participations=people, by=viewer)
            if form.cleaned_data["link_only"]:
                with_links += actions.add_link_participants(exercise=exercise, count=form.cleaned_data["link_only"],
                                                            by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            # Rendered, not redirected: the links exist only in this response.
            return _issued_page(request, exercise, with_links)
    return render(request, "consensus/exercises/invite.html", {"form": form, "exercise": exercise},
                  status=_status(request))


def _participant(request, pk: int, participant_pk: int) -> tuple:
    exercise = queries.access_exercise(request.viewer, pk, for_update=True)
    return exercise, queries.access_participant(exercise, participant_pk)


def _link_confirmation(title: str, losses: list[str], label: str):
    def describe(request, pk: int, participant_pk: int) -> Confirmation:
        exercise, participant = _participant(request, pk, participant_pk)
        return Confirmation(title=title % {"number": participant.number}, losses=losses, confirm_label=label,
                            back_url=reverse("consensus:exercise", args=[exercise.pk]) + "#participants")
    return describe


def _link_action(request, pk: int, participant_pk: int, action, done: str):
    exercise, participant = _participant(request, pk, participant_pk)
    try:
        result = action(participant=participant, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if isinstance(result, actions.IssuedLink):
            return _issued_page(request, exercise, [result])
        messages.success(request, done % {"number": participant.number})
    return redirect(reverse("consensus:exercise", args=[exercise.pk]) + "#participants")


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_link_confirmation(
    gettext_lazy("Give participant %(number)s a new voting link?"),
    [gettext_lazy("Their current link stops working at once; the new one is shown once, to copy or print.")],
    gettext_lazy("Give a new link")))
@require_POST
def link_reissue(request, pk: int, participant_pk: int):
    return _link_action(request, pk, participant_pk, actions.reissue_link, "")


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_link_confirmation(
    gettext_lazy("Let another device use the link of participant %(number)s?"),
    [gettext_lazy("The next device that opens the link becomes the one that may vote with it.")],
    gettext_lazy("Free the link")))
@require_POST
def link_free(request, pk: int, participant_pk: int):
    return _link_action(request, pk, participant_pk, actions.free_link,
                        _("The link of participant %(number)s may now be used on another device."))


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_link_confirmation(
    gettext_lazy("Revoke the link of participant %(number)s?"),
    [gettext_lazy("The link stops working; the votes already cast stay. A new link can be given later.")],
    gettext_lazy("Revoke the link")))
@require_POST
def link_revoke(request, pk: int, participant_pk: int):
    return _link_action(request, pk, participant_pk, actions.revoke_link,
                        _("The link of participant %(number)s was revoked."))


# A room's votes ------------------------------------------------------------------------------------------------

def _room_statement(exercise, number):
    if number is None or not str(number).isdigit():
        return None
    return exercise.statements.votable().filter(number=int(number)).first()


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def room(request, pk: int):
    """Seat a workshop's room, then record, statement by statement, what each person in it voted."""
    viewer = request.viewer
    exercise = queries.access_exercise(viewer, pk, for_update=True)
    seats = list(exercise.participants.filter(channel=VoteChannel.ROOM).order_by("number")[:ROOM_ROWS])
    seats_form = RoomSeatsForm(request.POST if "count" in request.POST else None)
    statement = _room_statement(exercise, request.POST.get("statement") or request.GET.get("statement"))
    current = {}
    if statement is not None:
        current = {f"vote_{pk}": str(value) for pk, value in statement.votes.filter(
            participant__in=seats).values_list("participant_id", "value")}
    votes_form = RoomVotesForm(request.POST if request.method == "POST" and "count" not in request.POST else None,
                               seats=seats, initial=current)
    if request.method == "POST":
        if "count" in request.POST:
            if seats_form.is_valid():
                return _seat(request, exercise, seats_form)
        elif statement is None:
            votes_form.is_valid()
            votes_form.add_error(None, _("Choose an accepted statement of this exercise by its number."))
        elif votes_form.is_valid():
            try:
                actions.record_room_votes(exercise=exercise, statement=statement, votes=votes_form.votes(), by=viewer)
            except ValidationError as error:
                copy_errors(votes_form, error)
            else:
                messages.success(request, _("Votes on statement %(number)s recorded.") % {"number": statement.number})
                following = exercise.statements.votable().filter(number__gt=statement.number).order_by("number")
                after = following.values_list("number", flat=True).first()
                return redirect(reverse("consensus:room", args=[exercise.pk])
                                + (f"?statement={after}" if after is not None else ""))
    return render(request, "consensus/exercises/room.html", {
        "exercise": exercise, "seats": seats, "seats_form": seats_form, "votes_form": votes_form,
        "statement": statement, "more_seats": len(seats) == ROOM_ROWS,
    }, status=_status(request))


def _seat(request, exercise, form):
    try:
        seated = actions.add_room_participants(exercise=exercise, count=form.cleaned_data["count"], by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)d people seated, numbered from %(first)d.") % {
            "count": len(seated), "first": seated[0].number})
    return redirect("consensus:room", pk=exercise.pk)


urlpatterns = [
    path("exercises/", exercise_list, name="exercises"),
    path("engagements/<int:engagement_pk>/exercises/new/", exercise_create, name="exercise-new"),
    path("exercises/<int:pk>/", exercise_detail, name="exercise"),
    path("exercises/<int:pk>/edit/", exercise_edit, name="exercise-edit"),
    path("exercises/<int:pk>/open/", exercise_open, name="exercise-open"),
    path("exercises/<int:pk>/close/", exercise_close, name="exercise-close"),
    path("exercises/<int:pk>/statements/new/", statement_add, name="statement-add"),
    path("exercises/<int:pk>/statements/<int:statement_pk>/moderate/", statement_moderate,
         name="statement-moderate"),
    path("exercises/<int:pk>/participants/invite/", participants_invite, name="participants-invite"),
    path("exercises/<int:pk>/participants/<int:participant_pk>/reissue/", link_reissue, name="link-reissue"),
    path("exercises/<int:pk>/participants/<int:participant_pk>/free/", link_free, name="link-free"),
    path("exercises/<int:pk>/participants/<int:participant_pk>/revoke/", link_revoke, name="link-revoke"),
    path("exercises/<int:pk>/room/", room, name="room"),
]
