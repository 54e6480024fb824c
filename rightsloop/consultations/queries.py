"""Reads shared by the consultation pages, the API and the public pages; always scoped to the viewer."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import Http404

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id

from .models import Consultation, Theme

_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def visible_consultations(viewer: Viewer) -> QuerySet[Consultation]:
    if not viewer.can(Capability.CONSULTATIONS_VIEW):
        return Consultation.objects.none()
    return Consultation.objects.for_organisation(viewer.organisation).select_related("engagement")


def access_consultation(viewer: Viewer, pk) -> Consultation:
    """The consultation if the viewer may see it; 'not found' for missing and not-yours alike."""
    if not plausible_id(pk):
        raise Http404
    try:
        return visible_consultations(viewer).get(pk=pk)
    except (Consultation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def decidable_themes(viewer: Viewer) -> QuerySet[Theme]:
    """Themes the viewer may open to decide: all of them for the human rights team, and for a decision maker
    the final themes routed to their function (they see nothing else of the consultation)."""
    themes = Theme.objects.filter(consultation__in=Consultation.objects.for_organisation(viewer.organisation))
    if viewer.can(Capability.DECISIONS_ANY) and viewer.can(Capability.CONSULTATIONS_VIEW):
        return themes
    if viewer.can(Capability.DECISIONS_QUEUE) and viewer.function:
        return themes.final().routed_to(viewer.function)
    return Theme.objects.none()


def access_theme_to_decide(viewer: Viewer, consultation_pk, theme_pk) -> Theme:
    """A theme the viewer may decide on; 'not found' for missing, not-yours and routed-elsewhere alike."""
    if not plausible_id(consultation_pk) or not plausible_id(theme_pk):
        raise Http404
    theme = (decidable_themes(viewer).filter(consultation_id=consultation_pk, pk=theme_pk)
             .select_related("consultation__engagement", "current_decision").first())
    if theme is None:
        raise Http404
    return theme


def themes_to_decide(viewer: Viewer, *, awaiting: bool = True) -> QuerySet[Theme]:
    """Final themes routed for decision: to the viewer's function for a decision maker, every routed one for the
    human rights team; oldest routing first, as the input queue is."""
    themes = decidable_themes(viewer).final().routed()
    if viewer.is_decision_maker:
        themes = themes.routed_to(viewer.function)
    themes = themes.awaiting_decision() if awaiting else themes.decided()
    return themes.select_related("consultation__engagement", "current_decision").order_by("routed_at", "id")


def published_consultation(token: str) -> Consultation:
    """A consultation's public face, only once it is published."""
    # Tokens are URL-safe base64 (new_public_token): anything else names nothing and never reaches the database.
    if not token or len(token) > 24 or not _TOKEN.fullmatch(token):
        raise Http404
    try:
        return Consultation.objects.select_related("engagement", "organisation").get(
            public_token=token, published=True)
    except Consultation.DoesNotExist:
        raise Http404 from None


def access_import(viewer: Viewer, consultation_pk, import_pk):
    """An import of a consultation the viewer may see; 'not found' for missing and not-yours alike."""
    from .models import ResponseImport

    consultation = access_consultation(viewer, consultation_pk)
    if not plausible_id(import_pk):
        raise Http404
    try:
        return consultation.imports.select_related("consultation__engagement").get(pk=import_pk)
    except (ResponseImport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
