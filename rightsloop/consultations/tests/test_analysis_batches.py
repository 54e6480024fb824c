"""The engine's batches over processes (analysis.vectors.map_batches): the same answer as one process, from fresh
processes that carry none of the task worker's signal handlers and end with it (issue 11)."""

import os
import signal

import pytest

from ..analysis import vectors
from .analysis_corpus import planted_corpus


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(vectors, "PARALLEL_MIN", 100)
    monkeypatch.setattr(vectors, "BATCH", 60)


def test_batches_over_processes_give_what_one_process_gives(small_threshold):
    texts, _labels = planted_corpus(600)
    alone = vectors.vectorise(texts, workers=1)
    spread = vectors.vectorise(texts, workers=2)
    assert (alone.words != spread.words).nnz == 0 and (alone.chars != spread.chars).nnz == 0
    assert vectors.map_batches(lambda batch: [len(t) for t in batch], texts, workers=2) == [
        [len(t) for t in texts[start:start + 60]] for start in range(0, 600, 60)]


def test_the_processes_are_fresh_without_the_workers_signal_handlers(small_threshold):
    def worker_stop(signum, frame):  # what db_worker installs: a child that ran it would never exit
        raise AssertionError("the worker's handler ran in a child")

    def about_the_process(batch):
        import os
        import signal

        return [(os.getpid(), os.getppid(), signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)]

    previous = signal.signal(signal.SIGTERM, worker_stop)
    try:
        seen = [row for rows in vectors.map_batches(about_the_process, list(range(600)), workers=2) for row in rows]
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert {pid for pid, _parent, _default in seen} - {os.getpid()}, "the batches ran in other processes"
    assert all(parent == os.getpid() for _pid, parent, _default in seen)
    assert all(default for _pid, _parent, default in seen), "a child carried the worker's SIGTERM handler"


def test_below_the_threshold_everything_stays_in_this_process():
    assert vectors.map_batches(lambda batch: [os.getpid()] * len(batch), list(range(50)), workers=4) == [
        [os.getpid()] * 50]
