#!/usr/bin/env python
"""Accuracy of the opinion-group engine (issue 19) against Pol.is's published groups, and its time per conversation.

Reads the five Pol.is conversations in place (POLIS_DATA, default /work/shared/data/polis; see its README.md and
METHOD.md) from their final votes (participants-votes.csv) and comments.csv. Statements moderated out (-1) and
meta statements are muted (all-zero columns); accepted and not-yet-moderated ones are analysed. Where the export
has the vote log (votes.csv), the participants Pol.is clustered early on and kept are replayed from it
(engine.kept_from_history); bowling-green has no log.

For each conversation: k, how many participants are clustered, the adjusted Rand index of our groups against
Pol.is's `group-id` over the participants both sides grouped, and the engine's time (analyse + results, median of
--repeat runs). For bg2050-volunteers also the group-informed consensus, from the published groups and from ours,
against the exported column (max absolute difference over all 371 statements).

    .venv/bin/python benchmarks/consensus_accuracy.py
    .venv/bin/python benchmarks/consensus_accuracy.py --group-start best --json var/consensus-accuracy.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout this file lives in, not an installed copy

DATA = Path(os.environ.get("POLIS_DATA", "/work/shared/data/polis"))
CONVERSATIONS = ["bg2050-volunteers", "vtaiwan.uberx", "american-assembly.bowling-green", "london.youth.policing",
                 "scoop-hivemind.ubi"]


def load_conversation(name: str, data: Path = DATA) -> dict:
    """Final votes, statement lists, Pol.is's groups (and bg2050's exported GIC) of one conversation, as arrays."""
    folder = data / name
    with open(folder / "participants-votes.csv", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        first = header.index("n-disagree") + 1
        group_at = header.index("group-id")
        columns = [int(c) for c in header[first:]]
        participants, statements, values, published = [], [], [], {}
        for row in reader:
            number = int(row[0])
            if row[group_at] != "":
                published[number] = int(row[group_at])
            for statement, cell in zip(columns, row[first:], strict=True):
                if cell != "":
                    participants.append(number)
                    statements.append(statement)
                    values.append(int(float(cell)))
    analysed, muted, meta, rejected, gic = [], [], [], [], {}
    with open(folder / "comments.csv", newline="", encoding="utf-8") as handle:
        for comment in csv.DictReader(handle):
            number = int(comment["comment-id"])
            is_meta = comment.get("is-meta", "false") == "true"
            if is_meta:
                meta.append(number)
            if int(comment["moderated"]) < 0:
                rejected.append(number)
            (muted if is_meta or int(comment["moderated"]) < 0 else analysed).append(number)
            if comment.get("group-informed-consensus"):
                gic[number] = float(comment["group-informed-consensus"])
    kept = _kept(folder)
    return {"name": name, "kept": kept, "participants": np.array(participants, dtype=np.int64),
            "statements": np.array(statements, dtype=np.int64), "values": np.array(values, dtype=np.int8),
            "analysed": np.array(sorted(analysed), dtype=np.int64), "muted": np.array(sorted(muted), dtype=np.int64),
            "meta": sorted(meta), "rejected": sorted(rejected), "published": published, "gic": gic}


def _kept(folder: Path) -> np.ndarray:
    """Who Pol.is clustered early and kept (engine.kept_from_history), from the vote log where the export has it."""
    from rightsloop.consensus.engine import kept_from_history

    if not (folder / "votes.csv").exists():
        return np.empty(0, dtype=np.int64)
    first: dict[tuple[int, int], int] = {}
    with open(folder / "votes.csv", newline="", encoding="utf-8") as handle:
        for vote in csv.DictReader(handle):
            key, when = (int(vote["voter-id"]), int(vote["comment-id"])), int(vote["timestamp"])
            first[key] = min(when, first.get(key, when))
    with open(folder / "comments.csv", newline="", encoding="utf-8") as handle:
        written = [int(comment["timestamp"]) for comment in csv.DictReader(handle)]
    return kept_from_history(participants=[p for p, _ in first], times=list(first.values()), statement_times=written)


def vote_table(conversation: dict):
    from rightsloop.consensus.engine import VoteTable

    return VoteTable(participants=conversation["participants"], statements=conversation["statements"],
                     values=conversation["values"], statement_numbers=conversation["analysed"],
                     muted=conversation["muted"], kept=conversation["kept"])


def ari_against_published(numbers, groups, published: dict) -> tuple[float, int]:
    """ARI over the participants both Pol.is and we grouped (group -1 = not grouped), and how many those are."""
    from sklearn.metrics import adjusted_rand_score

    ours = {int(p): int(g) for p, g in zip(numbers, groups, strict=True) if g >= 0}
    both = sorted(set(ours) & set(published))
    return float(adjusted_rand_score([published[p] for p in both], [ours[p] for p in both])), len(both)


def published_gic_check(conversation: dict, groups_by_participant: dict) -> float:
    from rightsloop.consensus.engine import group_informed_consensus

    table = vote_table(conversation)
    numbers = sorted(conversation["gic"])
    gic = group_informed_consensus(table, groups_by_participant, statements=numbers)
    return float(np.max(np.abs(gic - np.array([conversation["gic"][n] for n in numbers]))))


def measure(name: str, parameters, repeat: int) -> dict:
    from rightsloop.consensus.engine import analyse

    conversation = load_conversation(name)
    table = vote_table(conversation)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        analysis = analyse(table, parameters)
        analysis.results(min_group_size=5)
        times.append(time.perf_counter() - start)
    ari, n_both = ari_against_published(analysis.participant_numbers, analysis.group, conversation["published"])
    published_k = len(set(conversation["published"].values()))
    row = {"conversation": name, "participants": len(analysis.participant_numbers), "votes": len(table.values),
           "k": analysis.k, "published_k": published_k, "clustered": int(analysis.clustered.sum()),
           "published_grouped": len(conversation["published"]), "compared": n_both, "ari": ari,
           "seconds": statistics.median(times)}
    if conversation["gic"]:
        ours = {int(p): int(g) for p, g in zip(analysis.participant_numbers, analysis.group, strict=True) if g >= 0}
        row["gic_published_groups"] = published_gic_check(conversation, conversation["published"])
        row["gic_our_groups"] = published_gic_check(conversation, ours)
    return row


def main() -> None:
    from rightsloop.consensus.engine import ENGINE_VERSION, Parameters

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--group-start", default="first", choices=["first", "best"])
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no Pol.is data at {DATA} (set POLIS_DATA)")
    parameters = Parameters(group_start=args.group_start)
    print(f"engine {ENGINE_VERSION}, parameters {parameters.as_dict()}")
    print("| conversation | participants | votes | k (Pol.is) | clustered (Pol.is) | ARI | ms per run |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = []
    for name in CONVERSATIONS:
        row = measure(name, parameters, args.repeat)
        rows.append(row)
        print(f"| {name} | {row['participants']:,} | {row['votes']:,} | {row['k']} ({row['published_k']}) | "
              f"{row['clustered']:,} ({row['published_grouped']:,}) | {row['ari']:.3f} | {row['seconds'] * 1000:.0f} |")
    for row in rows:
        if "gic_published_groups" in row:
            print(f"{row['conversation']}: GIC max |diff| from Pol.is's groups {row['gic_published_groups']:.2e}, "
                  f"from ours {row['gic_our_groups']:.2e}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
