"""Shared reads of consensus building: what a viewer may see, and the objects a route names.

Claims and exercises live inside engagements and are read by those who may read engagements
(engagements.view); changing them takes engagements.edit. A record the viewer may not see is 'not found',
whatever the reason, as everywhere else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id
from rightsloop.engagements.queries import visible_engagements

from .models import AnalysisRun, Claim, Exercise, Participant, Statement
from .vocabulary import RunState


def visible_exercises(viewer: Viewer) -> QuerySet[Exercise]:
    if not viewer.can(Capability.ENGAGEMENTS_VIEW):
        return Exercise.objects.none()
    return Exercise.objects.for_organisation(viewer.organisation).filter(engagement__in=visible_engagements(viewer))


def visible_claims(viewer: Viewer) -> QuerySet[Claim]:
    if not viewer.can(Capability.ENGAGEMENTS_VIEW):
        return Claim.objects.none()
    return Claim.objects.for_organisation(viewer.organisation).filter(engagement__in=visible_engagements(viewer))


def require_reader(viewer: Viewer) -> None:
    """A role that may not read engagements is refused whatever the id (403, as the pages answer)."""
    if not viewer.can(Capability.ENGAGEMENTS_VIEW):
        raise PermissionDenied(_("Your role does not give access to consensus building."))


def one(queryset: QuerySet, pk):
    if not plausible_id(pk):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_exercise(viewer: Viewer, pk, *, for_update: bool = False) -> Exercise:
    """The exercise if the viewer may see it (and change it, for_update); 'not found' otherwise."""
    require_reader(viewer)
    if for_update and not viewer.can(Capability.ENGAGEMENTS_EDIT):
        raise Http404
    return one(visible_exercises(viewer).select_related("engagement", "organisation"), pk)


def access_claim(viewer: Viewer, pk, *, for_update: bool = False) -> Claim:
    require_reader(viewer)
    if for_update and not viewer.can(Capability.ENGAGEMENTS_EDIT):
        raise Http404
    return one(visible_claims(viewer).select_related("engagement", "holder__stakeholder", "holder_group"), pk)


def access_statement(exercise: Exercise, pk) -> Statement:
    return one(exercise.statements.all(), pk)


def access_participant(exercise: Exercise, pk) -> Participant:
    return one(exercise.participants.all(), pk)


def access_run(exercise: Exercise, pk) -> AnalysisRun:
    return one(exercise.runs.all(), pk)


def latest_run(exercise: Exercise) -> AnalysisRun | None:
    """The newest finished run (done, or not enough data): what the pages show."""
    return exercise.runs.filter(state__in=[RunState.DONE, RunState.NOT_ENOUGH]).order_by("-created_at", "-id").first()
