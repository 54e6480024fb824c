"""The board view: every registered evidence source asked about a period, remembered as a snapshot, and read
back question by question with the change since the previous period.

Freshness: a snapshot is stamped with the organisation's latest recorded change (core.audit.latest_change) and
the day it was computed. The page serves the stored snapshot at once; when the organisation has recorded a
change since, or the day turned, it says how old the figures are and queues a refresh in the background (once
per change), so a board member never waits for a million inputs to be counted. Only a period never computed in
that language is computed while the page waits. The `refresh-board-figures` schedule keeps the running quarter
and year fresh for every organisation that has looked at them.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from rightsloop.core import audit
from rightsloop.core.evidence import ATTENTION, DOWN, MISSING, OK, STATUS_ORDER, Evidence, Figure, Question
from rightsloop.core.periods import Period
from rightsloop.core.registry import site

from .models import BoardSnapshot

REFRESH_CLAIM_SECONDS = 600


def gather(organisation, period: Period, today: datetime.date) -> list[Evidence]:
    """Ask every registered source about the period (in the current language)."""
    return [source.collect(organisation, period, today) for source in site.evidence]


def version_of(organisation) -> str:
    return audit.latest_change(organisation)


@transaction.atomic
def compute(organisation, period: Period, *, today: datetime.date | None = None) -> BoardSnapshot:
    """Compute and store the period's snapshot in the current language (the refresh task and the cold page)."""
    today = today or timezone.localdate()
    version = version_of(organisation)
    started = time.perf_counter()
    evidence = [item.to_json() for item in gather(organisation, period, today)]
    values = {"version": version, "computed_on": today, "computed_at": timezone.now(),
              "seconds": round(time.perf_counter() - started, 3), "evidence": evidence}
    try:
        with transaction.atomic():
            snapshot, _created = BoardSnapshot.objects.update_or_create(
                organisation=organisation, period=period.key, language=get_language() or "", defaults=values)
    except IntegrityError:
        # Another process stored the same snapshot first; ours is as good, so write over it.
        snapshot = BoardSnapshot.objects.get(organisation=organisation, period=period.key,
                                             language=get_language() or "")
        for name, value in values.items():
            setattr(snapshot, name, value)
        snapshot.save()
    return snapshot


def is_fresh(snapshot: BoardSnapshot, version: str, today: datetime.date) -> bool:
    return snapshot.version == version and snapshot.computed_on == today


def _queue_refresh(organisation, period: Period, version: str) -> None:
    from .tasks import refresh_board_figures

    key = f"oversight.refresh:{organisation.pk}:{period.key}:{get_language()}:{version}"
    if cache.add(key, 1, REFRESH_CLAIM_SECONDS):
        language = get_language() or ""
        transaction.on_commit(lambda: refresh_board_figures.enqueue(organisation.pk, period.key, language))


def snapshot_for(organisation, period: Period, *, today: datetime.date) -> tuple[BoardSnapshot, bool]:
    """The period's snapshot and whether it is fresh; computed now only if there is none yet."""
    version = version_of(organisation)
    snapshot = BoardSnapshot.objects.filter(organisation=organisation, period=period.key,
                                            language=get_language() or "").first()
    if snapshot is None:
        return compute(organisation, period, today=today), True
    if is_fresh(snapshot, version, today):
        return snapshot, True
    _queue_refresh(organisation, period, version)
    return snapshot, False


@dataclass
class Answer:
    """One of the five questions, answered by every source that spoke to it."""

    question: Question
    evidence: list[Evidence]
    status: str = OK
    reading: str = ""
    findings: int = 0

    @property
    def text(self) -> str:
        return self.question.text

    @property
    def number(self) -> int:
        return int(self.question)


VERDICTS = {OK: gettext_lazy("Yes"), ATTENTION: gettext_lazy("Partly"), MISSING: gettext_lazy("Not yet")}


def answer(question: Question, evidence: list[Evidence]) -> Answer:
    mine = [item for item in evidence if item.question == question]
    found = Answer(question=question, evidence=mine)
    if not mine:
        found.status = MISSING
        found.reading = _("No part of the product records evidence for this question yet.")
        return found
    found.status = max((item.status for item in mine), key=STATUS_ORDER.__getitem__)
    found.findings = sum(len(item.findings) for item in mine)
    verdict = str(VERDICTS[found.status])
    if found.findings:
        found.reading = ngettext("%(verdict)s: %(count)s finding needs the board's attention.",
                                 "%(verdict)s: %(count)s findings need the board's attention.", found.findings) % {
            "verdict": verdict, "count": found.findings}
    else:
        found.reading = _("%(verdict)s: nothing needs the board's attention.") % {"verdict": verdict}
    return found


@dataclass
class BoardView:
    organisation: object
    period: Period
    previous: Period
    answers: list[Answer]
    computed_at: datetime.datetime
    fresh: bool
    seconds: float
    empty: bool = False
    sources: int = 0
    notes: list[str] = field(default_factory=list)


def _with_previous(current: list[Evidence], earlier: list[Evidence]) -> None:
    before = {(item.source, figure.key): figure.value for item in earlier for figure in item.figures}
    for item in current:
        for figure in item.figures:
            figure.previous = before.get((item.source, figure.key))


def _is_empty(evidence: list[Evidence]) -> bool:
    """True when nothing was recorded: every figure is zero or unmeasured, except those counting what is missing
    (criteria not assessed, reviews overdue), which an empty organisation has plenty of."""
    figures: list[Figure] = [figure for item in evidence for figure in item.figures if figure.better != DOWN]
    return not any(figure.value for figure in figures)


def board_view(organisation, period: Period, *, today: datetime.date | None = None) -> BoardView:
    today = today or timezone.localdate()
    snapshot, fresh = snapshot_for(organisation, period, today=today)
    previous, _previous_fresh = snapshot_for(organisation, period.previous(), today=today)
    current = [Evidence.from_json(item) for item in snapshot.evidence]
    _with_previous(current, [Evidence.from_json(item) for item in previous.evidence])
    view = BoardView(organisation=organisation, period=period, previous=period.previous(),
                     answers=[answer(question, current) for question in Question], computed_at=snapshot.computed_at,
                     fresh=fresh, seconds=snapshot.seconds, empty=_is_empty(current), sources=len(current))
    if view.empty:
        view.notes.append(_("Nothing was recorded in %(period)s: every figure below is zero. Choose another "
                            "period, or start by registering stakeholders and engagements.") % {
            "period": period.label})
    return view


def refresh_running(organisation, *, today: datetime.date | None = None) -> int:
    """Recompute the running quarter and year in each language someone looked at them in, if they changed."""
    today = today or timezone.localdate()
    version = version_of(organisation)
    keys = {Period.containing(today).key, Period.containing(today, "year").key}
    done = 0
    for snapshot in BoardSnapshot.objects.filter(organisation=organisation, period__in=keys):
        if is_fresh(snapshot, version, today):
            continue
        with translation.override(snapshot.language or None):
            compute(organisation, Period.parse(snapshot.period), today=today)
        done += 1
    return done
