"""Runs of the analysis: theme discovery over a consultation's responses, and assignment to the final themes.

A run is queued by start_* (which enqueues a task after commit) and done by run_* (called by the task or, for the
command line, directly). The engine (consultations.analysis) is pure Python over lists indexed 0..n-1; these
functions load the responses in id order, hand the engine their texts, and write its answer back in bulk: a few
statements per thousand rows, never one per response, and the replacement of a theme set in one transaction.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial

import numpy
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, bulk

from .. import analysis as engine
from ..analysis import assignment as assignment_engine
from ..analysis import duplicates as duplicates_engine
from ..analysis import languages as languages_engine
from ..analysis import stance as stance_engine
from ..analysis import themes as themes_engine
from ..models import (
    AnalysisRun,
    AssignmentSource,
    Consultation,
    DuplicateGroup,
    Response,
    RunKind,
    RunState,
    Theme,
    ThemeAssignment,
    ThemeExample,
    ThemeStatus,
)

logger = logging.getLogger(__name__)

READ_CHUNK = 2_000     # rows fetched per round trip while reading responses
WRITE_BATCH = 5_000    # rows per INSERT
NEAR_THRESHOLD = 0.8
CAMPAIGN_MIN = 10
MAX_THEMES = 60
STALE_AFTER = datetime.timedelta(hours=6)  # a 1,000,000-response run takes minutes, not hours

Progress = Callable[[str, float], None]  # (stage, seconds) when a stage ends


def engine_version() -> str:
    return str(getattr(engine, "VERSION", getattr(engine, "__version__", "")))


# Reading ------------------------------------------------------------------------------------------------------------

@dataclass
class Corpus:
    """A consultation's responses in id order; texts only for the rows asked for (decrypting costs time)."""

    ids: numpy.ndarray                   # int64 response ids, ascending
    texts: list[str]                     # one per row with text loaded (all rows, or the non-excluded ones)
    languages: list[str] = field(default_factory=list)
    stances: list[str] = field(default_factory=list)
    excluded: numpy.ndarray | None = None
    groups: numpy.ndarray | None = None  # duplicate group id per row, 0 for none

    def __len__(self) -> int:
        return len(self.ids)


def _response_rows(queryset, *columns: str):
    # The Sealed attribute needs the key (organisation) and the additional data (import, line) to open the text.
    return (queryset.order_by("id")
            .only("id", "organisation_id", "response_import_id", "line", "text_sealed", *columns)
            .iterator(chunk_size=READ_CHUNK))


def load_corpus(consultation: Consultation, *, texts_of_excluded: bool = True, response_ids=None) -> Corpus:
    """Read the responses (all, or those in response_ids) once, in id order, in chunks."""
    queryset = Response.objects.filter(consultation=consultation)
    if response_ids is not None:
        queryset = queryset.filter(pk__in=response_ids)
    ids, texts, languages, stances, excluded, groups = [], [], [], [], [], []
    for response in _response_rows(queryset, "language", "stance", "excluded", "duplicate_group_id"):
        ids.append(response.pk)
        languages.append(response.language)
        stances.append(response.stance)
        excluded.append(response.excluded)
        groups.append(response.duplicate_group_id or 0)
        if texts_of_excluded or not response.excluded:
            texts.append(response.text)
        response.forget_plaintext()
    return Corpus(ids=numpy.asarray(ids, dtype=numpy.int64), texts=texts, languages=languages, stances=stances,
                  excluded=numpy.asarray(excluded, dtype=bool), groups=numpy.asarray(groups, dtype=numpy.int64))


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


PLACEMENT_COLUMNS = ("response_id", "theme_id", "source", "confidence", "needs_review")


def insert_placements(consultation_id: int, rows: Iterable[tuple]) -> int:
    """Write ThemeAssignment rows given as (response id, theme id or None, source, confidence, needs review).

    Through core.bulk, one batch of rows in memory at a time (COPY where the database has it: a million rows).
    """
    return bulk.insert_rows(ThemeAssignment, ("consultation_id", *PLACEMENT_COLUMNS),
                            ((consultation_id, *row) for row in rows), batch=WRITE_BATCH)


def update_responses(columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Set some columns of many responses; rows are (response id, *values), one per response."""
    return bulk.update_rows(Response, columns, rows)


# Runs ---------------------------------------------------------------------------------------------------------------

class Stages:
    """Time each stage, note it on the run (so its page shows where it is), and tell the caller."""

    def __init__(self, run: AnalysisRun, progress: Progress | None):
        self.run, self.progress, self.seconds = run, progress, {}

    def start(self, name: str) -> None:
        self.name, self.began = name, time.perf_counter()
        AnalysisRun.objects.filter(pk=self.run.pk).update(stage=name)

    def end(self) -> None:
        seconds = round(time.perf_counter() - self.began, 3)
        self.seconds[self.name] = seconds
        if self.progress:
            self.progress(self.name, seconds)


def _begin(run: AnalysisRun) -> bool:
    """Claim a queued run; False when another worker took it or it already ran (a task may run twice)."""
    claimed = AnalysisRun.objects.filter(pk=run.pk, state=RunState.QUEUED).update(state=RunState.RUNNING)
    if claimed:
        run.state = RunState.RUNNING
    return bool(claimed)


def _fail(run: AnalysisRun, error: Exception, stages: Stages) -> None:
    logger.exception("analysis run %s failed", run.pk)
    run.state, run.finished_at = RunState.FAILED, timezone.now()
    run.message = _("The run stopped at stage %(stage)s: %(error)s") % {
        "stage": getattr(stages, "name", "start"), "error": str(error) or error.__class__.__name__}
    run.stage_seconds = stages.seconds
    run.save(update_fields=["state", "finished_at", "message", "stage_seconds"])


def _finish(run: AnalysisRun, stages: Stages, message: str) -> None:
    run.state, run.finished_at, run.message = RunState.DONE, timezone.now(), message
    run.stage, run.stage_seconds = "", stages.seconds
    run.save(update_fields=["state", "finished_at", "message", "stage", "stage_seconds"])


def discovery_parameters(parameters: dict) -> dict:
    """The full, repeatable parameters of a discovery run from the analyst's choices (seed, number of themes)."""
    themes = parameters.get("themes")
    chosen = themes_engine.DiscoveryParameters(
        seed=int(parameters.get("seed") or 0), themes=int(themes) if themes else None,
        sample=int(parameters.get("sample") or themes_engine.DiscoveryParameters().sample))
    return {**chosen.as_dict(), "near_threshold": float(parameters.get("near_threshold", NEAR_THRESHOLD)),
            "campaign_min": int(parameters.get("campaign_min", CAMPAIGN_MIN)), "engine": engine_version()}


def _check_parameters(parameters: dict) -> None:
    errors = {}
    seed, themes = parameters.get("seed"), parameters.get("themes")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**31):
        errors["seed"] = [_("The seed is a whole number from 0 to 2147483647.")]
    if themes is not None and (not isinstance(themes, int) or isinstance(themes, bool)
                               or not 2 <= themes <= MAX_THEMES):
        errors["themes"] = [_("Ask for between 2 and %(max)s themes, or leave it blank to let the data decide.")
                            % {"max": MAX_THEMES}]
    unknown = set(parameters) - {"seed", "themes", "sample", "near_threshold", "campaign_min"}
    if unknown:
        errors["parameters"] = [_("Unknown parameters: %(names)s.") % {"names": ", ".join(sorted(unknown))}]
    if errors:
        raise ValidationError(errors)


def _busy(consultation: Consultation) -> bool:
    """Whether a run is under way; one queued or running for longer than STALE_AFTER was lost (a worker that
    stopped) and is marked failed, so it never blocks the consultation for good."""
    unfinished = consultation.runs.filter(state__in=[RunState.QUEUED, RunState.RUNNING])
    unfinished.filter(created_at__lt=timezone.now() - STALE_AFTER).update(
        state=RunState.FAILED, finished_at=timezone.now(),
        message=_("The run did not finish (its worker stopped); start it again."))
    return unfinished.exists()


@transaction.atomic
def start_discovery(*, consultation: Consultation, parameters: dict, by: Viewer | None,
                    enqueue: bool = True) -> AnalysisRun:
    """Queue a discovery run (duplicates, stance, candidate themes) with its parameters stored for repeating."""
    _check_parameters(parameters)
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    if not consultation.responses.exists():
        raise ValidationError(_("There are no responses to analyse yet: import them first."))
    if _busy(consultation):
        raise ValidationError(_("A run is already queued or running for this consultation: wait for it to end."))
    run = AnalysisRun.objects.create(consultation=consultation, kind=RunKind.DISCOVERY,
                                     parameters=discovery_parameters(parameters), created_by=by.user if by else None)
    audit.record(organisation=consultation.organisation, by=by, action="consultation.discovery_started",
                 target=consultation, summary=f"run #{run.pk} {run.parameters}")
    if enqueue:
        from ..tasks.analysis import discover_themes_task

        transaction.on_commit(partial(discover_themes_task.enqueue, run_id=run.pk))
    return run


def _run(run: AnalysisRun, work: Callable[[AnalysisRun, Stages], None], progress: Progress | None) -> AnalysisRun:
    stages = Stages(run, progress)
    if not _begin(run):
        return run
    try:
        work(run, stages)
    except Exception as error:  # the run says why it stopped; nothing half-written survives (one transaction)
        _fail(run, error, stages)
    return run


def run_discovery(*, run: AnalysisRun, progress: Progress | None = None) -> AnalysisRun:
    """Do a queued discovery run; a failure marks the run failed and leaves the previous themes as they were."""
    return _run(run, _discover, progress)


def _discover(run: AnalysisRun, stages: Stages) -> None:
    consultation = run.consultation
    p = run.parameters
    stages.start("load")
    corpus = load_corpus(consultation)
    stages.end()
    if not len(corpus):
        raise ValueError(_("no responses"))

    stages.start("languages")
    unknown = [i for i, language in enumerate(corpus.languages) if not language]
    if unknown:
        found = languages_engine.detect_languages([corpus.texts[i] for i in unknown])
        for i, language in zip(unknown, found, strict=True):
            corpus.languages[i] = language
        update_responses(("language",), zip(corpus.ids[unknown].tolist(), found, strict=True))
    stages.end()

    stages.start("duplicates")
    duplicates = duplicates_engine.find_duplicates(
        corpus.texts, near_threshold=p.get("near_threshold", NEAR_THRESHOLD),
        campaign_min=p.get("campaign_min", CAMPAIGN_MIN), seed=p.get("seed", 0))
    excluded = duplicates.excluded_from_discovery(len(corpus))
    stages.end()

    stances = None
    if consultation.yes_no:
        stages.start("stance")
        missing = [i for i, value in enumerate(corpus.stances) if not value]
        if missing:
            found = stance_engine.detect_stance([corpus.texts[i] for i in missing],
                                                [corpus.languages[i] for i in missing])
            for i, value in zip(missing, found, strict=True):
                corpus.stances[i] = value
            update_responses(("stance",), zip(corpus.ids[missing].tolist(), found, strict=True))
        stances = corpus.stances
        stages.end()

    stages.start("themes")
    parameters = themes_engine.DiscoveryParameters(seed=p.get("seed", 0), themes=p.get("themes"),
                                                   sample=p.get("sample", themes_engine.DiscoveryParameters().sample))
    # With the groups, a campaign's copies join their representative's theme: counted in full, shaping it once.
    candidates = themes_engine.discover_themes(corpus.texts, languages=corpus.languages, excluded=excluded,
                                               stance=stances, parameters=parameters, duplicates=duplicates)
    stages.end()

    stages.start("store")
    del corpus.texts[:]  # the texts are no longer needed; free them before writing
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        _store_duplicates(run, corpus.ids, duplicates.groups)
        count = _replace_candidates(run, corpus.ids, candidates)
        stages.end()
        _finish(run, stages, _("%(themes)s candidate themes, %(groups)s groups of duplicates.") % {
            "themes": count, "groups": len(duplicates.groups)})
        audit.record(organisation=consultation.organisation, by=None, action="consultation.discovery_done",
                     target=consultation, summary=f"run #{run.pk}: {count} candidate themes, "
                     f"{len(duplicates.groups)} duplicate groups, {len(run.parameters)} parameters")


def _store_duplicates(run: AnalysisRun, ids: numpy.ndarray, groups) -> None:
    """Replace the consultation's duplicate groups and mark their members, a few thousand rows per UPDATE."""
    consultation = run.consultation
    responses = Response.objects.filter(consultation=consultation)
    responses.filter(Q(duplicate_group__isnull=False) | Q(excluded=True)).update(duplicate_group=None, excluded=False)
    DuplicateGroup.objects.filter(consultation=consultation).delete()
    rows = DuplicateGroup.objects.bulk_create([
        DuplicateGroup(consultation=consultation, run=run, kind=group.kind, size=len(group.members),
                       variants=group.variants, representative_id=int(ids[group.representative]))
        for group in groups], batch_size=WRITE_BATCH)
    update_responses(("duplicate_group_id", "excluded"), (
        (int(ids[i]), row.pk, i != group.representative)
        for row, group in zip(rows, groups, strict=True) for i in group.members))


def theme_label(key_terms: list[str]) -> str:
    return ", ".join(key_terms[:3])[:200] or _("Unnamed theme")


def _replace_candidates(run: AnalysisRun, ids: numpy.ndarray, candidates) -> int:
    """Swap the candidate themes for the run's; final themes are never touched."""
    consultation = run.consultation
    consultation.themes.filter(status=ThemeStatus.CANDIDATE).delete()
    start = (consultation.themes.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    themes = Theme.objects.bulk_create([
        Theme(consultation=consultation, run=run, label=theme_label(candidate.key_terms),
              key_terms=list(candidate.key_terms), size=len(candidate.members),
              languages=dict(candidate.languages), stance=dict(candidate.stance), position=start + n)
        for n, candidate in enumerate(candidates)])
    ThemeExample.objects.bulk_create([
        ThemeExample(theme=theme, response_id=int(ids[i]), confirmed=False)
        for theme, candidate in zip(themes, candidates, strict=True) for i in dict.fromkeys(candidate.representatives)],
        batch_size=WRITE_BATCH)
    insert_placements(consultation.pk, (
        (int(ids[i]), theme.pk, AssignmentSource.DISCOVERED, 1.0, False)
        for theme, candidate in zip(themes, candidates, strict=True) for i in candidate.members))
    return len(themes)


# Assignment ---------------------------------------------------------------------------------------------------------

def confirmed_examples(consultation: Consultation) -> dict[int, list[int]]:
    """The final themes' confirmed example responses, {theme id: [response ids]}."""
    examples: dict[int, list[int]] = {pk: [] for pk in consultation.themes.final().values_list("pk", flat=True)}
    rows = ThemeExample.objects.filter(theme__consultation=consultation, theme__status=ThemeStatus.FINAL,
                                       confirmed=True).order_by("theme_id", "response_id")
    for theme_id, response_id in rows.values_list("theme_id", "response_id"):
        examples[theme_id].append(response_id)
    return examples


@transaction.atomic
def start_assignment(*, consultation: Consultation, by: Viewer | None, seed: int = 0,
                     enqueue: bool = True) -> AnalysisRun:
    """Queue the assignment of every response to the final themes, learnt from their confirmed examples."""
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    examples = confirmed_examples(consultation)
    if not examples:
        raise ValidationError(_("Finalise the themes first: assignment works on final themes."))
    without = [pk for pk, responses in examples.items() if not responses]
    if without:
        raise ValidationError(_("Every final theme needs at least one confirmed example before assignment."))
    if not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValidationError({"seed": [_("The seed is a whole number from 0 to 2147483647.")]})
    if _busy(consultation):
        raise ValidationError(_("A run is already queued or running for this consultation: wait for it to end."))
    run = AnalysisRun.objects.create(
        consultation=consultation, kind=RunKind.ASSIGNMENT, created_by=by.user if by else None,
        parameters={"seed": seed, "review_threshold": consultation.review_threshold, "engine": engine_version(),
                    "examples": {str(k): len(v) for k, v in examples.items()}})
    audit.record(organisation=consultation.organisation, by=by, action="consultation.assignment_started",
                 target=consultation, summary=f"run #{run.pk}")
    if enqueue:
        from ..tasks.analysis import assign_themes_task

        transaction.on_commit(partial(assign_themes_task.enqueue, run_id=run.pk))
    return run


def run_assignment(*, run: AnalysisRun, progress: Progress | None = None) -> AnalysisRun:
    """Do a queued assignment run; the analyst's reviewed placements are kept."""
    return _run(run, _assign, progress)


def _assign(run: AnalysisRun, stages: Stages) -> None:
    consultation = run.consultation
    threshold = consultation.review_threshold
    stages.start("load")
    examples = confirmed_examples(consultation)
    # Duplicates weigh once in learning: only the texts discovery looks at are read; members follow their group.
    corpus = load_corpus(consultation, texts_of_excluded=False)
    representative_of = dict(DuplicateGroup.objects.filter(consultation=consultation)
                             .values_list("pk", "representative_id"))
    reviewed: dict[int, list[int | None]] = {}
    for response_id, theme_id in ThemeAssignment.objects.filter(
            consultation=consultation, source=AssignmentSource.REVIEWED).values_list("response_id", "theme_id"):
        reviewed.setdefault(response_id, []).append(theme_id)
    stages.end()

    stages.start("assignment")
    learning = ~corpus.excluded
    learn_index = numpy.cumsum(learning) - 1  # row -> index among the texts read

    def learning_index(response_id: int) -> int | None:
        row = int(numpy.searchsorted(corpus.ids, response_id))
        if row >= len(corpus) or corpus.ids[row] != response_id:
            return None
        if corpus.excluded[row]:
            representative = representative_of.get(int(corpus.groups[row]))
            return None if representative is None else learning_index(representative)
        return int(learn_index[row])

    indices = {theme: sorted({i for i in map(learning_index, responses) if i is not None})
               for theme, responses in examples.items()}
    result = assignment_engine.assign_themes(corpus.texts, examples=indices, seed=run.parameters.get("seed", 0))
    stages.end()

    stages.start("store")
    del corpus.texts[:]
    learning_ids = corpus.ids[learning]
    representative_row = {}
    for group, pk in representative_of.items():
        index = int(numpy.searchsorted(learning_ids, pk))
        if index < len(learning_ids) and learning_ids[index] == pk:
            representative_row[group] = index
    final_ids = set(examples)

    def rows() -> Iterator[tuple]:
        """Placements per response; only the first row of a response carries needs_review, so the queue is
        counted without DISTINCT."""
        assigned = AssignmentSource.ASSIGNED
        for row, response_id in enumerate(corpus.ids.tolist()):
            if response_id in reviewed:
                continue
            may_wait = True
            if corpus.excluded[row]:
                group = int(corpus.groups[row])
                representative = representative_of.get(group)
                if representative in reviewed:
                    for theme_id in reviewed[representative]:
                        yield response_id, theme_id, assigned, 1.0, False
                    continue
                index, may_wait = representative_row.get(group), False  # its representative waits for review
                if index is None:
                    continue
            else:
                index = int(learn_index[row])
            confidence = float(result.confidence[index])
            themes = [key for key in result.themes[index] if key in final_ids] or [None]
            review = may_wait and confidence < threshold
            for theme_id in themes:
                yield response_id, theme_id, assigned, confidence, review
                review = False

    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        ThemeAssignment.objects.filter(consultation=consultation).exclude(source=AssignmentSource.REVIEWED).filter(
            Q(theme__isnull=True) | Q(theme__status=ThemeStatus.FINAL)).delete()
        written = insert_placements(consultation.pk, rows())
        refresh_profiles(consultation, final_ids)
        stages.end()
        waiting = review_queue_size(consultation)
        _finish(run, stages, _("%(rows)s placements written, %(waiting)s responses to review.") % {
            "rows": written, "waiting": waiting})
        audit.record(organisation=consultation.organisation, by=None, action="consultation.assignment_done",
                     target=consultation, summary=f"run #{run.pk}: {written} placements, {waiting} to review")


def refresh_sizes(consultation: Consultation, theme_ids: Iterable[int]) -> None:
    """Set each theme's size to the number of responses placed in it (one query to count, one to write)."""
    theme_ids = list(theme_ids)
    counts = dict(ThemeAssignment.objects.filter(theme_id__in=theme_ids).values("theme_id")
                  .annotate(n=Count("response_id", distinct=True)).values_list("theme_id", "n"))
    themes = list(Theme.objects.filter(pk__in=theme_ids, consultation=consultation).only("pk", "size"))
    for theme in themes:
        theme.size = counts.get(theme.pk, 0)
    Theme.objects.bulk_update(themes, ["size"], batch_size=500)


def refresh_profiles(consultation: Consultation, theme_ids: Iterable[int]) -> None:
    """Set each theme's size, languages and stance counts from the responses now placed in it (two GROUP BYs)."""
    theme_ids = list(theme_ids)
    placed = ThemeAssignment.objects.filter(theme_id__in=theme_ids)
    languages: dict[int, dict[str, int]] = {pk: {} for pk in theme_ids}
    stances: dict[int, dict[str, int]] = {pk: {} for pk in theme_ids}
    for theme_id, language, n in placed.values_list("theme_id", "response__language").annotate(n=Count("id")):
        languages[theme_id][language] = n
    if consultation.yes_no:
        for theme_id, stance, n in placed.values_list("theme_id", "response__stance").annotate(n=Count("id")):
            if stance:
                stances[theme_id][stance] = n
    themes = list(Theme.objects.filter(pk__in=theme_ids, consultation=consultation).only(
        "pk", "size", "languages", "stance"))
    for theme in themes:
        theme.languages = dict(sorted(languages[theme.pk].items()))
        theme.size = sum(theme.languages.values())
        theme.stance = stances[theme.pk]
    Theme.objects.bulk_update(themes, ["size", "languages", "stance"], batch_size=500)


def review_queue_size(consultation: Consultation) -> int:
    """Responses waiting for review (one flagged row each: the placement with the best theme)."""
    return ThemeAssignment.objects.filter(consultation=consultation, needs_review=True).count()


# When the task worker stops under a run (core.supervision) ------------------------------------------------------

def _when(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


@transaction.atomic
def resume_run(*, run_id: int, at: datetime.datetime) -> bool:
    """Put a run whose worker stopped back in the queue, so the task queued again takes it up from the start (a run
    writes its answer in one transaction at the end, so nothing half-done is left); False if it had ended."""
    run = AnalysisRun.objects.select_for_update().select_related("consultation__organisation").filter(
        pk=run_id, state__in=[RunState.QUEUED, RunState.RUNNING]).first()
    if run is None:
        return False
    run.state, run.stage = RunState.QUEUED, ""
    run.message = _("The worker stopped; resumed at %(time)s.") % {"time": _when(at)}
    run.save(update_fields=["state", "stage", "message"])
    audit.record(organisation=run.consultation.organisation, by=None, action="consultation.run_resumed",
                 target=run.consultation, summary=f"run #{run.pk}: the worker stopped; queued again")
    return True


def note_run_overdue(*, run_id: int, limit_seconds: int) -> None:
    """Say on the run's page that it runs longer than its limit (the log says it too)."""
    AnalysisRun.objects.filter(pk=run_id, state=RunState.RUNNING).update(message=_(
        "Running for longer than expected (more than %(minutes)s minutes).") % {"minutes": max(1, limit_seconds // 60)})


def abandon_run(*, run_id: int) -> None:
    """The worker stopped under this run again and again: end it as failed rather than take the worker down again."""
    AnalysisRun.objects.filter(pk=run_id, state__in=[RunState.QUEUED, RunState.RUNNING]).update(
        state=RunState.FAILED, finished_at=timezone.now(),
        message=_("The worker stopped several times during this run, so it was not resumed again. Start it again, "
                  "or ask your administrator to look at the worker's log."))
