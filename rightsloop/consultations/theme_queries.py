"""Reads of the analysis pages and API: themes, their examples, runs, duplicate groups and the review queue.

Each starts from a consultation the viewer may see (queries.access_consultation), so nothing here can reach another
organisation's rows. None of these reads a respondent or a contact.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from rightsloop.core.access import plausible_id

from .models import (
    AnalysisRun,
    Consultation,
    DuplicateGroup,
    Response,
    Theme,
    ThemeAssignment,
    ThemeExample,
)

SEARCH_LIMIT = 2_000  # responses decrypted at most by one search (texts are sealed: no database search)


def _get(queryset, pk):
    if not plausible_id(pk):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def themes_of(consultation: Consultation) -> QuerySet[Theme]:
    """The consultation's themes with their example counts, in a fixed number of queries whatever their number."""
    return (consultation.themes.annotate(
        example_count=Count("examples", distinct=True),
        confirmed_count=Count("examples", filter=Q(examples__confirmed=True), distinct=True))
        .order_by("-status", "position", "id"))


def access_theme(consultation: Consultation, pk) -> Theme:
    return _get(consultation.themes.select_related("consultation__organisation", "label_confirmed_by"), pk)


def access_response(consultation: Consultation, pk) -> Response:
    return _get(Response.objects.filter(consultation=consultation), pk)


def examples_of(theme: Theme) -> list[ThemeExample]:
    return list(theme.examples.select_related("response").order_by("-confirmed", "id"))


def runs_of(consultation: Consultation, limit: int = 10) -> list[AnalysisRun]:
    return list(consultation.runs.all()[:limit])


def duplicate_groups(consultation: Consultation) -> QuerySet[DuplicateGroup]:
    return DuplicateGroup.objects.filter(consultation=consultation).select_related("representative")


def review_queue(consultation: Consultation) -> QuerySet[Response]:
    """Responses waiting for an analyst: their best placement was less sure than the review threshold."""
    waiting = ThemeAssignment.objects.filter(consultation=consultation, needs_review=True).values("response_id")
    suggestions = ThemeAssignment.objects.select_related("theme").order_by("-confidence", "id")
    return (Response.objects.filter(consultation=consultation, pk__in=waiting).order_by("id")
            .only("id", "organisation_id", "response_import_id", "line", "text_sealed", "language", "stance",
                  "duplicate_group_id")
            .prefetch_related(Prefetch("assignments", queryset=suggestions, to_attr="suggestions")))


def review_queue_size(consultation: Consultation) -> int:
    """Responses waiting for review: an assignment run flags one row per response (its best placement)."""
    return ThemeAssignment.objects.filter(consultation=consultation, needs_review=True).count()


def placements_of(response: Response) -> list[ThemeAssignment]:
    return list(response.assignments.select_related("theme").order_by("-confidence", "id"))


@dataclass(frozen=True)
class Found:
    response: Response
    text: str


def search_responses(consultation: Consultation, words: str, *, theme: Theme | None = None,
                     limit: int = 20) -> tuple[list[Found], int]:
    """Responses whose text holds every word, among at most SEARCH_LIMIT of the theme's (or consultation's).

    The texts are sealed, so the database cannot search them: this opens a bounded number, in id order, and
    returns the matches with how many it looked at.
    """
    terms = [term.casefold() for term in words.split() if term]
    responses = Response.objects.filter(consultation=consultation)
    if theme is not None:
        responses = responses.filter(pk__in=ThemeAssignment.objects.filter(theme=theme).values("response_id"))
    else:
        responses = responses.filter(excluded=False)
    found, looked = [], 0
    rows = (responses.order_by("id").only("id", "organisation_id", "response_import_id", "line", "text_sealed",
                                          "language").iterator(chunk_size=500))
    for response in rows:
        if looked >= SEARCH_LIMIT or len(found) >= limit:
            break
        looked += 1
        text = response.text
        if terms and all(term in text.casefold() for term in terms):
            found.append(Found(response=response, text=text))
    return found, looked


@dataclass(frozen=True)
class DeletionPreview:
    """What deleting a theme loses, said before anyone confirms it."""

    placements: int         # responses placed in the theme
    to_other: int           # of them, those no other theme holds: they go to "other"
    examples: int
    decided: bool           # a recorded decision: the theme cannot be deleted


def deletion_preview(theme: Theme) -> DeletionPreview:
    placed = ThemeAssignment.objects.filter(theme=theme)
    elsewhere = ThemeAssignment.objects.filter(consultation_id=theme.consultation_id, theme__isnull=False).exclude(
        theme=theme).values("response_id")
    return DeletionPreview(
        placements=placed.values("response_id").distinct().count(),
        to_other=placed.exclude(response_id__in=elsewhere).values("response_id").distinct().count(),
        examples=theme.examples.count(), decided=theme.decisions.exists())
