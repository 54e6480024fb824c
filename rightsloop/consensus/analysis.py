"""Running an exercise's analysis: read the votes from the database, hand them to the engine, store the run.

The engine (consensus.engine) works on numpy arrays of participant and statement numbers; this module builds
them from the database in one pass over the votes (values_list in chunks, never a model object per vote: an
exercise may hold 5,000,000 votes), runs it, and writes the run back: its parameters and engine version (so it
can be repeated), the moment whose votes it read, the results JSON (the shape the models' docstring fixes) and
the participants' placements as a compressed numpy archive, read back by `load_placements`.

A run never raises: too little data ends NOT_ENOUGH with the reason, anything else FAILED with a message, so
neither the task nor a page ever sees a 500 from an analysis.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import time
from dataclasses import dataclass

import numpy
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import engine
from .models import AnalysisRun, Exercise, Participant, Statement, Vote
from .vocabulary import Moderation, RunState

logger = logging.getLogger(__name__)

READ_CHUNK = 50_000  # votes fetched per round trip
VOTE_ROW = numpy.dtype([("participant", numpy.int64), ("statement", numpy.int64), ("value", numpy.int8)])

# Why a run found too little to group, by the engine's NotEnoughData code; shown in the reader's language.
NOT_ENOUGH_MESSAGES = {
    "participants": _("Not enough people have voted yet to find opinion groups: %(have)s voted, at least "
                      "%(needed)s are needed."),
    "statements": _("Not enough statements have votes yet to find opinion groups: %(have)s have, at least "
                    "%(needed)s are needed."),
    "votes": _("Nobody has voted yet: there is nothing to analyse."),
}
NOT_ENOUGH_DEFAULT = _("There are not enough votes yet to find opinion groups.")


def not_enough_message(code: str, *, needed: int = 0, have: int = 0) -> str:
    for key, message in NOT_ENOUGH_MESSAGES.items():
        if key in (code or ""):
            return str(message) % {"needed": needed, "have": have}
    return str(NOT_ENOUGH_DEFAULT)


def run_message(run: AnalysisRun) -> str:
    """What a run says about itself, in the active language where it was one of ours."""
    if run.state == RunState.NOT_ENOUGH and isinstance(run.results, dict) and "not_enough" in run.results:
        found = run.results
        return not_enough_message(str(found["not_enough"]), needed=int(found.get("needed") or 0),
                                  have=int(found.get("have") or 0))
    return run.message


def parameters_for(exercise: Exercise) -> engine.Parameters:
    """The engine's parameters for an exercise: its defaults, with the exercise's seed."""
    return engine.Parameters(seed=int(exercise.seed))


# Reading ------------------------------------------------------------------------------------------------------------

@dataclass
class Read:
    table: engine.VoteTable
    votes_as_of: object
    n_votes: int


def _numbers(rows) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(sorted database ids, their numbers) from (id, number) rows."""
    pairs = numpy.array(list(rows), dtype=numpy.int64).reshape(-1, 2)
    order = numpy.argsort(pairs[:, 0], kind="stable")
    return pairs[order, 0], pairs[order, 1]


def _to_numbers(ids: numpy.ndarray, known_ids: numpy.ndarray, known_numbers: numpy.ndarray):
    """Map database ids to numbers; a mask says which ids were known (a row deleted meanwhile is dropped)."""
    if not len(known_ids):
        return numpy.zeros(len(ids), dtype=numpy.int64), numpy.zeros(len(ids), dtype=bool)
    at = numpy.searchsorted(known_ids, ids)
    at = numpy.minimum(at, len(known_ids) - 1)
    found = known_ids[at] == ids
    return known_numbers[at], found


def read_votes(exercise: Exercise) -> Read:
    """Every current vote of the exercise, as of now, as a VoteTable of numbers.

    The votes are read by one query (a snapshot on both databases); participants and statements after them, so
    every vote's participant and statement is known. Rejected and meta statements are muted, as the method says.
    """
    votes_as_of = timezone.now()
    with transaction.atomic():  # one read transaction: SQLite reads a snapshot, PostgreSQL one statement
        rows = (Vote.objects.filter(exercise_id=exercise.pk).order_by()
                .values_list("participant_id", "statement_id", "value").iterator(chunk_size=READ_CHUNK))
        votes = numpy.fromiter(rows, dtype=VOTE_ROW)
        participant_ids, participant_numbers = _numbers(
            Participant.objects.filter(exercise_id=exercise.pk).order_by().values_list("id", "number"))
        statements = list(Statement.objects.filter(exercise_id=exercise.pk).exclude(moderation=Moderation.PENDING)
                          .order_by("number").values_list("id", "number", "moderation"))
    statement_ids, statement_numbers = _numbers((pk, number) for pk, number, _moderation in statements)
    muted = numpy.array([number for _pk, number, moderation in statements if moderation != Moderation.ACCEPTED],
                        dtype=numpy.int64)
    participants, known_participant = _to_numbers(votes["participant"], participant_ids, participant_numbers)
    statement_of_vote, known_statement = _to_numbers(votes["statement"], statement_ids, statement_numbers)
    keep = known_participant & known_statement
    values = votes["value"][keep].astype(numpy.int8)
    del votes
    accepted = [number for _pk, number, moderation in statements if moderation == Moderation.ACCEPTED]
    table = engine.VoteTable(participants=participants[keep], statements=statement_of_vote[keep], values=values,
                             statement_numbers=numpy.array(accepted, dtype=numpy.int64), muted=muted)
    return Read(table=table, votes_as_of=votes_as_of, n_votes=int(keep.sum()))


# Placements ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placements:
    """Every projected participant: number, x, y and group (-1 when not clustered); no names, no ids."""

    numbers: numpy.ndarray
    x: numpy.ndarray
    y: numpy.ndarray
    group: numpy.ndarray
    # The base clusters (METHOD.md step 4): centre, members and group; the map of a large exercise draws these.
    base_x: numpy.ndarray
    base_y: numpy.ndarray
    base_size: numpy.ndarray
    base_group: numpy.ndarray

    def __len__(self) -> int:
        return len(self.numbers)


PLACEMENT_ARRAYS = {"numbers": numpy.int32, "x": numpy.float32, "y": numpy.float32, "group": numpy.int16,
                    "base_x": numpy.float32, "base_y": numpy.float32, "base_size": numpy.int32,
                    "base_group": numpy.int16}


def pack_placements(analysis) -> bytes:
    centres = numpy.asarray(analysis.base_centres, dtype=numpy.float64).reshape(-1, 2)
    base_group = numpy.full(len(centres), -1, dtype=numpy.int64)
    member = numpy.asarray(analysis.base_cluster) >= 0
    base_group[numpy.asarray(analysis.base_cluster)[member]] = numpy.asarray(analysis.group)[member]
    arrays = {"numbers": analysis.participant_numbers, "x": analysis.x, "y": analysis.y, "group": analysis.group,
              "base_x": centres[:, 0], "base_y": centres[:, 1], "base_size": analysis.base_sizes,
              "base_group": base_group}
    buffer = io.BytesIO()
    numpy.savez_compressed(buffer, **{name: numpy.asarray(arrays[name], dtype=dtype)
                                      for name, dtype in PLACEMENT_ARRAYS.items()})
    return buffer.getvalue()


def load_placements(run: AnalysisRun) -> Placements:
    """The run's placements; empty for a run that placed nobody (not enough data, failed, still queued)."""
    data = bytes(run.placements or b"")
    if not data:
        return Placements(**{name: numpy.zeros(0, dtype=dtype) for name, dtype in PLACEMENT_ARRAYS.items()})
    with numpy.load(io.BytesIO(data), allow_pickle=False) as archive:
        return Placements(**{name: archive[name] if name in archive.files else numpy.zeros(0, dtype=dtype)
                             for name, dtype in PLACEMENT_ARRAYS.items()})


# Running ------------------------------------------------------------------------------------------------------------

def _claim(run: AnalysisRun) -> bool:
    """Take a queued run; False when another worker took it or it already ran (a task may run twice)."""
    now = timezone.now()
    claimed = AnalysisRun.objects.filter(pk=run.pk, state=RunState.QUEUED).update(state=RunState.RUNNING,
                                                                                  started_at=now)
    if claimed:
        run.state, run.started_at = RunState.RUNNING, now
    return bool(claimed)


def _save(run: AnalysisRun, began: float, *fields: str) -> None:
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - began, 3)
    run.save(update_fields=["state", "finished_at", "seconds", *fields])


def run_analysis(*, run: AnalysisRun) -> AnalysisRun:
    """Do a queued run: read the votes as of now, analyse, store; NOT_ENOUGH or FAILED rather than raise."""
    if not _claim(run):
        return run
    began = time.perf_counter()
    exercise = run.exercise
    parameters = parameters_for(exercise)
    run.parameters, run.engine_version = parameters.as_dict(), str(engine.ENGINE_VERSION)
    try:
        read = read_votes(exercise)
        run.votes_as_of = read.votes_as_of
        table, run.parameters["kept_from_run"] = _kept_from_previous(read.table, run)
        analysis = engine.analyse(table, parameters)
        results = analysis.results(min_group_size=exercise.min_group_size)
        placements = pack_placements(analysis)
    except engine.NotEnoughData as reason:
        found = {"not_enough": str(getattr(reason, "code", "") or ""),
                 "needed": int(getattr(reason, "needed", 0) or 0), "have": int(getattr(reason, "have", 0) or 0)}
        run.state, run.results, run.placements = RunState.NOT_ENOUGH, found, b""
        run.message = run_message(run)
        _save(run, began, "parameters", "engine_version", "votes_as_of", "results", "placements", "message")
        return run
    except Exception as error:  # the run says why it stopped; the page shows the previous results meanwhile
        logger.exception("consensus analysis run %s failed", run.pk)
        run.state = RunState.FAILED
        run.message = str(_("The analysis stopped: %(error)s")) % {
            "error": error.__class__.__name__ + (f": {error}" if str(error) else "")}
        _save(run, began, "parameters", "engine_version", "votes_as_of", "message")
        return run
    results.setdefault("n_votes", read.n_votes)
    run.state, run.results, run.placements, run.message = RunState.DONE, results, placements, ""
    _save(run, began, "parameters", "engine_version", "votes_as_of", "results", "placements", "message")
    _refresh_routing(exercise, run)
    return run


def _kept_from_previous(table: engine.VoteTable, run: AnalysisRun) -> tuple[engine.VoteTable, int | None]:
    """Keep in the clustering everyone the previous finished run clustered (METHOD.md: membership is sticky).

    A participant does not drop out of the groups because the exercise grew past what they voted on; the run
    names the run it kept them from (parameters["kept_from_run"]), so it can be repeated.
    """
    previous = (AnalysisRun.objects.filter(exercise_id=run.exercise_id, state=RunState.DONE, pk__lt=run.pk)
                .order_by("-pk").first())
    if previous is None:
        return table, None
    placed = load_placements(previous)
    return dataclasses.replace(table, kept=placed.numbers[placed.group >= 0].astype(numpy.int64)), previous.pk


def _refresh_routing(exercise: Exercise, run: AnalysisRun) -> None:
    # The routing of the next statement to vote on reads the groups this run found.
    from .routing import refresh_priorities

    refresh_priorities(exercise=exercise, results=run.results)
