"""Reads of the oversight app, scoped to the viewer's organisation."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id
from rightsloop.stakeholders.queries import shown_name, visible_stakeholders

from .models import BoardBriefing, BoardPack


def board_members(organisation) -> QuerySet[User]:
    return User.objects.filter(pk__in=Membership.objects.filter(
        organisation=organisation, role=Role.BOARD, is_active=True).values("user_id")).order_by("first_name", "pk")


def briefings(viewer: Viewer) -> QuerySet[BoardBriefing]:
    if not viewer.can(Capability.OVERSIGHT_VIEW):
        return BoardBriefing.objects.none()
    return (BoardBriefing.objects.for_organisation(viewer.organisation).select_related("recorded_by")
            .prefetch_related(Prefetch("attendees", queryset=User.objects.order_by("first_name", "pk"))))


def access_briefing(viewer: Viewer, pk) -> BoardBriefing:
    if not plausible_id(pk):
        raise Http404
    found = briefings(viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def speakers(briefing: BoardBriefing, viewer: Viewer) -> tuple[list[str], int]:
    """Who spoke to the board as this viewer may see them (names or pseudonyms), and how many it may not see."""
    everyone = list(briefing.stakeholders.values_list("pk", flat=True))
    shown = list(visible_stakeholders(viewer).filter(pk__in=everyone).order_by("pk"))
    return [shown_name(person, viewer) for person in shown], len(everyone) - len(shown)


def packs(viewer: Viewer) -> QuerySet[BoardPack]:
    if not viewer.can(Capability.OVERSIGHT_VIEW):
        return BoardPack.objects.none()
    return BoardPack.objects.for_organisation(viewer.organisation).select_related("requested_by")


def access_pack(viewer: Viewer, pk) -> BoardPack:
    if not plausible_id(pk):
        raise Http404
    found = packs(viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
