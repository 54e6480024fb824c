#!/usr/bin/env python
"""The opinion-group engine at scale (issue 19): 100,000 participants x 2,000 statements, 5,000,000 votes.

Generates planted opinion groups (benchmarks/consensus_data.py, seed 0), then times analyse() and results() and
reads the process's peak resident memory (ru_maxrss, which includes the generated arrays). Prints the adjusted Rand
index of the groups against the planted ones, for both group starts ("first", Pol.is's, the default; "best").
Targets: under 60 s and 2 GiB on the 2-core machine.

    .venv/bin/python benchmarks/consensus_engine_scale.py
    .venv/bin/python benchmarks/consensus_engine_scale.py --participants 10000 --votes 500000 --group-start best
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from consensus_data import planted_votes  # noqa: E402

from rightsloop.consensus.engine import ENGINE_VERSION, Parameters, VoteTable, adjusted_rand, analyse  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=2_000)
    parser.add_argument("--votes", type=int, default=5_000_000)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--group-start", default="first", choices=["first", "best"])
    args = parser.parse_args()

    start = time.perf_counter()
    planted = planted_votes(args.participants, args.statements, args.votes, args.groups, args.seed)
    print(f"generated {len(planted.values):,} votes ({args.participants:,} x {args.statements:,}, {args.groups} "
          f"planted groups) in {time.perf_counter() - start:.1f} s; peak RSS so far {peak_mib():.0f} MiB")
    table = VoteTable(participants=planted.participants, statements=planted.statements, values=planted.values,
                      statement_numbers=np.arange(args.statements))
    parameters = Parameters(group_start=args.group_start)
    start = time.perf_counter()
    analysis = analyse(table, parameters)
    analysed = time.perf_counter() - start
    results = analysis.results(min_group_size=5)
    total = time.perf_counter() - start
    clustered = analysis.clustered
    ari = adjusted_rand(planted.truth[analysis.participant_numbers][clustered], analysis.group[clustered])
    print(f"engine {ENGINE_VERSION}, group_start={args.group_start}: analyse {analysed:.1f} s, analyse + results "
          f"{total:.1f} s, peak RSS {peak_mib():.0f} MiB; k {results['k']} (planted {args.groups}), "
          f"{results['n_clustered']:,} clustered, ARI against the planted groups {ari:.3f}")


if __name__ == "__main__":
    main()
