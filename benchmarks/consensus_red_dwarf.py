#!/usr/bin/env python
"""red-dwarf (PyPI `red-dwarf`, the community's re-implementation of Pol.is) beside our engine (issue 19).

Same machine, same process, same data: each Pol.is conversation's final votes (benchmarks/consensus_accuracy.py's
loader), given to red-dwarf's documented entry point `reddwarf.implementations.polis.run_pipeline(votes=[{
participant_id, statement_id, vote, modified}], mod_out_statement_ids=..., meta_statement_ids=...,
random_state=0)` and to our `analyse()` + `results()`. For each: the adjusted Rand index of its groups against
Pol.is's published `group-id` (participants both grouped) and the median wall time of --repeat runs.

red-dwarf lives in its own virtualenv so the product never depends on it (its API was learnt from its
documentation, not its code):

    make red-dwarf-venv
    var/red-dwarf-venv/bin/python benchmarks/consensus_red_dwarf.py
    var/red-dwarf-venv/bin/python benchmarks/consensus_red_dwarf.py --one-thread   # one BLAS/OpenMP thread each
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from consensus_accuracy import CONVERSATIONS, ari_against_published, load_conversation, vote_table  # noqa: E402


def red_dwarf(conversation: dict):
    from reddwarf.implementations.polis import run_pipeline

    votes = [{"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": 0}
             for p, s, v in zip(conversation["participants"], conversation["statements"], conversation["values"],
                                strict=True)]
    result = run_pipeline(votes=votes, mod_out_statement_ids=conversation["rejected"],
                          meta_statement_ids=conversation["meta"], random_state=0)
    frame = result.participants_df
    column = "cluster_id" if "cluster_id" in frame.columns else None
    if column is None:
        raise SystemExit(f"red-dwarf's participants_df has no cluster_id column: {list(frame.columns)}")
    numbers = [int(p) for p in frame.index]
    groups = frame[column].astype("Float64").fillna(-1).astype(int).tolist()  # unclustered: NA
    return numbers, groups


def ours(conversation: dict):
    from rightsloop.consensus.engine import analyse

    analysis = analyse(vote_table(conversation))
    analysis.results(min_group_size=5)
    return analysis.participant_numbers.tolist(), analysis.group.tolist()


def timed(run, conversation: dict, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run(conversation)
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--conversations", nargs="*", default=CONVERSATIONS)
    parser.add_argument("--one-thread", action="store_true",
                        help="run both under a limit of one BLAS/OpenMP thread (fairer on a busy machine)")
    args = parser.parse_args()
    if args.one_thread:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
    from importlib.metadata import version

    print(f"red-dwarf {version('red-dwarf')}; ARI against Pol.is's published groups, median of {args.repeat} runs")
    print("| conversation | ARI red-dwarf | ARI ours | s red-dwarf | s ours | ours faster by |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.conversations:
        conversation = load_conversation(name)
        published = conversation["published"]
        (rd_numbers, rd_groups), rd_seconds = timed(red_dwarf, conversation, args.repeat)
        (our_numbers, our_groups), our_seconds = timed(ours, conversation, args.repeat)
        rd_ari, _ = ari_against_published(rd_numbers, rd_groups, published)
        our_ari, _ = ari_against_published(our_numbers, our_groups, published)
        print(f"| {name} | {rd_ari:.3f} | {our_ari:.3f} | {rd_seconds:.2f} | {our_seconds:.2f} | "
              f"{rd_seconds / our_seconds:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
