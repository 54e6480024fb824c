"""Reads shared by the consultation pages, the API and the public pages; always scoped to the viewer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.http import Http404

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id

from .models import Consultation, Response, Theme

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


# The language counts scan every response: computed at most this often per consultation, and forgotten when an
# import is rolled back (actions.imports.run_rollback), so the public page never counts removed responses.
LANGUAGES_CACHE_SECONDS = 10 * 60


def _languages_key(consultation_id: int) -> str:
    return f"consultation-languages:{consultation_id}"


def response_languages(consultation: Consultation) -> list[tuple[str, int]]:
    """(language code, responses) of a consultation, most frequent first."""
    def count():
        rows = (Response.objects.filter(consultation=consultation).exclude(language="")
                .values_list("language").annotate(n=Count("id")).order_by("-n", "language"))
        return [(code, n) for code, n in rows]

    return cache.get_or_set(_languages_key(consultation.pk), count, LANGUAGES_CACHE_SECONDS)


def forget_response_languages(consultation_id: int) -> None:
    cache.delete(_languages_key(consultation_id))


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


@dataclass(frozen=True)
class ThemeChange:
    theme_id: int
    label: str
    final: bool
    before: int
    after: int


@dataclass(frozen=True)
class RollbackPreview:
    """What rolling back an import would remove, shown before anyone confirms it."""

    responses: int
    respondents: int          # respondents who answered only in this file, removed with it
    themes: list[ThemeChange]
    published: bool           # the public page is live
    published_changes: bool   # and its figures (responses, theme sizes) change
    messages_sent: bool       # respondents were told the outcome: an imported file can then no longer go

    @property
    def final_themes_emptied(self) -> list[ThemeChange]:
        return [change for change in self.themes if change.final and change.after == 0]


def rollback_preview(response_import) -> RollbackPreview:
    """Count what a rollback of this import takes away: responses, respondents, and each theme's size before and
    after (counted from the placements, so the figures are those the rollback leaves)."""
    from .models import ImportState, MessageRun, Respondent, ThemeAssignment, ThemeStatus

    consultation = response_import.consultation
    responses = Response.objects.filter(response_import=response_import).count()
    respondents = (Respondent.objects.filter(response_import=response_import)
                   .exclude(responses__in=Response.objects.exclude(response_import=response_import)).count())
    leaving = dict(ThemeAssignment.objects.filter(consultation=consultation, theme__isnull=False,
                                                  response__response_import=response_import)
                   .values("theme_id").annotate(n=Count("response_id", distinct=True)).values_list("theme_id", "n"))
    totals = dict(ThemeAssignment.objects.filter(theme_id__in=list(leaving)).values("theme_id")
                  .annotate(n=Count("response_id", distinct=True)).values_list("theme_id", "n"))
    themes = [ThemeChange(theme_id=theme.pk, label=theme.label, final=theme.status == ThemeStatus.FINAL,
                          before=totals.get(theme.pk, 0), after=totals.get(theme.pk, 0) - leaving[theme.pk])
              for theme in Theme.objects.filter(pk__in=list(leaving)).order_by("position", "id")]
    return RollbackPreview(responses=responses, respondents=respondents, themes=themes,
                           published=consultation.published,
                           published_changes=consultation.published and responses > 0,
                           messages_sent=response_import.state == ImportState.APPLIED
                           and MessageRun.objects.filter(consultation=consultation).exists())
