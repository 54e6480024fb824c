"""The analyst shapes the theme set: rename, merge, split, delete, add, pick examples, finalise, link risks and
rights, and review the placements the model was unsure of. Every action is atomic and writes one audit entry.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core import rights as rights_taxonomy
from rightsloop.risks import queries as risk_queries

from ..analysis import assignment as assignment_engine
from ..analysis import themes as themes_engine
from ..models import (
    AssignmentSource,
    Consultation,
    Response,
    Theme,
    ThemeAssignment,
    ThemeExample,
    ThemeStatus,
)
from .analysis import load_corpus, refresh_sizes, theme_label

MAX_PARTS = 10


def _record(theme_or_consultation, by: Viewer, action: str, summary: str = "", changed_fields=()) -> None:
    consultation = getattr(theme_or_consultation, "consultation", theme_or_consultation)
    audit.record(organisation=consultation.organisation, by=by, action=f"consultation.{action}",
                 target=theme_or_consultation, summary=summary, changed_fields=changed_fields)


def _lock(consultation: Consultation) -> None:
    """Serialise changes to one consultation's theme set (two analysts merging at once)."""
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()


def _next_position(consultation: Consultation) -> int:
    return (consultation.themes.aggregate(top=Max("position"))["top"] or 0) + 1


def _check_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": [_("Give the theme a label.")]})
    if len(label) > 200:
        raise ValidationError({"label": [_("Keep the label under 200 characters.")]})
    return label


def _undecided(*themes: Theme) -> None:
    """A theme with a recorded decision stays: merging it away, splitting or deleting it would lose the record."""
    decided = [theme.label for theme in themes if theme.decisions.exists()]
    if decided:
        raise ValidationError(_("A decision was recorded on %(themes)s: it cannot be merged away, split or "
                                "deleted.") % {"themes": "; ".join(decided)})


def _same_consultation(consultation: Consultation, themes) -> None:
    if any(theme.consultation_id != consultation.pk for theme in themes):
        raise ValidationError({"themes": [_("Choose themes of this consultation.")]})


def _confirmed_by(theme: Theme, by: Viewer) -> list[str]:
    """The label is now the analyst's own: whoever wrote or confirmed it, and when."""
    theme.label_confirmed_by, theme.label_confirmed_at = by.user, timezone.now()
    return ["label_confirmed_by", "label_confirmed_at"]


@transaction.atomic
def rename_theme(*, theme: Theme, label: str, description: str = "", by: Viewer) -> Theme:
    """The analyst writes the label (and description): a written label is a confirmed one."""
    theme.label, theme.description = _check_label(label), (description or "").strip()
    theme.save(update_fields=["label", "description", *_confirmed_by(theme, by)])
    _record(theme, by, "theme_renamed", summary=theme.label, changed_fields=["label", "description"])
    return theme


@transaction.atomic
def confirm_label(*, theme: Theme, by: Viewer) -> Theme:
    """The analyst stands by the label as it is (often the key terms discovery proposed), so it may be published."""
    theme.save(update_fields=_confirmed_by(theme, by))
    _record(theme, by, "theme_label_confirmed", summary=theme.label, changed_fields=["label_confirmed_at"])
    return theme


@transaction.atomic
def review_stance(*, theme: Theme, reviewed: bool = True, by: Viewer) -> Theme:
    """Mark the theme's for/against/unclear counts as read by the analyst (or take the mark back).

    The counts come from a model; they are shown to the public only once a person has reviewed them.
    """
    if reviewed and not theme.consultation.yes_no:
        raise ValidationError(_("This consultation does not ask to agree or disagree: there is no stance to "
                                "review."))
    theme.stance_reviewed_by = by.user if reviewed else None
    theme.stance_reviewed_at = timezone.now() if reviewed else None
    theme.save(update_fields=["stance_reviewed_by", "stance_reviewed_at"])
    _record(theme, by, "theme_stance_reviewed" if reviewed else "theme_stance_unreviewed", summary=theme.label,
            changed_fields=["stance_reviewed_at"])
    return theme


@transaction.atomic
def add_theme(*, consultation: Consultation, label: str, description: str = "", by: Viewer) -> Theme:
    """A new, empty candidate theme: give it examples, then finalise the set again."""
    _lock(consultation)
    theme = Theme.objects.create(consultation=consultation, label=_check_label(label),
                                 description=(description or "").strip(), position=_next_position(consultation),
                                 label_confirmed_by=by.user, label_confirmed_at=timezone.now())
    _record(theme, by, "theme_added", summary=theme.label)
    return theme


def _merge_counts(*dicts: dict) -> dict:
    total: Counter = Counter()
    for values in dicts:
        total.update({key: int(value) for key, value in (values or {}).items()})
    return dict(total)


@transaction.atomic
def merge_themes(*, themes: list[Theme], label: str = "", by: Viewer) -> Theme:
    """Fold two or more themes into the first: placements and examples move, the others go."""
    themes = list(dict.fromkeys(themes))
    if len(themes) < 2:
        raise ValidationError({"themes": [_("Choose at least two themes to merge.")]})
    target, others = themes[0], themes[1:]
    _same_consultation(target.consultation, themes)
    _undecided(*others)
    _lock(target.consultation)
    for other in others:
        # A response in both keeps one placement and one example row (unique per theme and response).
        ThemeAssignment.objects.filter(theme=other, response_id__in=ThemeAssignment.objects.filter(
            theme=target).values("response_id")).delete()
        ThemeAssignment.objects.filter(theme=other).update(theme=target)
        ThemeExample.objects.filter(theme=other, response_id__in=ThemeExample.objects.filter(
            theme=target).values("response_id")).delete()
        ThemeExample.objects.filter(theme=other).update(theme=target)
        target.risks.add(*other.risks.all())
    target.key_terms = list(dict.fromkeys(term for theme in themes for term in theme.key_terms))[:6]
    target.languages = _merge_counts(*(theme.languages for theme in themes))
    target.stance = _merge_counts(*(theme.stance for theme in themes))
    target.rights = list(dict.fromkeys(code for theme in themes for code in theme.rights))
    confirmation = []
    if label:
        target.label = _check_label(label)
        confirmation = _confirmed_by(target, by)
    # Summed counts were reviewed only if every part of them was.
    if not all(theme.stance_reviewed for theme in themes):
        target.stance_reviewed_by, target.stance_reviewed_at = None, None
    merged = ", ".join(f"#{theme.pk} {theme.label}" for theme in others)
    Theme.objects.filter(pk__in=[theme.pk for theme in others]).delete()
    target.save(update_fields=["key_terms", "languages", "stance", "rights", "label", *confirmation,
                               "stance_reviewed_by", "stance_reviewed_at"])
    refresh_sizes(target.consultation, [target.pk])
    target.refresh_from_db(fields=["size"])
    _record(target, by, "themes_merged", summary=f"{target.label} <- {merged}")
    return target


def _members(theme: Theme):
    return ThemeAssignment.objects.filter(theme=theme).values("response_id")


def _profile(corpus, indices) -> tuple[dict, dict]:
    languages = Counter(corpus.languages[i] or "?" for i in indices)
    stance = Counter(corpus.stances[i] for i in indices if corpus.stances[i])
    return dict(languages), dict(stance)


def _replace_with_parts(theme: Theme, corpus, parts: list[tuple[str, list[str], list[int], list[int]]],
                        confirmed_by: Viewer | None) -> list[Theme]:
    """Put new candidate themes (label, key terms, member rows, example rows) in the place of the split theme.

    confirmed_by: the analyst who named the parts and chose their examples; None when discovery did (its labels
    then wait for confirmation). A part's stance is new counts, not yet reviewed.
    """
    consultation = theme.consultation
    reviewed = set(ThemeAssignment.objects.filter(theme=theme, source=AssignmentSource.REVIEWED)
                   .values_list("response_id", flat=True))
    source = AssignmentSource.DISCOVERED if theme.status == ThemeStatus.CANDIDATE else AssignmentSource.ASSIGNED
    position = _next_position(consultation)
    created = []
    for n, (label, key_terms, members, examples) in enumerate(parts):
        languages, stance = _profile(corpus, members)
        part = Theme.objects.create(
            consultation=consultation, run=theme.run, label=label[:200], key_terms=key_terms, size=len(members),
            languages=languages, stance=stance if consultation.yes_no else {}, rights=list(theme.rights),
            position=position + n, description=theme.description,
            label_confirmed_by=confirmed_by.user if confirmed_by else None,
            label_confirmed_at=timezone.now() if confirmed_by else None)
        part.risks.set(theme.risks.all())
        ThemeExample.objects.bulk_create([
            ThemeExample(theme=part, response_id=int(corpus.ids[i]), confirmed=confirmed_by is not None,
                         confirmed_by=confirmed_by.user if confirmed_by else None)
            for i in dict.fromkeys(examples)])
        ThemeAssignment.objects.bulk_create([
            ThemeAssignment(consultation=consultation, response_id=int(corpus.ids[i]), theme=part,
                            source=AssignmentSource.REVIEWED if int(corpus.ids[i]) in reviewed else source)
            for i in members], batch_size=5_000)
        created.append(part)
    theme.delete()
    return created


@transaction.atomic
def split_theme(*, theme: Theme, parts: int, seed: int = 0, by: Viewer) -> list[Theme]:
    """Split a theme in `parts` by running discovery again on its responses only."""
    if not isinstance(parts, int) or not 2 <= parts <= MAX_PARTS:
        raise ValidationError({"parts": [_("Split into 2 to %(max)s themes.") % {"max": MAX_PARTS}]})
    _undecided(theme)
    _lock(theme.consultation)
    corpus = load_corpus(theme.consultation, response_ids=_members(theme))
    if len(corpus) < parts * 2:
        raise ValidationError({"parts": [_("This theme holds too few responses to split in %(n)s.") % {"n": parts}]})
    candidates = themes_engine.discover_themes(
        corpus.texts, languages=corpus.languages, excluded=corpus.excluded,
        stance=corpus.stances if theme.consultation.yes_no else None,
        parameters=themes_engine.DiscoveryParameters(seed=seed, themes=parts))
    placed = {i for candidate in candidates for i in candidate.members}
    leftovers = [i for i in range(len(corpus)) if i not in placed]
    rows = [(theme_label(c.key_terms), list(c.key_terms), list(c.members), list(c.representatives))
            for c in candidates]
    if leftovers and rows:  # the engine places every text; should one be left over, it stays with the largest part
        rows[0][2].extend(leftovers)
    created = _replace_with_parts(theme, corpus, rows, confirmed_by=None)
    _record(theme.consultation, by, "theme_split",
            summary=f"#{theme.pk} {theme.label} -> {', '.join(part.label for part in created)} (seed {seed})")
    return created


@transaction.atomic
def split_theme_by_examples(*, theme: Theme, parts: list[tuple[str, list[Response]]], seed: int = 0,
                            by: Viewer) -> list[Theme]:
    """Split a theme in the parts the analyst named, each with its examples; the rest follow the nearest part."""
    if not 2 <= len(parts) <= MAX_PARTS:
        raise ValidationError({"parts": [_("Split into 2 to %(max)s themes.") % {"max": MAX_PARTS}]})
    if any(not examples for _label, examples in parts):
        raise ValidationError({"parts": [_("Give every part at least one example response.")]})
    _undecided(theme)
    _lock(theme.consultation)
    corpus = load_corpus(theme.consultation, response_ids=_members(theme))
    row_of = {int(pk): i for i, pk in enumerate(corpus.ids.tolist())}
    example_rows = []
    for label, examples in parts:
        rows = [row_of.get(response.pk) for response in examples]
        if None in rows:
            raise ValidationError({"parts": [_("Examples must be responses of the theme being split.")]})
        example_rows.append((_check_label(label), rows))
    result = assignment_engine.assign_themes(
        corpus.texts, examples={n: rows for n, (_label, rows) in enumerate(example_rows)}, seed=seed)
    # Each response goes to the part the model puts it in first (the first part when it says "other"), and an
    # example always sits in its own part.
    part_of = [next((key for key in keys if isinstance(key, int) and 0 <= key < len(parts)), 0)
               for keys in result.themes]
    for n, (_label, rows) in enumerate(example_rows):
        for i in rows:
            part_of[i] = n
    members: list[list[int]] = [[] for _part in parts]
    for i, n in enumerate(part_of):
        members[n].append(i)
    created = _replace_with_parts(
        theme, corpus, [(label, [], sorted(members[n]), rows) for n, (label, rows) in enumerate(example_rows)],
        confirmed_by=by)
    _record(theme.consultation, by, "theme_split",
            summary=f"#{theme.pk} {theme.label} -> {', '.join(part.label for part in created)} (by examples)")
    return created


@transaction.atomic
def delete_theme(*, theme: Theme, by: Viewer) -> None:
    """Remove a theme; its responses go to "other" unless another theme holds them."""
    _undecided(theme)
    consultation = theme.consultation
    _lock(consultation)
    elsewhere = ThemeAssignment.objects.filter(consultation=consultation).exclude(theme=theme).exclude(
        theme__isnull=True).values("response_id")
    ThemeAssignment.objects.filter(theme=theme, response_id__in=elsewhere).delete()
    if theme.status == ThemeStatus.FINAL:
        ThemeAssignment.objects.filter(theme=theme).update(theme=None)
    summary = f"#{theme.pk} {theme.label}"
    theme.delete()  # discovered placements of a candidate go with it
    _record(consultation, by, "theme_deleted", summary=summary)


@transaction.atomic
def add_example(*, theme: Theme, response: Response, confirmed: bool = True, by: Viewer) -> ThemeExample:
    """Make a response an example of the theme (confirmed by the analyst unless said otherwise)."""
    if response.consultation_id != theme.consultation_id:
        raise ValidationError({"response": [_("Choose a response of this consultation.")]})
    example, _created = ThemeExample.objects.update_or_create(
        theme=theme, response=response,
        defaults={"confirmed": confirmed, "confirmed_by": by.user if confirmed else None})
    _record(theme, by, "example_added", summary=f"response #{response.pk} in {theme.label}")
    return example


def _example(theme: Theme, response: Response) -> ThemeExample:
    example = ThemeExample.objects.select_for_update().filter(theme=theme, response=response).first()
    if example is None:
        raise ValidationError({"response": [_("This response is not an example of the theme.")]})
    return example


@transaction.atomic
def confirm_example(*, theme: Theme, response: Response, confirmed: bool = True, by: Viewer) -> ThemeExample:
    example = _example(theme, response)
    example.confirmed, example.confirmed_by = confirmed, by.user if confirmed else None
    example.save(update_fields=["confirmed", "confirmed_by"])
    _record(theme, by, "example_confirmed" if confirmed else "example_unconfirmed",
            summary=f"response #{response.pk} in {theme.label}")
    return example


@transaction.atomic
def remove_example(*, theme: Theme, response: Response, by: Viewer) -> None:
    _example(theme, response).delete()
    _record(theme, by, "example_removed", summary=f"response #{response.pk} from {theme.label}")


@transaction.atomic
def move_example(*, theme: Theme, response: Response, to: Theme, by: Viewer) -> ThemeExample:
    """The analyst says this example belongs to another theme: the example and the response's placement move."""
    if to.consultation_id != theme.consultation_id:
        raise ValidationError({"to": [_("Choose a theme of this consultation.")]})
    if to.pk == theme.pk:
        raise ValidationError({"to": [_("Choose another theme to move the example to.")]})
    example = _example(theme, response)
    ThemeExample.objects.filter(theme=to, response=response).delete()
    example.theme, example.confirmed, example.confirmed_by = to, True, by.user
    example.save(update_fields=["theme", "confirmed", "confirmed_by"])
    ThemeAssignment.objects.filter(theme=theme, response=response).delete()
    ThemeAssignment.objects.filter(response=response, theme__isnull=True).delete()
    ThemeAssignment.objects.update_or_create(
        consultation_id=theme.consultation_id, response=response, theme=to,
        defaults={"source": AssignmentSource.REVIEWED, "confidence": 1.0, "needs_review": False})
    refresh_sizes(theme.consultation, [theme.pk, to.pk])
    _record(to, by, "example_moved", summary=f"response #{response.pk}: {theme.label} -> {to.label}")
    return example


@transaction.atomic
def finalise_themes(*, consultation: Consultation, by: Viewer) -> int:
    """Make the candidate themes final; every theme of the set needs at least one confirmed example."""
    _lock(consultation)
    themes = list(consultation.themes.all())
    if not themes:
        raise ValidationError(_("There are no themes to finalise: run discovery or add a theme first."))
    confirmed = set(ThemeExample.objects.filter(theme__consultation=consultation, confirmed=True)
                    .values_list("theme_id", flat=True))
    missing = [theme.label for theme in themes if theme.pk not in confirmed]
    if missing:
        raise ValidationError(_("Confirm at least one example in each theme first; none yet in: %(themes)s.")
                              % {"themes": "; ".join(missing)})
    count = consultation.themes.filter(status=ThemeStatus.CANDIDATE).update(status=ThemeStatus.FINAL)
    consultation.themes_final_at = timezone.now()
    consultation.save(update_fields=["themes_final_at"])
    _record(consultation, by, "themes_finalised", summary=f"{count} themes made final, {len(themes)} in the set")
    return count


@transaction.atomic
def link_risks(*, theme: Theme, risk_ids: list[int], by: Viewer) -> Theme:
    """Set the salient risks a theme bears on; only risks of the theme's organisation the analyst may see."""
    wanted = set(risk_ids)
    risks = list(risk_queries.visible_risks(by).filter(pk__in=wanted,
                                                       organisation=theme.consultation.organisation))
    if len(risks) != len(wanted):
        raise ValidationError({"risks": [_("Choose risks from your organisation's register.")]})
    theme.risks.set(risks)
    _record(theme, by, "theme_risks", summary=", ".join(f"#{risk.pk}" for risk in risks) or "none",
            changed_fields=["risks"])
    return theme


@transaction.atomic
def link_rights(*, theme: Theme, codes: list[str], by: Viewer) -> Theme:
    unknown = [code for code in codes if not rights_taxonomy.is_known(code)]
    if unknown:
        raise ValidationError({"rights": [_("Unknown rights: %(codes)s.") % {"codes": ", ".join(unknown)}]})
    theme.rights = list(dict.fromkeys(codes))
    theme.save(update_fields=["rights"])
    _record(theme, by, "theme_rights", summary=", ".join(theme.rights) or "none", changed_fields=["rights"])
    return theme


@transaction.atomic
def review_response(*, response: Response, themes: list[Theme], make_example: bool = False,
                    by: Viewer) -> list[ThemeAssignment]:
    """The analyst places a response themselves (no theme: "other"); a group's representative carries its group."""
    consultation = response.consultation
    _same_consultation(consultation, themes)
    if any(theme.status != ThemeStatus.FINAL for theme in themes):
        raise ValidationError({"themes": [_("Place responses in final themes.")]})
    _lock(consultation)
    group = response.duplicate_group_id if not response.excluded else None
    affected = set(ThemeAssignment.objects.filter(response=response).exclude(theme__isnull=True)
                   .values_list("theme_id", flat=True)) | {theme.pk for theme in themes}
    ThemeAssignment.objects.filter(response=response).delete()
    placed = ThemeAssignment.objects.bulk_create([
        ThemeAssignment(consultation=consultation, response=response, theme=theme, source=AssignmentSource.REVIEWED,
                        confidence=1.0, needs_review=False) for theme in (themes or [None])])
    if group:
        members = Response.objects.filter(duplicate_group_id=group, excluded=True).values("pk")
        ThemeAssignment.objects.filter(response_id__in=members).exclude(source=AssignmentSource.REVIEWED).delete()
        for theme in themes or [None]:
            ThemeAssignment.objects.bulk_create(
                (ThemeAssignment(consultation=consultation, response_id=pk, theme=theme,
                                 source=AssignmentSource.ASSIGNED, confidence=1.0)
                 for pk in members.values_list("pk", flat=True).iterator()), batch_size=5_000)
    if make_example:
        for theme in themes:
            ThemeExample.objects.update_or_create(theme=theme, response=response,
                                                  defaults={"confirmed": True, "confirmed_by": by.user})
    refresh_sizes(consultation, affected)
    _record(consultation, by, "response_reviewed",
            summary=f"response #{response.pk} -> {', '.join(t.label for t in themes) or 'other'}")
    return placed
