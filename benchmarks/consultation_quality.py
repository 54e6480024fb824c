"""Quality and speed of the consultation analysis engine on real, human-coded public input.

Usage (from the repository root):
    .venv/bin/python benchmarks/consultation_quality.py             # quality on the NHS (en) and Cycling (de) sets
    .venv/bin/python benchmarks/consultation_quality.py --scale 1000000   # stage timings on N synthetic texts
    .venv/bin/python benchmarks/consultation_quality.py --curve 20,50,100,200   # macro-F1 with more examples

Quality, per data set (read in place from /work/shared/data/consultations/, see the READMEs there):
1. language detection: share of texts detected as the set's language;
2. discovery: NMI and ARI of discover_themes (untouched, themes = number of human classes) against the human codes,
   seed 0 and the mean over seeds 0-2;
3. assignment: macro-F1 of assign_themes given at most 20 examples per human class, evaluated on every other row;
   mean over seeds 0-4, under two protocols of a simulated analyst:
   - random: the examples are drawn at random within each human class (the analyst tags what they read first);
   - proposed: the analyst confirms what the product proposes. Discovery (untouched, number of themes chosen
     automatically, same seed) proposes each theme's texts nearest its centre; the analyst goes through them in
     rounds (the nearest of every theme, then the second nearest, ...), at most PROPOSALS per theme, and keeps a
     proposal as an example of its human class until that class has 20. Labels are always the human codes; a class
     that no proposal belongs to gets no example (and scores 0).

Scale: the real texts of both sets are replicated with light perturbation (word drops, swaps, numbers, mixing two
texts) up to N, and each stage is timed; peak RSS is read from resource.getrusage.
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, f1_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rightsloop.consultations.analysis.assignment import assign_themes
from rightsloop.consultations.analysis.duplicates import find_duplicates
from rightsloop.consultations.analysis.languages import detect_languages
from rightsloop.consultations.analysis.stance import detect_stance
from rightsloop.consultations.analysis.themes import DiscoveryParameters, discover_themes

DATA = Path("/work/shared/data/consultations")
EXAMPLES_PER_CLASS = 20
PROPOSALS = 60  # per discovered theme, nearest its centre first
CANDIDATES = ["en", "de", "fr", "es", "pt", "it", "nl", "pl"]


def load_nhs() -> tuple[list[str], list[str]]:
    with open(DATA / "nhs-patient-feedback-en" / "phase1_text_data.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["feedback"] or "" for row in rows], [row["label"] for row in rows]


def load_cycling() -> tuple[list[str], list[str]]:
    with open(DATA / "cycling-dialogues-de" / "dataset.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # The title is part of what the citizen wrote (31 rows have nothing else).
    return [f"{row['title']}. {row['text']}".strip() for row in rows], [row["main_category_level1"] for row in rows]


def peak_rss_mib(*, children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished workers: wall time on a busy machine overstates cost."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def timed(label: str, timings: dict[str, float], function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    timings[label] = time.perf_counter() - start
    return result


def simulated_examples(labels: np.ndarray, seed: int) -> dict[str, list[int]]:
    """At most EXAMPLES_PER_CLASS random indices per human class: what an analyst would tag first."""
    return simulated_examples_of(labels, seed, EXAMPLES_PER_CLASS)


def proposed_examples(texts: list[str], labels: np.ndarray, seed: int, *, languages, excluded, duplicates
                      ) -> tuple[dict[str, list[int]], int]:
    """At most EXAMPLES_PER_CLASS per human class among discovery's proposals; also how many proposals were read."""
    themes = discover_themes(texts, languages=languages, excluded=excluded, duplicates=duplicates,
                             parameters=DiscoveryParameters(seed=seed), representatives=PROPOSALS)
    chosen: dict[str, list[int]] = {label: [] for label in sorted(set(labels.tolist()))}
    read = 0
    for rank in range(PROPOSALS):
        for theme in themes:
            if rank >= len(theme.representatives):
                continue
            if all(len(rows) >= EXAMPLES_PER_CLASS for rows in chosen.values()):
                return {label: sorted(rows) for label, rows in chosen.items() if rows}, read
            index = theme.representatives[rank]
            read += 1
            if len(chosen[labels[index]]) < EXAMPLES_PER_CLASS:
                chosen[labels[index]].append(index)
    return {label: sorted(rows) for label, rows in chosen.items() if rows}, read


def discovery_labels(themes, n: int) -> np.ndarray:
    labels = np.full(n, -1)
    for number, theme in enumerate(themes):
        labels[theme.members] = number
    return labels


def quality(name: str, language: str, texts: list[str], labels_list: list[str]) -> dict[str, float]:
    labels = np.array(labels_list)
    n = len(texts)
    classes = len(set(labels_list))
    timings: dict[str, float] = {}
    figures: dict[str, float] = {"rows": n, "classes": classes}

    detected = timed("languages", timings, detect_languages, texts, candidates=CANDIDATES)
    figures["language share"] = float(np.mean([code == language for code in detected]))
    figures["language unsure"] = float(np.mean([code == "" for code in detected]))
    duplicates = timed("duplicates", timings, find_duplicates, texts)
    excluded = duplicates.excluded_from_discovery(n)
    figures["duplicate groups"] = len(duplicates.groups)
    stance = timed("stance", timings, detect_stance, texts, detected)

    nmi, ari = [], []
    for seed in range(3):
        parameters = DiscoveryParameters(seed=seed, themes=classes)
        themes = timed(f"discovery seed {seed}", timings, discover_themes, texts, languages=detected,
                       excluded=excluded, stance=stance, parameters=parameters, duplicates=duplicates)
        predicted = discovery_labels(themes, n)
        placed = predicted >= 0  # empty texts are placed nowhere
        nmi.append(normalized_mutual_info_score(labels[placed], predicted[placed]))
        ari.append(adjusted_rand_score(labels[placed], predicted[placed]))
        if seed == 0:
            figures["themes found"] = len(themes)
            print(f"\n{name}: discovered themes (seed 0)")
            for theme in themes:
                print(f"  {len(theme.members):5d}  {', '.join(theme.key_terms)}")
    figures["NMI seed 0"], figures["NMI mean 3"] = nmi[0], float(np.mean(nmi))
    figures["ARI seed 0"], figures["ARI mean 3"] = ari[0], float(np.mean(ari))

    for protocol in ("random", "proposed"):
        scores, accuracy, other_share, covered, read = [], [], [], [], []
        for seed in range(5):
            if protocol == "random":
                examples = simulated_examples(labels, seed)
            else:
                examples, proposals_read = proposed_examples(texts, labels, seed, languages=detected,
                                                             excluded=excluded, duplicates=duplicates)
                read.append(proposals_read)
            covered.append(len(examples))
            assignment = timed(f"assignment {protocol} seed {seed}", timings, assign_themes, texts,
                               examples=examples, seed=seed)
            used = np.zeros(n, dtype=bool)
            used[[index for rows in examples.values() for index in rows]] = True
            predicted = first_themes(assignment)
            scores.append(macro_f1(labels, assignment, ~used))
            accuracy.append(float(np.mean(labels[~used] == predicted[~used])))
            other_share.append(float(np.mean(predicted[~used] == "(other)")))
        figures[f"{protocol}: macro-F1 mean 5"] = float(np.mean(scores))
        figures[f"{protocol}: macro-F1 min"] = float(np.min(scores))
        figures[f"{protocol}: macro-F1 max"] = float(np.max(scores))
        figures[f"{protocol}: accuracy mean 5"] = float(np.mean(accuracy))
        figures[f"{protocol}: assigned other"] = float(np.mean(other_share))
        figures[f"{protocol}: classes with examples"] = float(np.mean(covered))
        if read:
            figures[f"{protocol}: proposals read"] = float(np.mean(read))
    for stage in ("languages", "duplicates", "stance", "discovery seed 0", "assignment random seed 0"):
        figures[f"time {stage} (s)"] = timings[stage]
    return figures


def simulated_examples_of(labels: np.ndarray, seed: int, per_class: int) -> dict[str, list[int]]:
    """At most per_class random indices per human class (rng = default_rng(seed), classes in sorted order).

    Never more than half a class, so that every class keeps rows to be evaluated on (with 20 per class the cap
    never binds: the smallest classes have 142 and 48 rows).
    """
    rng = np.random.default_rng(seed)
    chosen = {}
    for label in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == label)
        chosen[label] = sorted(rng.choice(rows, size=min(per_class, len(rows) // 2), replace=False).tolist())
    return chosen


def first_themes(assignment) -> np.ndarray:
    """Each text's first (most likely) theme, "(other)" for none: what is scored against the single human label."""
    return np.array([row[0] if row else "(other)" for row in assignment.themes])


def macro_f1(labels: np.ndarray, assignment, evaluated: np.ndarray) -> float:
    predicted = first_themes(assignment)
    return float(f1_score(labels[evaluated], predicted[evaluated], average="macro",
                          labels=sorted(set(labels.tolist())), zero_division=0))


def learning_curve(name: str, texts: list[str], labels_list: list[str], sizes: list[int]) -> dict[str, float]:
    """macro-F1 of assign_themes as the analyst confirms more examples per theme, up to every label there is.

    Sizes: random examples per class as in the main protocol (mean of 5 seeds, evaluated on every other row);
    "all": 5-fold stratified cross-validation, every row of four folds as an example, evaluated on the fifth.
    It shows where 20 examples stand against what the same engine reaches with the human coders' every label.
    """
    from sklearn.model_selection import StratifiedKFold

    from rightsloop.consultations.analysis.vectors import vectorise

    labels = np.array(labels_list)
    n = len(texts)
    vectors = vectorise(texts)
    figures: dict[str, float] = {}
    for size in sizes:
        scores = []
        for seed in range(5):
            examples = simulated_examples_of(labels, seed, size)
            used = np.zeros(n, dtype=bool)
            used[[index for rows in examples.values() for index in rows]] = True
            assignment = assign_themes(texts, examples=examples, seed=seed, vectors=vectors)
            scores.append(macro_f1(labels, assignment, ~used))
        figures[f"{size} per class"] = float(np.mean(scores))
        print(f"  {name}: {size:4d} examples per class  macro-F1 {figures[f'{size} per class']:.3f}", flush=True)
    scores = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(n), labels):
        examples: dict[str, list[int]] = {}
        for index in train.tolist():
            examples.setdefault(labels[index], []).append(index)
        evaluated = np.zeros(n, dtype=bool)
        evaluated[test] = True
        scores.append(macro_f1(labels, assign_themes(texts, examples=examples, seed=0, vectors=vectors), evaluated))
    figures["all (5-fold)"] = float(np.mean(scores))
    print(f"  {name}: every label (5-fold CV)      macro-F1 {figures['all (5-fold)']:.3f}", flush=True)
    return figures


def print_table(results: dict[str, dict[str, float]]) -> None:
    names = list(results)
    rows = list(next(iter(results.values())))
    width = max(len(row) for row in rows) + 2
    print("\n" + "metric".ljust(width) + "".join(name.rjust(16) for name in names))
    for row in rows:
        cells = []
        for name in names:
            value = results[name][row]
            cells.append(f"{value:16.0f}" if row in ("rows", "classes", "duplicate groups", "themes found")
                         or row.endswith("proposals read")
                         else f"{value:16.3f}")
        print(row.ljust(width) + "".join(cells))


# --- scale ----------------------------------------------------------------------------------------------------


def synthetic(n: int, seed: int = 0) -> list[str]:
    """n texts from the real ones: exact copies, word drops and swaps, numbers, and two texts joined."""
    base = load_nhs()[0] + load_cycling()[0]
    base = [text for text in base if text.strip()]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base), size=n)
    partners = rng.integers(0, len(base), size=n)
    kinds = rng.integers(0, 4, size=n)
    numbers = rng.integers(0, 100_000, size=n)
    texts = []
    for i in range(n):
        words = base[picks[i]].split()
        kind = kinds[i]
        if kind == 1 and len(words) > 3:
            del words[numbers[i] % len(words)]
        elif kind == 2:
            words = words + base[partners[i]].split()[:12]
        elif kind == 3:
            words.insert(numbers[i] % (len(words) + 1), str(numbers[i]))
        texts.append(" ".join(words))
    return texts


def scale(n: int) -> None:
    print(f"generating {n:,} synthetic texts ...", flush=True)
    texts = synthetic(n)
    print(f"  mean length {np.mean([len(text) for text in texts[:100_000]]):.0f} characters; "
          f"peak RSS {peak_rss_mib():.0f} MiB", flush=True)
    timings: dict[str, float] = {}
    memory: dict[str, float] = {}

    def stage(label, function, *args, **kwargs):
        before = cpu_seconds()
        result = timed(label, timings, function, *args, **kwargs)
        memory[label] = peak_rss_mib()
        cpu = cpu_seconds() - before
        print(f"  {label:12s} wall {timings[label]:8.1f} s   CPU {cpu:8.1f} s (all processes)   "
              f"peak RSS so far {memory[label]:8.0f} MiB (workers {peak_rss_mib(children=True):.0f} MiB)", flush=True)
        return result

    languages = stage("languages", detect_languages, texts, candidates=CANDIDATES)
    duplicates = stage("duplicates", find_duplicates, texts)
    excluded = duplicates.excluded_from_discovery(n)
    stance = stage("stance", detect_stance, texts, languages)
    themes = stage("discovery", discover_themes, texts, languages=languages, excluded=excluded, stance=stance,
                   parameters=DiscoveryParameters(seed=0), duplicates=duplicates)
    # Examples: the discovered themes' representatives, as an analyst accepting candidates would give.
    examples = {number: theme.representatives for number, theme in enumerate(themes) if theme.representatives}
    stage("assignment", assign_themes, texts, examples=examples, seed=0)
    print(f"\n{n:,} texts: {len(duplicates.groups):,} duplicate groups, {int(excluded.sum()):,} excluded, "
          f"{len(themes)} themes")
    print(f"total {sum(timings.values()):.1f} s; peak RSS {peak_rss_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=0, help="time each stage on N synthetic texts instead")
    parser.add_argument("--curve", default="", help="learning curve instead: examples per class, e.g. 20,50,100,200 "
                        "(then every label, by 5-fold cross-validation)")
    arguments = parser.parse_args()
    if arguments.scale:
        scale(arguments.scale)
        return
    if arguments.curve:
        sizes = [int(size) for size in arguments.curve.split(",")]
        print_table({"NHS (en)": learning_curve("NHS (en)", *load_nhs(), sizes),
                     "Cycling (de)": learning_curve("Cycling (de)", *load_cycling(), sizes)})
        return
    results = {
        "NHS (en)": quality("NHS (en)", "en", *load_nhs()),
        "Cycling (de)": quality("Cycling (de)", "de", *load_cycling()),
    }
    print_table(results)
    print(f"\npeak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
