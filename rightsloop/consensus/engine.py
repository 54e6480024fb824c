"""The opinion-group engine: Pol.is's published method (data/polis/METHOD.md), written from its description.

Pure numpy/scipy/scikit-learn, no Django: consensus.analysis feeds it a VoteTable and stores what `results()`
returns together with `Parameters.as_dict()` and ENGINE_VERSION, so any run can be repeated exactly.

The vote matrix is kept sparse throughout. Filling a missing cell with its column's mean and then centring by
that mean makes the cell exactly zero, so the centred matrix has a non-zero only where someone voted: 5 million
votes are 5 million numbers, never a dense participants x statements array. docs/consensus-method.md explains
every step and the choices METHOD.md leaves open (divisive statements, ties, small inputs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import linalg, sparse
from scipy.sparse.linalg import LinearOperator, eigsh
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

ENGINE_VERSION = "1.1"  # bump on any change that can change results

# Up to this many statements the principal components come from the dense eigen-decomposition of the (statements x
# statements) cross-product; wider ones from ARPACK's Lanczos iteration (to machine precision), whose cost grows with
# the votes only: a dense decomposition of 900 statements already takes seconds on a busy 2-core machine.
EXACT_PCA_MAX_STATEMENTS = 60
PARALLEL_FROM = 20_000  # clustered participants from which k-means may use every core


@dataclass(frozen=True)
class Parameters:
    """Everything besides the votes that decides a run's outcome. The defaults are METHOD.md's."""

    seed: int = 0  # start vector of the Lanczos iteration (wide exercises) and of group_start="best"
    min_votes: int = 7  # a participant is clustered with at least min(min_votes, statements) votes
    min_clustered: int = 15  # ... topped up with the most active participants until this many are clustered
    base_clusters: int = 100
    max_groups: int = 5
    significance: float = 1.2816  # one-sided 90% z
    per_list: int = 5  # how many consensus / representative / divisive / group-consensus statements
    min_participants: int = 4  # fewer voters than this: NotEnoughData (three voters cannot form two groups)
    # A larger k must beat the best smaller k's silhouette by more than this: the batch stand-in for Pol.is's
    # k-smoothing, which keeps the number of groups until another one wins repeatedly.
    k_margin: float = 0.02
    # How the group-level k-means starts: "first" = the first k base centres, as Pol.is does (reproduces its
    # published groups); "best" = the best of ten k-means++ starts seeded by `seed` (better separated groups
    # where the first centres are a poor start, but not Pol.is's groups).
    group_start: str = "first"

    def as_dict(self) -> dict:
        return asdict(self)


def _no_numbers() -> np.ndarray:
    return np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class VoteTable:
    """The latest vote of each participant on each statement, as parallel arrays (one row per pair)."""

    participants: np.ndarray  # int64 participant number per vote
    statements: np.ndarray  # int64 statement number per vote
    values: np.ndarray  # int8: 1 agree, -1 disagree, 0 pass
    statement_numbers: np.ndarray  # every statement that is analysed (accepted)
    muted: np.ndarray = field(default_factory=_no_numbers)  # rejected / meta: all-zero columns if voted on
    # Participants clustered before (an earlier run, or kept_from_history): Pol.is keeps a participant in the
    # clustering once in, even when today's rule would leave them out.
    kept: np.ndarray = field(default_factory=_no_numbers)

    @classmethod
    def from_events(cls, *, participants, statements, values, times, statement_numbers, muted=(),
                    kept=()) -> VoteTable:
        """Keep the latest vote per participant and statement (ties: the later row wins)."""
        participants = np.asarray(participants, dtype=np.int64)
        statements = np.asarray(statements, dtype=np.int64)
        times = np.asarray(times)
        order = np.lexsort((np.arange(len(times)), times, statements, participants))
        p, s = participants[order], statements[order]
        last = np.ones(len(order), dtype=bool)
        last[:-1] = (p[1:] != p[:-1]) | (s[1:] != s[:-1])
        keep = order[last]
        return cls(participants=participants[keep], statements=statements[keep],
                   values=np.asarray(values, dtype=np.int8)[keep],
                   statement_numbers=np.asarray(statement_numbers, dtype=np.int64),
                   muted=np.asarray(muted, dtype=np.int64), kept=np.asarray(kept, dtype=np.int64))


def kept_from_history(*, participants, times, statement_times, parameters: Parameters = Parameters()) -> np.ndarray:
    """Participants who were clustered at some moment of the exercise's early history, replaying step 3 after each
    vote. The clustered set is sticky: whoever qualifies or is added stays in, and the members kept so far count
    towards `min_clustered`, so the most active are added only while the whole set is smaller than that.

    participants/times: each participant's first vote on each statement and when; statement_times: when each
    statement was written. Only the start is replayed: it stops once `min_clustered` qualify on their own.
    """
    participants = np.asarray(participants, dtype=np.int64)
    times = np.asarray(times, dtype=np.float64)
    written = np.sort(np.asarray(statement_times, dtype=np.float64))
    order = np.lexsort((participants, times))
    counts: dict[int, int] = {}
    kept: set[int] = set()
    for participant, when in zip(participants[order].tolist(), times[order].tolist(), strict=True):
        counts[participant] = counts.get(participant, 0) + 1
        needed = min(parameters.min_votes, int(np.searchsorted(written, when, side="right")))
        qualified = {p for p, n in counts.items() if n >= needed}
        if len(qualified) >= parameters.min_clustered:
            break
        kept |= qualified
        # Topping up re-chose the 15 most active after every vote before ENGINE_VERSION 1.1. That kept people who
        # were among them only for a moment, although members already in filled the set (vtaiwan's participant 31,
        # whom Pol.is did not group).
        others = sorted((p for p in counts if p not in kept), key=lambda p: (-counts[p], p))
        kept.update(others[: max(parameters.min_clustered - len(kept), 0)])
    return np.array(sorted(kept), dtype=np.int64)


class NotEnoughData(Exception):
    """Too little to analyse yet; `code` names what is missing, `needed` and `have` say how much."""

    def __init__(self, code: str, *, needed: int, have: int):
        self.code, self.needed, self.have = code, needed, have
        super().__init__(f"{code}: {have} (at least {needed} needed)")


# ----------------------------------------------------------------------------------------------------- statistics

def prop_test(successes, n):
    """METHOD.md's one-proportion z against one half: 2*sqrt(n+1)*((s+1)/(n+1) - 0.5)."""
    successes, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    return 2.0 * np.sqrt(n + 1.0) * ((successes + 1.0) / (n + 1.0) - 0.5)


def two_prop_test(s1, n1, s2, n2):
    """Two-proportion z-test (pooled variance) after adding one to each of the four counts; 0 where undefined."""
    s1, n1, s2, n2 = (np.asarray(a, dtype=float) + 1.0 for a in (s1, n1, s2, n2))
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(spread > 0, (p1 - p2) / np.where(spread > 0, spread, 1.0), 0.0)
    return z


def group_informed_consensus(source, groups=None, statements=None) -> np.ndarray:
    """Product over groups of (agrees + 1) / (votes + 2), per statement.

    Either `group_informed_consensus(agrees, votes)` with two (groups x statements) count arrays, or
    `group_informed_consensus(table, groups, statements=None)` with a VoteTable and the groups as a mapping
    {participant number: group id} or a pair (participant numbers, group ids); participants without a group
    (absent, or id -1) do not count. `statements` defaults to every analysed and muted statement, sorted.
    """
    if isinstance(source, VoteTable):
        counts = group_counts(source, groups, statements)
        agrees, votes = counts["na"], counts["ns"]
    else:
        agrees, votes = np.atleast_2d(np.asarray(source, dtype=float)), np.atleast_2d(np.asarray(groups, dtype=float))
    gic = np.ones(agrees.shape[1])
    for g in range(agrees.shape[0]):
        gic = gic * ((agrees[g] + 1.0) / (votes[g] + 2.0))
    return gic


def group_counts(table: VoteTable, groups, statements=None) -> dict:
    """Agree, disagree and all-vote counts per (group, statement) over the table's votes; groups sorted by id."""
    if isinstance(groups, Mapping):
        members, ids = np.fromiter(groups.keys(), np.int64), np.fromiter(groups.values(), np.int64)
    else:
        members, ids = (np.asarray(a, dtype=np.int64) for a in groups)
    if statements is None:
        statements = np.union1d(table.statement_numbers, table.muted)
    statements = np.asarray(statements, dtype=np.int64)
    group_ids = np.unique(ids[ids >= 0])
    order = np.argsort(members)
    members, ids = members[order], ids[order]
    at = np.clip(np.searchsorted(members, table.participants), 0, max(len(members) - 1, 0))
    grouped = (len(members) > 0) & (members[at] == table.participants) if len(members) else np.zeros(0, bool)
    col = np.clip(np.searchsorted(statements, table.statements), 0, max(len(statements) - 1, 0))
    counted = grouped & (statements[col] == table.statements) if len(statements) else grouped & False
    counted &= ids[at] >= 0
    g = np.searchsorted(group_ids, ids[at][counted])
    c = col[counted]
    v = table.values[counted]
    shape = (len(group_ids), len(statements))

    def tally(mask):
        return np.bincount(g[mask] * shape[1] + c[mask], minlength=shape[0] * shape[1]).reshape(shape)

    return {"groups": group_ids, "statements": statements, "na": tally(v == 1), "nd": tally(v == -1),
            "ns": tally(np.ones(len(v), dtype=bool))}


# ------------------------------------------------------------------------------------------------------ analysis

@dataclass
class Analysis:
    """One run's outcome: where everyone sits, who is in which group, and the vote counts behind the statistics."""

    parameters: Parameters
    participant_numbers: np.ndarray  # every projected participant (voted at least once), sorted
    x: np.ndarray
    y: np.ndarray
    group: np.ndarray  # group id per participant, -1 if not clustered
    n_votes: np.ndarray  # votes per participant (analysed and muted statements)
    k: int
    silhouette: float
    base_centres: np.ndarray  # (n_base, 2)
    base_sizes: np.ndarray
    base_cluster: np.ndarray  # base cluster per participant, -1 if not clustered
    components: np.ndarray  # (2, statements analysed + muted): the principal components
    statement_numbers: np.ndarray  # analysed statements, sorted
    counts: dict = field(repr=False)  # "na", "nd", "ns": (k, statements) per group; "all_*": (statements,) everyone
    n_total_votes: int = 0
    engine_version: str = ENGINE_VERSION

    @property
    def clustered(self) -> np.ndarray:
        return self.group >= 0

    def group_sizes(self) -> np.ndarray:
        return np.bincount(self.group[self.clustered], minlength=self.k)

    def gic(self) -> np.ndarray:
        return group_informed_consensus(self.counts["na"], self.counts["ns"])

    def results(self, *, min_group_size: int) -> dict:
        """The JSON stored in AnalysisRun.results (shape: consensus.models docstring); figures of groups smaller
        than min_group_size are left out so that no small group's votes can be read off the page."""
        sizes = self.group_sizes()
        shown = [g for g in range(self.k) if sizes[g] >= min_group_size]
        return {
            "k": int(self.k), "silhouette": float(self.silhouette),
            "n_participants": len(self.participant_numbers), "n_clustered": int(self.clustered.sum()),
            "n_statements": len(self.statement_numbers), "n_votes": int(self.n_total_votes),
            "groups": [{"id": g, "label": _label(g), "size": int(sizes[g]), "shown": g in shown}
                       for g in range(self.k)],
            "statements": self._statement_figures(shown),
            "consensus": self._consensus(),
            "representative": {str(g): self._representative(g) for g in shown},
            "divisive": self._divisive(shown),
            "group_consensus": self._group_consensus(),
        }

    # -- pieces of results()

    def _statement_figures(self, shown) -> dict:
        c = self.counts
        pa = (c["all_na"] + 1.0) / (c["all_ns"] + 2.0)
        pd = (c["all_nd"] + 1.0) / (c["all_ns"] + 2.0)
        gic = self.gic()
        figures = {}
        for j, number in enumerate(self.statement_numbers.tolist()):
            figures[str(number)] = {
                "ns": int(c["all_ns"][j]), "na": int(c["all_na"][j]), "nd": int(c["all_nd"][j]),
                "pa": float(pa[j]), "pd": float(pd[j]), "gic": float(gic[j]),
                "groups": {str(g): {"ns": int(c["ns"][g, j]), "na": int(c["na"][g, j]), "nd": int(c["nd"][g, j])}
                           for g in shown}}
        return figures

    def _consensus(self) -> dict:
        c, z, n = self.counts, self.parameters.significance, self.parameters.per_list
        out = {}
        for direction, key, p_key, t_key in (("agree", "all_na", "pa", "pat"), ("disagree", "all_nd", "pd", "pdt")):
            p = (c[key] + 1.0) / (c["all_ns"] + 2.0)
            test = prop_test(c[key], c["all_ns"])
            candidates = np.flatnonzero((p > 0.5) & (test > z))
            ranked = _top(candidates, p * test, n, self.statement_numbers)
            out[direction] = [{"statement": int(self.statement_numbers[j]), p_key: float(p[j]), t_key: float(test[j])}
                              for j in ranked]
        return out

    def _representative(self, g: int) -> list:
        figures = representativeness(self.counts, g)
        z = self.parameters.significance
        agree_ok = (figures["rat"] > z) & (figures["pat"] > z)
        disagree_ok = (figures["rdt"] > z) & (figures["pdt"] > z)
        chosen = np.flatnonzero(agree_ok | disagree_ok)
        agree = figures["rat"] > figures["rdt"]
        entries = []
        for j in chosen:
            if agree[j]:
                r, rt, p, pt = figures["ra"][j], figures["rat"][j], figures["pa"][j], figures["pat"][j]
            else:
                r, rt, p, pt = figures["rd"][j], figures["rdt"][j], figures["pd"][j], figures["pdt"][j]
            entries.append({"statement": int(self.statement_numbers[j]), "direction": "agree" if agree[j] else
                            "disagree", "repness": float(r), "repness_test": float(rt), "p": float(p),
                            "p_test": float(pt)})
        entries.sort(key=lambda e: (-e["repness"] * e["repness_test"] * e["p"] * e["p_test"], e["statement"]))
        # The group's strongest agreement leads when it has one: what a group stands for reads better than
        # what it rejects.
        first_agree = next((i for i, e in enumerate(entries) if e["direction"] == "agree"), None)
        if first_agree:
            entries.insert(0, entries.pop(first_agree))
        return entries[: self.parameters.per_list]

    def _divisive(self, shown) -> list:
        """Statements whose agree share differs most between the shown groups, where the difference is significant
        (two-proportion z between the most and the least agreeing group above `significance`)."""
        if len(shown) < 2:
            return []
        c = self.counts
        na, ns = c["na"][shown], c["ns"][shown]
        pa = (na + 1.0) / (ns + 2.0)
        top, bottom = pa.argmax(axis=0), pa.argmin(axis=0)
        cols = np.arange(pa.shape[1])
        spread = pa[top, cols] - pa[bottom, cols]
        test = two_prop_test(na[top, cols], ns[top, cols], na[bottom, cols], ns[bottom, cols])
        candidates = np.flatnonzero(test > self.parameters.significance)
        ranked = _top(candidates, spread, self.parameters.per_list, self.statement_numbers)
        return [{"statement": int(self.statement_numbers[j]), "spread": float(spread[j])} for j in ranked]

    def _group_consensus(self) -> list:
        gic = self.gic()
        ranked = _top(np.arange(len(gic)), gic, self.parameters.per_list, self.statement_numbers)
        return [{"statement": int(self.statement_numbers[j]), "gic": float(gic[j])} for j in ranked]


def representativeness(counts: dict, g: int) -> dict:
    """METHOD.md step 5 for group g against all other groups pooled, per statement."""
    na, nd, ns = counts["na"][g], counts["nd"][g], counts["ns"][g]
    oa, od, os_ = (counts[key].sum(axis=0) - counts[key][g] for key in ("na", "nd", "ns"))
    pa, pd = (na + 1.0) / (ns + 2.0), (nd + 1.0) / (ns + 2.0)
    return {"pa": pa, "pd": pd, "pat": prop_test(na, ns), "pdt": prop_test(nd, ns),
            "ra": pa / ((oa + 1.0) / (os_ + 2.0)), "rd": pd / ((od + 1.0) / (os_ + 2.0)),
            "rat": two_prop_test(na, ns, oa, os_), "rdt": two_prop_test(nd, ns, od, os_)}


def _top(candidates: np.ndarray, score: np.ndarray, n: int, numbers: np.ndarray) -> list:
    """The n best candidates by score, ties broken by the lower statement number (stable, reproducible)."""
    candidates = np.asarray(candidates, dtype=np.int64)
    order = np.lexsort((numbers[candidates], -score[candidates]))
    return candidates[order][:n].tolist()


def _label(g: int) -> str:
    return chr(ord("A") + g) if g < 26 else f"G{g + 1}"


def analyse(table: VoteTable, parameters: Parameters = Parameters()) -> Analysis:
    """Steps 1 to 5 of METHOD.md; results() does steps 5 to 8 on demand."""
    if parameters.group_start not in ("first", "best"):
        raise ValueError('group_start is "first" or "best"')
    matrix = _vote_matrix(table, parameters)
    n_votes, n_columns = matrix["n_votes"], len(matrix["columns"])
    kept = np.isin(matrix["participants"], np.asarray(table.kept, dtype=np.int64))
    clustered = _who_is_clustered(n_votes, n_columns, parameters, kept)
    # The map is drawn by the clustered participants (step 3's "everyone is projected; only these get a group"):
    # their votes give the column means and the principal axes, and everyone is then placed on those axes.
    centred = _centred(matrix, clustered)
    components = _principal_components(centred if clustered.all() else centred[clustered], parameters.seed)
    scale = np.sqrt(n_columns / np.maximum(matrix["n_cells"], 1))
    projected = np.asarray(centred @ components.T) * scale[:, None]
    # Threads only pay off on large inputs; on small ones, spinning OpenMP/BLAS threads cost seconds on a busy
    # machine (a 1,600-point k-means took 1.4 s with two threads under load, a few ms with one).
    with threadpool_limits(limits=1 if clustered.sum() < PARALLEL_FROM else None):
        base = _base_clusters(projected[clustered], parameters)
        k, silhouette, base_group = _groups(base["centres"], base["sizes"], parameters)

    n_rows = len(matrix["participants"])
    group = np.full(n_rows, -1, dtype=np.int64)
    base_cluster = np.full(n_rows, -1, dtype=np.int64)
    base_cluster[clustered] = base["membership"]
    group[clustered] = base_group[base["membership"]]
    counts = _counts(matrix, group, k)
    return Analysis(parameters=parameters, participant_numbers=matrix["participants"], x=projected[:, 0],
                    y=projected[:, 1], group=group, n_votes=n_votes, k=k, silhouette=silhouette,
                    base_centres=base["centres"], base_sizes=base["sizes"], base_cluster=base_cluster,
                    components=components, statement_numbers=matrix["analysed"], counts=counts,
                    n_total_votes=matrix["n_total_votes"])


# -- step 1: the vote matrix

def _vote_matrix(table: VoteTable, parameters: Parameters) -> dict:
    participants = np.asarray(table.participants, dtype=np.int64)
    statements = np.asarray(table.statements, dtype=np.int64)
    values = np.asarray(table.values)
    if not (len(participants) == len(statements) == len(values)):
        raise ValueError("participants, statements and values must have the same length")
    if len(values) and not np.isin(values, (-1, 0, 1)).all():
        raise ValueError("a vote is 1 (agree), -1 (disagree) or 0 (pass)")
    analysed = np.unique(np.asarray(table.statement_numbers, dtype=np.int64))
    muted = np.setdiff1d(np.asarray(table.muted, dtype=np.int64), analysed)
    muted = np.intersect1d(muted, statements)  # a muted statement nobody voted on adds nothing
    columns = np.union1d(analysed, muted)

    in_matrix = np.isin(statements, columns)  # votes on pending (unmoderated-out) statements are not analysed
    if not in_matrix.any():
        raise NotEnoughData("no_votes", needed=1, have=0)
    participants, statements, values = participants[in_matrix], statements[in_matrix], values[in_matrix]
    rows, row = np.unique(participants, return_inverse=True)
    if len(rows) < parameters.min_participants:
        raise NotEnoughData("too_few_participants", needed=parameters.min_participants, have=len(rows))
    voted_on = np.intersect1d(analysed, statements)
    if len(voted_on) < 2:
        raise NotEnoughData("too_few_statements", needed=2, have=len(voted_on))

    col = np.searchsorted(columns, statements)
    shape = (len(rows), len(columns))
    seen = sparse.csr_matrix((np.ones(len(row), dtype=np.int32), (row, col)), shape=shape)
    if seen.nnz != len(row) or seen.max() > 1:
        raise ValueError("one vote per participant and statement: reduce events with VoteTable.from_events")

    # Muted statements keep their votes as cells (they count as votes) but their values become zero.
    value = np.where(np.isin(statements, muted), 0, values).astype(np.float64)
    n_votes = np.bincount(row, minlength=len(rows))
    # A muted column is zero in every row, not only where someone voted: each participant holds a (zero) cell
    # there, which is what the sparsity scaling counts. Without this, bg2050's published groups are not reproduced.
    n_cells = np.bincount(row[~np.isin(statements, muted)], minlength=len(rows)) + len(muted)
    return {"participants": rows, "row": row, "col": col, "values": values.astype(np.int8), "value": value,
            "columns": columns, "analysed": analysed, "n_votes": n_votes, "n_cells": n_cells, "n_total_votes": len(row)}


def _centred(matrix: dict, by: np.ndarray) -> sparse.csr_matrix:
    """Every participant's votes minus each column's mean over the participants `by` selects (a boolean per row).

    Filling a missing cell with the mean and centring by it leaves zero there, so only votes are stored."""
    row, col, value = matrix["row"], matrix["col"], matrix["value"]
    shape = (len(matrix["participants"]), len(matrix["columns"]))
    counted = by[row]
    observed = np.bincount(col[counted], minlength=shape[1])
    means = np.bincount(col[counted], weights=value[counted], minlength=shape[1]) / np.maximum(observed, 1)
    return sparse.csr_matrix((value - means[col], (row, col)), shape=shape)


# -- step 2: projection

def _principal_components(centred: sparse.csr_matrix, seed: int = 0) -> np.ndarray:
    """The first two principal axes (2 x statements), each signed so that its largest loading is positive.

    Small exercises: exact eigen-decomposition of the statements x statements cross-product. Wide ones: ARPACK's
    Lanczos iteration on the same cross-product applied through two sparse products (never formed), from a
    start vector fixed by the seed, to machine precision."""
    n_columns = centred.shape[1]
    if n_columns <= EXACT_PCA_MAX_STATEMENTS:
        cross = (centred.T @ centred).toarray()
        top = max(n_columns - 2, 0)
        _, vectors = linalg.eigh(cross, subset_by_index=[top, n_columns - 1])
        axes = vectors[:, ::-1].T.copy()
    else:
        cross = LinearOperator((n_columns, n_columns), matvec=lambda v: centred.T @ (centred @ v), dtype=np.float64)
        start = np.random.default_rng(seed).standard_normal(n_columns)
        values, vectors = eigsh(cross, k=2, which="LA", v0=start, tol=0)
        axes = vectors[:, np.argsort(-values)].T.copy()
    if axes.shape[0] < 2:
        axes = np.vstack([axes, np.zeros((2 - axes.shape[0], n_columns))])
    for axis in axes:
        if axis.any() and axis[np.argmax(np.abs(axis))] < 0:
            axis *= -1
    return axes


# -- step 3: who is clustered

def _who_is_clustered(n_votes: np.ndarray, n_columns: int, parameters: Parameters, kept: np.ndarray) -> np.ndarray:
    """Enough votes, or kept from before; the most active are added only while these are fewer than min_clustered."""
    clustered = (n_votes >= min(parameters.min_votes, n_columns)) | kept
    wanted = min(parameters.min_clustered, len(n_votes))
    missing = wanted - int(clustered.sum())
    if missing > 0:
        # The most active of the others first; among equals the earlier participant number (rows sorted by number).
        others = np.flatnonzero(~clustered)
        clustered[others[np.lexsort((others, -n_votes[others]))[:missing]]] = True
    return clustered


# -- step 4: two-level k-means

def _base_clusters(points: np.ndarray, parameters: Parameters) -> dict:
    """k-means of the participants into `base_clusters` clusters, started from the first distinct points in
    participant order (deterministic, so the seed is not needed here); every distinct point is its own base
    cluster when there are no more of them than that."""
    _, first, inverse = np.unique(points, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    appearance = np.argsort(first, kind="stable")  # distinct points in order of first appearance
    distinct = points[first[appearance]]
    if len(distinct) <= parameters.base_clusters:
        rank = np.empty(len(appearance), dtype=np.int64)
        rank[appearance] = np.arange(len(appearance))
        membership = rank[inverse]
        return {"centres": distinct, "sizes": np.bincount(membership), "membership": membership}
    km = KMeans(n_clusters=parameters.base_clusters, n_init=1, init=distinct[: parameters.base_clusters]).fit(points)
    used, membership = np.unique(km.labels_, return_inverse=True)
    return {"centres": km.cluster_centers_[used], "sizes": np.bincount(membership), "membership": membership.ravel()}


def _groups(centres: np.ndarray, sizes: np.ndarray, parameters: Parameters) -> tuple[int, float, np.ndarray]:
    """Weighted k-means of the base centres for k from 2 to min(max_groups, 2 + n_base // 12), each started from
    the first k base centres; the k with the best mean silhouette on the base centres wins, a larger k only when it
    beats the best smaller one by more than `k_margin`. Groups are numbered by size, largest first."""
    n_base = len(centres)
    if n_base < 2:
        return 1, 0.0, np.zeros(n_base, dtype=np.int64)
    best = None
    for k in range(2, min(parameters.max_groups, 2 + n_base // 12) + 1):
        if k > n_base:
            break
        if parameters.group_start == "first":
            km = KMeans(n_clusters=k, n_init=1, init=centres[:k]).fit(centres, sample_weight=sizes)
        else:  # "best": the lowest weighted inertia of ten seeded k-means++ starts
            km = KMeans(n_clusters=k, n_init=10, random_state=parameters.seed).fit(centres, sample_weight=sizes)
        labels = km.labels_
        n_labels = len(np.unique(labels))
        score = float(silhouette_score(centres, labels)) if 2 <= n_labels < n_base else 0.0
        if best is None or score > best[1] + parameters.k_margin:
            best = (n_labels, score, labels, km.cluster_centers_)
    _, score, labels, group_centres = best
    used, labels = np.unique(labels, return_inverse=True)
    weight = np.bincount(labels, weights=sizes, minlength=len(used))
    order = np.lexsort((group_centres[used, 1], group_centres[used, 0], -weight))
    rank = np.empty(len(used), dtype=np.int64)
    rank[order] = np.arange(len(used))
    return len(used), score, rank[labels.ravel()]


# -- step 5: the counts the statistics need

def _counts(matrix: dict, group: np.ndarray, k: int) -> dict:
    analysed_cols = np.searchsorted(matrix["columns"], matrix["analysed"])
    position = np.full(len(matrix["columns"]), -1)
    position[analysed_cols] = np.arange(len(analysed_cols))
    col = position[matrix["col"]]
    keep = col >= 0
    col, row, values = col[keep], matrix["row"][keep], matrix["values"][keep]
    n = len(analysed_cols)
    out = {"all_na": np.bincount(col[values == 1], minlength=n), "all_nd": np.bincount(col[values == -1], minlength=n),
           "all_ns": np.bincount(col, minlength=n)}
    g = group[row]
    member = g >= 0
    for key, mask in (("na", values == 1), ("nd", values == -1), ("ns", np.ones(len(values), bool))):
        pick = member & mask
        out[key] = np.bincount(g[pick] * n + col[pick], minlength=k * n).reshape(k, n)
    return out


def adjusted_rand(a, b) -> float:
    """Adjusted Rand index of two labelings (for the accuracy checks; sklearn's, kept here for one import)."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


__all__ = ["ENGINE_VERSION", "Analysis", "NotEnoughData", "Parameters", "VoteTable", "adjusted_rand", "analyse",
           "group_counts", "group_informed_consensus", "kept_from_history", "prop_test", "representativeness",
           "two_prop_test"]
