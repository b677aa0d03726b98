"""`sequence-rank`: the default's best candidates re-ordered by a learned ranker (LightGBM lambdarank).

Stage 1 is `sequence-ease`. Its `candidates` best unseen items per user are re-ordered by a small
LightGBM lambdarank model over `FEATURES` of each (user, candidate) pair: stage 1's score, rank and
parts, EASE^R on the user's whole binary history, item-kNN over the last 1/3/10 items, transitions
from the last items, items seen in the same second as the user's last "page" or in the same
10-minute visit, popularity in the days before the request, the item's age and mean weight, and the
user's history length, gaps and last page. Every feature is (the user's last few items, or whole
history) × a slice of an item-item matrix's candidate columns, so serving costs stage 1 plus a few
gathers; items after the candidates keep stage 1's order below them.

The ranker learns from **prefix folds** k = 1..K of the training events: stage 1 fitted on the
events without each user's last k interactions, the k-th from last being the target. `queries`
sets how many targets it learns from (K = ceil(queries / users), at most `folds`; a seeded sample
of users when one fold holds more), so small data get several folds and large data one. The
served stage 1 keeps fold 1's EASE^R weights (fitted without each user's last interaction: one
matrix inverse per fit) and takes every other part from all the events. LightGBM trains the
ranker; `Trees` evaluates it from its text with numpy, so loading and serving never import
LightGBM. Choices and figures:
docs/recsys.md#sequence-rank.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import polars as pl
import scipy.sparse as sp

from footfall.errors import InputError
from footfall.recsys._base import Model, ease_weights
from footfall.recsys._base import gram as gram_matrix
from footfall.recsys.sequence import SequenceEase, ordered_events

__all__ = ["FEATURES", "SequenceRank", "Trees"]

FEATURES = [
    "def_score", "def_gap_top", "def_rank", "ease_rec", "trans", "pop_gate",
    "knn1", "knn3", "knn10", "fwd1", "bwd1", "fwd_ctx", "same_sec_last", "same_sec_page", "sess10m",
    "pop_all", "pop_1d", "pop_7d", "pop_30d", "pop_end30", "item_age", "item_mean_rating",
    "u_len", "u_gap_now", "u_gap_prev", "u_page", "u_mean_rating", "u_last_rating", "u_top_score",
    "ease_bin", "ease_bin_rank",
]  # fmt: skip
ZERO = np.float32(1e-35)  # LightGBM's kZeroThreshold (1e-35f): |v| at most this is zero for its splits
PAGE_CAP = 30  # at most this many items of the user's last page (same second) count
STAGE1 = ("l2", "tau", "floor", "beta", "window", "decay", "backward", "shrink", "pop", "days", "away")
RANKER = {  # docs/recsys.md#a-learned-re-ranker: chosen on prefix folds of ML-100K, never its test split
    "objective": "lambdarank",
    "lambdarank_truncation_level": 20,
    "feature_fraction": 0.6,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 10.0,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}


@dataclass
class _Stage1(SequenceEase):
    """`sequence-ease` that keeps its Gram matrix, or updates an earlier fit's (`given`) to these events.

    `given` is (items, EASE^R weights, Gram matrix, user-item matrix) of a fit on a subset of these
    events with the same users: the weights are kept (no second inverse) and the Gram matrix gets the
    new pairs' products, which is XᵀX exactly (integer counts) without multiplying all of X again.
    """

    name: ClassVar[str] = "sequence-ease"
    gram: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    given: tuple[np.ndarray, np.ndarray, np.ndarray, sp.csr_matrix] | None = None

    def _fit(self, matrix: sp.csr_matrix) -> None:
        if self.given is None:
            self.gram = gram_matrix(matrix)
            self.weights = ease_weights(self.gram.astype(np.float64), float(self.params["l2"])).astype(np.float32)
            return
        items, weights, earlier, seen = self.given
        where = np.searchsorted(self.items, items)  # the earlier fit's items are among these
        if len(items) == len(self.items):
            self.weights, self.gram = weights, earlier.copy()
        else:
            self.weights = np.zeros(matrix.shape[1:] * 2, dtype=np.float32)
            self.weights[np.ix_(where, where)] = weights
            self.gram = np.zeros_like(self.weights)
            self.gram[np.ix_(where, where)] = earlier
        before = sp.csr_matrix((seen.data, where[seen.indices], seen.indptr), shape=matrix.shape)
        new = matrix - before  # XᵀX = X₁ᵀX₁ + DᵀX + XᵀD - DᵀD, D the pairs not in the earlier fit
        new.eliminate_zeros()
        cross = sp.coo_matrix(new.T @ matrix)  # a sparse product's entries are distinct: += adds each once
        self.gram[cross.row, cross.col] += cross.data.astype(np.float32)
        self.gram[cross.col, cross.row] += cross.data.astype(np.float32)
        twice = sp.coo_matrix(new.T @ new)
        self.gram[twice.row, twice.col] -= twice.data.astype(np.float32)


@dataclass
class _History:
    """Each user's interactions in order (instant, then `seq`) and what the features read from them."""

    item: np.ndarray  # item column per position
    time: np.ndarray  # seconds since the epoch
    weight: np.ndarray
    first: np.ndarray  # per user row: first and last position (-1: none)
    last: np.ndarray
    page_start: np.ndarray  # per position: the first position of its (user, second) run
    pop_keys: np.ndarray  # item * 1e10 + instant, sorted: popularity before an instant by binary search
    count: np.ndarray
    first_seen: np.ndarray
    mean_weight: np.ndarray
    user_mean_weight: np.ndarray
    mats: dict[str, np.ndarray]  # item-item: cos, fwd, bwd, sec, s10m


def _history(user: np.ndarray, item: np.ndarray, time: np.ndarray, weight: np.ndarray, gram: np.ndarray) -> _History:
    """The ordered history of `n_users` users over `gram`'s items, with its item-item matrices."""
    n, m = gram.shape[0], int(user.max(initial=-1)) + 1
    ends = np.r_[np.flatnonzero(np.diff(user)) + 1, len(user)] if len(user) else np.zeros(0, dtype=np.int64)
    starts = np.r_[0, ends[:-1]] if len(user) else ends
    first, last = np.full(m, -1), np.full(m, -1)
    first[user[starts]], last[user[starts]] = starts, ends - 1
    new_page = np.r_[True, (user[1:] != user[:-1]) | (time[1:] != time[:-1])][: len(user)]
    page_start = np.maximum.accumulate(np.where(new_page, np.arange(len(user)), 0)) if len(user) else ends
    order = np.lexsort((time, item))
    count = np.bincount(item, minlength=n).astype(np.float64)
    first_seen = np.full(n, np.inf)
    np.minimum.at(first_seen, item, time)
    user_mean = np.zeros(m)
    user_mean[user[starts]] = np.add.reduceat(weight, starts) / (ends - starts) if len(user) else 0.0
    norms = np.sqrt(np.diag(gram)).astype(np.float32)
    cosine = np.outer(norms, norms)
    cosine += np.float32(10.0)
    np.divide(gram, cosine, out=cosine)
    np.fill_diagonal(cosine, 0.0)
    same = user[1:] == user[:-1]
    follows = sp.coo_matrix(
        (np.ones(int(same.sum()), dtype=np.float32), (item[:-1][same], item[1:][same])), shape=(n, n)
    ).toarray()
    mats = {
        "cos": cosine,
        "bwd": _row_normalised(follows.T.copy()),
        "fwd": _row_normalised(follows),
        "sec": _together(user, item, time, n, 0.0),
        "s10m": _together(user, item, time, n, 600.0),
    }
    return _History(
        item, time, weight, first, last, page_start, item[order] * 1e10 + time[order], count, first_seen,
        np.bincount(item, weights=weight, minlength=n) / np.maximum(count, 1), user_mean, mats,
    )  # fmt: skip


def _row_normalised(counts: np.ndarray, shrink: float = 5.0) -> np.ndarray:
    """Each row over its sum plus `shrink` (float32; `counts` is reused when it is float32 and writable)."""
    normalised = np.asarray(counts, dtype=np.float32)
    normalised /= normalised.sum(axis=1, keepdims=True) + np.float32(shrink)
    return normalised


def _together(user: np.ndarray, item: np.ndarray, time: np.ndarray, n: int, gap: float) -> np.ndarray:
    """Row-normalised counts of two items in the same run of a user's history with gaps of at most `gap` s."""
    if not len(user):
        return np.zeros((n, n), dtype=np.float32)
    starts = np.r_[True, (user[1:] != user[:-1]) | (time[1:] - time[:-1] > gap)]
    group = np.cumsum(starts) - 1
    member = sp.csr_matrix((np.ones(len(group), dtype=np.float32), (group, item)), shape=(group[-1] + 1, n))
    member.data[:] = 1.0
    counts = (member.T @ member).toarray()
    np.fill_diagonal(counts, 0.0)
    return _row_normalised(counts)


def _ordered(
    events: pl.DataFrame, users: np.ndarray, items: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(user row, item column, seconds since the epoch, weight) per interaction, by user, instant, `seq`."""
    coded = ordered_events(events, users, items)
    return (
        coded["_u"].to_numpy().astype(np.int64),
        coded["_i"].to_numpy().astype(np.int64),
        coded["ts"].dt.epoch("us").to_numpy().astype(np.float64) * 1e-6,
        coded["weight"].to_numpy().astype(np.float64),
    )


def _last_items(h: _History, rows: np.ndarray, length: int, decay: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(users × length) item columns and weights of each user's last `length` items (a mean, or decay^d)."""
    d = np.arange(length)
    pos = h.last[rows][:, None] - d[None, :]
    ok = pos >= np.maximum(h.first[rows], 0)[:, None]
    ok &= (h.last[rows] >= 0)[:, None]
    items = h.item[np.where(ok, pos, 0)] if len(h.item) else np.zeros(pos.shape, dtype=np.int64)
    w = ok * (1.0 if decay is None else decay ** d[None, :])
    if decay is None:
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1)
    return items, w.astype(np.float32)


def _page(h: _History, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each user's last page (items in the second of their last interaction, at most `PAGE_CAP`) and its size."""
    last = h.last[rows]
    size = np.where(last >= 0, last - h.page_start[np.maximum(last, 0)] + 1, 0) if len(h.item) else last * 0
    d = np.arange(PAGE_CAP)
    ok = d[None, :] < size[:, None]
    items = h.item[np.where(ok, last[:, None] - d[None, :], 0)] if len(h.item) else np.zeros(ok.shape, np.int64)
    w = ok / np.maximum(np.minimum(size, PAGE_CAP), 1)[:, None]
    return items, w.astype(np.float32), size


def _apply(matrix: np.ndarray, last: tuple[np.ndarray, np.ndarray], cand: np.ndarray) -> np.ndarray:
    """sum_l w[q, l] * M[item[q, l], cand[q, c]]: users × candidates."""
    items, w = last
    summed: np.ndarray = np.einsum("ql,qlc->qc", w, matrix[items[:, :, None], cand[:, None, :]])
    return summed


def _candidates(scores: np.ndarray, k: int) -> np.ndarray:
    """Each row's `k` best columns, best first (ties: the lower column first)."""
    wide = min(k + 16, scores.shape[1])  # chosen in float32 (a quarter of the time), then ordered exactly
    part = np.sort(np.argpartition(-scores.astype(np.float32), wide - 1, axis=1)[:, :wide], axis=1)
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")[:, :k]
    return np.take_along_axis(part, order, axis=1)


def _binary_ease(stage1: SequenceEase, rows: np.ndarray, cand: np.ndarray, ease_rec: np.ndarray) -> np.ndarray:
    """EASE^R on each user's whole binary history, for the candidates: stage 1's EASE^R part (`ease_rec`) less
    its recency bonus, over `floor` (stage 1 counts an item seen `a` s before the user's last interaction
    `floor + exp(-a / tau)`). Only items whose bonus exceeds 1e-7 are gathered: the rest are below float32's
    precision in stage 1's sum, so serving gathers a user's last few items instead of their whole history."""
    seen, p = stage1.seen, stage1.params
    starts, lengths = seen.indptr[rows], np.diff(seen.indptr)[rows]
    owner = np.repeat(np.arange(len(rows)), lengths)
    entry = np.arange(int(lengths.sum())) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    bonus = np.exp(-stage1.age[entry].astype(np.float32) / np.float32(p["tau"]))
    keep = bonus > 1e-7
    owner, entry, bonus = owner[keep], entry[keep], bonus[keep]
    recent = np.zeros(cand.shape, dtype=np.float64)
    if len(owner):
        block = stage1.weights[seen.indices[entry][:, None], cand[owner]] * bonus[:, None]
        runs = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]  # `owner` ascends: one run per user
        recent[owner[runs]] = np.add.reduceat(block, runs, axis=0)
    return (ease_rec - recent) / float(p["floor"])


def _features(
    stage1: SequenceEase, h: _History, rows: np.ndarray, at: np.ndarray, scores: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(users × k candidate columns, (users · k) × FEATURES float32 matrix) for stage 1's `scores` (seen: -inf)."""
    cand = _candidates(scores, k)
    q = len(rows)
    default = np.take_along_axis(scores, cand, axis=1)
    finite = np.where(np.isfinite(default), default, np.nan)
    top = finite[:, :1]
    f: dict[str, np.ndarray] = {"def_score": finite, "def_gap_top": finite - top}
    f["def_rank"] = np.broadcast_to(np.arange(k, dtype=np.float64), (q, k))
    p = stage1.params
    context = _last_items(h, rows, int(p["window"]), float(p["decay"]))
    f["trans"] = _apply(stage1.transitions, context, cand)
    f["pop_gate"] = (at - stage1.last[rows] >= float(p["away"]))[:, None] * stage1.recent[cand]
    f["ease_rec"] = finite - f["trans"] - f["pop_gate"]
    last1 = _last_items(h, rows, 1, None)
    recent = _last_items(h, rows, 5, 0.5)
    f["knn1"] = _apply(h.mats["cos"], last1, cand)
    f["knn3"] = _apply(h.mats["cos"], _last_items(h, rows, 3, None), cand)
    f["knn10"] = _apply(h.mats["cos"], _last_items(h, rows, 10, None), cand)
    f["fwd1"] = _apply(h.mats["fwd"], last1, cand)
    f["bwd1"] = _apply(h.mats["bwd"], last1, cand)
    f["fwd_ctx"] = _apply(h.mats["fwd"], recent, cand)
    f["same_sec_last"] = _apply(h.mats["sec"], last1, cand)
    page_items, page_w, size = _page(h, rows)
    f["same_sec_page"] = _apply(h.mats["sec"], (page_items, page_w), cand)
    f["sess10m"] = _apply(h.mats["s10m"], recent, cand)
    before = _before(h.pop_keys, cand, at, 0.0)
    for days in (1, 7, 30):
        f[f"pop_{days}d"] = np.log1p(before - _before(h.pop_keys, cand, at, days * 86_400.0))
    f["pop_all"] = np.log1p(h.count[cand])
    f["pop_end30"] = stage1.recent[cand] / max(float(p["pop"]), 1e-12)
    f["item_age"] = np.log1p(np.maximum(at[:, None] - h.first_seen[cand], 0) / 86_400.0)
    f["item_mean_rating"] = h.mean_weight[cand]
    first, last = h.first[rows], h.last[rows]
    known = last >= 0
    t_last = np.where(known, h.time[np.maximum(last, 0)], at) if len(h.time) else at
    t_prev = np.where(last > first, h.time[np.maximum(last - 1, 0)], t_last) if len(h.time) else at
    user = {
        "u_len": np.log1p(np.where(known, last - first + 1, 0)),
        "u_gap_now": np.log1p(np.maximum(at - t_last, 0)),
        "u_gap_prev": np.log1p(np.maximum(t_last - t_prev, 0)),
        "u_page": np.log1p(size),
        "u_mean_rating": h.user_mean_weight[rows],
        "u_last_rating": np.where(known, h.weight[np.maximum(last, 0)], 0.0) if len(h.weight) else at * 0,
        "u_top_score": top[:, 0],
    }
    for name, v in user.items():
        f[name] = np.broadcast_to(v[:, None], (q, k))
    f["ease_bin"] = _binary_ease(stage1, rows, cand, f["ease_rec"])
    f["ease_bin_rank"] = np.log1p(np.argsort(np.argsort(-f["ease_bin"], axis=1, kind="stable"), axis=1))
    columns = np.column_stack([np.asarray(f[name], dtype=np.float32).reshape(-1) for name in FEATURES])
    return cand, columns


def _before(keys: np.ndarray, cand: np.ndarray, at: np.ndarray, back: float) -> np.ndarray:
    """Interactions with each candidate more than `back` seconds before its user's request `at` (by binary search in
    `keys`, item * 1e10 + instant, sorted). Requests at a few instants (an all-user run asks at one) look every item
    up once per instant instead of once per candidate: the same numbers."""
    instants, inverse = np.unique(at, return_inverse=True)
    items = int(cand.max(initial=-1)) + 1
    if len(instants) * items >= cand.size:
        found: np.ndarray = np.searchsorted(keys, cand * 1e10 + at[:, np.newaxis] - back)
        return found
    table = np.searchsorted(keys, np.arange(items)[np.newaxis, :] * 1e10 + instants[:, np.newaxis] - back)
    return np.asarray(table[inverse.reshape(-1, 1), cand])


@dataclass(frozen=True)
class Trees:
    """A LightGBM model read from its text (`Booster.model_to_string`) and evaluated with numpy: serving and
    loading need no LightGBM (whose import takes seconds); only training does. Numerical splits only.

    Every tree's internal nodes and leaves are numbered in one sequence; a leaf points to itself. Each
    split's decision is taken for every row at once; a few rows (one user's request) then walk every
    tree together, `depth` steps, and a batch takes each tree's leaf by nested selects, tree by tree
    (LightGBM's order of addition: the same sums to the last bit)."""

    text: str
    feature: np.ndarray  # per split (internal node): the feature, threshold, NaN/zero rule and default side
    threshold: np.ndarray
    missing: np.ndarray  # 0 none (NaN counts as 0), 1 zero, 2 NaN: LightGBM's NumericalDecision
    default_left: np.ndarray
    split: np.ndarray  # per node: its split's row in the decisions, or the last row (always left) for a leaf
    left: np.ndarray  # per node: the next node when its split goes left / right (a leaf: itself)
    right: np.ndarray
    value: np.ndarray  # per node: the leaf's value (0 for a split)
    root: np.ndarray  # per tree
    depth: int

    WALK_ROWS: ClassVar[int] = 256  # fewer rows than this walk (per-call overhead); more select (memory traffic)

    @classmethod
    def parse(cls, text: str) -> Trees:
        """The trees of a LightGBM model text; a one-line error for what this reader does not evaluate."""
        trees = [dict(line.split("=", 1) for line in block.splitlines()[1:] if "=" in line)
                 for block in text.split("\nTree=")[1:]]  # fmt: skip
        if any(int(tree.get("num_cat", "0")) for tree in trees):
            raise InputError("sequence-rank: a categorical split in the ranker, which footfall does not evaluate")
        splits: dict[str, list[float]] = {"feature": [], "threshold": [], "decision": []}
        split, left, right, value, root = [], [], [], [], []
        depth, base = 0, 0
        for tree in trees:
            leaves = int(tree["num_leaves"])
            inner = leaves - 1
            numbers = {key: [float(v) for v in tree.get(key, "").split()] for key in (
                "split_feature", "threshold", "decision_type", "left_child", "right_child", "leaf_value")}  # fmt: skip

            def node(child: float, inner: int = inner, base: int = base) -> int:
                return base + int(child) if child >= 0 else base + inner + ~int(child)

            first_split = len(splits["feature"])
            for key, name in (("split_feature", "feature"), ("threshold", "threshold"), ("decision_type", "decision")):
                splits[name] += numbers[key]
            split += [first_split + n for n in range(inner)] + [-1] * leaves
            left += [node(c) for c in numbers["left_child"]] + [base + inner + k for k in range(leaves)]
            right += [node(c) for c in numbers["right_child"]] + [base + inner + k for k in range(leaves)]
            value += [0.0] * inner + numbers["leaf_value"]
            root.append(base)
            depth = max(depth, _depth(numbers["left_child"], numbers["right_child"]))
            base += inner + leaves
        decision = np.array(splits["decision"], dtype=np.int64)
        every = np.array(split, dtype=np.int64)
        every[every < 0] = len(decision)  # the always-left row
        return cls(
            text, np.array(splits["feature"], dtype=np.int64), np.array(splits["threshold"]), (decision >> 2) & 3,
            (decision & 2) > 0, every, np.array(left, dtype=np.int64), np.array(right, dtype=np.int64),
            np.array(value), np.array(root, dtype=np.int64), depth,
        )  # fmt: skip

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The sum of every tree's leaf for each row of `x` (LightGBM's raw score)."""
        goes_left = self._goes_left(np.asarray(x, dtype=np.float32))
        if len(x) < self.WALK_ROWS:
            return self._walk(goes_left)
        total = np.zeros(len(x))
        for root in self.root.tolist():
            total += self._leaf(goes_left, root)
        return total

    def _goes_left(self, x: np.ndarray) -> np.ndarray:
        """Splits × rows: whether each row goes left at each split."""
        columns = np.ascontiguousarray(x.T)
        if len(x) < self.WALK_ROWS:  # a few rows: every split's values in one gather
            return self._decide(columns[self.feature], slice(None))
        goes_left = np.empty((len(self.feature), len(x)), dtype=bool)
        for feature, splits in self.by_feature:  # a batch: feature by feature, without a splits-by-rows copy of x
            goes_left[splits] = self._decide(columns[feature][np.newaxis, :], splits)
        return goes_left

    def _decide(self, values: np.ndarray, splits: np.ndarray | slice) -> np.ndarray:
        """Whether `values` (a row per split, or one row for all of them) go left at `splits` (LightGBM's
        NumericalDecision: NaN is 0 unless the split sends NaN aside; zero is missing for zero splits)."""
        missing = self.missing[splits, np.newaxis]
        if np.isnan(values).any():  # compared in float64, as LightGBM does
            wide = values.astype(np.float64)
            nan = np.isnan(wide)
            wide = np.where(nan & (missing != 2), 0.0, wide)
            default = ((missing == 1) & (np.abs(wide) <= ZERO)) | ((missing == 2) & nan)
            below = wide <= self.threshold[splits, np.newaxis]
        else:  # v <= t for a float32 v is v <= the largest float32 not above t: the same test at half the bytes
            below = values <= self.threshold32[splits, np.newaxis]
            default = (missing == 1) & (np.abs(values) <= ZERO)
        return np.where(default, self.default_left[splits, np.newaxis], below)

    def _walk(self, goes_left: np.ndarray) -> np.ndarray:
        """Every row down every tree at once, `depth` steps (a leaf points to itself)."""
        rows = goes_left.shape[1]
        flat = np.concatenate([goes_left, np.ones((1, rows), dtype=bool)]).reshape(-1).view(np.int8)
        column = np.arange(rows, dtype=np.int64)[:, np.newaxis]
        node = np.broadcast_to(self.root, (rows, len(self.root)))
        for _ in range(self.depth):  # children[2n] is n's right child, children[2n + 1] its left
            node = self.children[2 * node + flat[self.split[node] * rows + column]]
        return np.cumsum(self.value[node], axis=1)[:, -1] if len(self.root) else np.zeros(rows)  # in tree order

    def _leaf(self, goes_left: np.ndarray, node: int) -> np.ndarray | float:
        """The value of the leaf each row reaches from `node` (a number when `node` is a leaf)."""
        if self.left[node] == node:
            return float(self.value[node])
        below = (self._leaf(goes_left, int(self.left[node])), self._leaf(goes_left, int(self.right[node])))
        return np.where(goes_left[self.split[node]], *below)

    @cached_property
    def threshold32(self) -> np.ndarray:
        """Each threshold as the largest float32 not above it."""
        rounded = self.threshold.astype(np.float32)
        return np.where(rounded > self.threshold, np.nextafter(rounded, np.float32(-np.inf)), rounded)

    @cached_property
    def by_feature(self) -> list[tuple[int, np.ndarray]]:
        """Each feature that splits, with its splits."""
        return [(int(f), np.flatnonzero(self.feature == f)) for f in np.unique(self.feature)]

    @cached_property
    def children(self) -> np.ndarray:
        """Per node, [right, left] interleaved (the walk's one gather)."""
        return np.column_stack([self.right, self.left]).reshape(-1)


def _depth(left: list[float], right: list[float]) -> int:
    """The longest path from a tree's root to a leaf, in splits (0 for a single leaf)."""
    if not left:
        return 0
    level, nodes = 0, [0]
    while nodes:
        level += 1
        nodes = [int(c) for n in nodes for c in (left[n], right[n]) if c >= 0]
    return level


@dataclass
class SequenceRank(Model):
    """`sequence-ease`'s `candidates` best items per user re-ordered by a LightGBM lambdarank model."""

    name: ClassVar[str] = "sequence-rank"
    # stage 1: sequence-ease tuned on ML-100K's validation split; the ranker: docs/recsys.md#sequence-rank
    defaults: ClassVar[dict[str, float]] = {k: SequenceEase.defaults[k] for k in STAGE1} | {
        "floor": 0.01,
        "beta": 0.5,
        "candidates": 50,
        "rounds": 50,
        "leaves": 7,
        "learning_rate": 0.1,
        "min_leaf": 300,
        "queries": 5000,
        "folds": 5,
        "seed": 0,
    }
    stage1: SequenceEase = field(default_factory=SequenceEase)
    history: _History | None = None
    ranker: Trees | None = None  # None when the training data held nothing to learn from

    def __post_init__(self) -> None:
        super().__post_init__()
        if float(self.params["candidates"]) < 1 or float(self.params["queries"]) < 1:
            raise InputError("sequence-rank needs candidates and queries of 1 or more", param="params")
        if float(self.params["floor"]) <= 0:  # its binary-history feature is stage 1's history over `floor`
            raise InputError("sequence-rank needs floor > 0", param="params")

    def fit(self, events: pl.DataFrame) -> Model:
        """Learn stage 1 and the ranker from `user_id, item_id, weight, ts[, seq]` interactions."""
        if "ts" not in events.columns or "weight" not in events.columns:
            raise InputError("sequence-rank needs each interaction's ts and weight", param="events")
        from footfall.recsys.evaluate import leave_last_out  # evaluate imports the models

        began = time.perf_counter()
        p = self.params
        users = events.filter(pl.len().over("user_id") >= 2)["user_id"].n_unique()
        folds = min(int(p["folds"]), math.ceil(float(p["queries"]) / max(users, 1)))
        per_fold = math.ceil(float(p["queries"]) / max(folds, 1))
        rng = np.random.default_rng(int(p["seed"]))
        blocks, rest, final = [], events, None
        with ThreadPoolExecutor(1) as pool:  # the served stage 1 is fitted beside the folds (a second core)
            for _ in range(folds):
                rest, target = leave_last_out(rest)
                if not target.height:
                    break
                stage1 = _Stage1(params=self._stage1_params()).fit(rest)
                assert isinstance(stage1, _Stage1)
                if final is None:  # fold 1: its EASE^R weights and Gram matrix serve the final stage 1
                    final = pool.submit(self._final, events, (stage1.items, stage1.weights, stage1.gram, stage1.seen))
                blocks.append(self._block(stage1, rest, target, per_fold, rng))
            self.ranker = self._train(blocks)
            self.stage1, self.history = (final or pool.submit(self._final, events, None)).result()
        self.users, self.items, self.seen = self.stage1.users, self.stage1.items, self.stage1.seen
        self.age, self.popularity = self.stage1.age, self.stage1.popularity
        self.train_seconds = time.perf_counter() - began
        return self

    def _final(
        self, events: pl.DataFrame, given: tuple[np.ndarray, np.ndarray, np.ndarray, sp.csr_matrix] | None
    ) -> tuple[SequenceEase, _History]:
        """The served stage 1 on all `events` (with fold 1's weights when `given`) and the histories' features."""
        final = _Stage1(params=self._stage1_params(), given=given).fit(events)
        assert isinstance(final, _Stage1)
        history = _history(*_ordered(events, final.users, final.items), final.gram)
        final.gram = np.zeros((0, 0), dtype=np.float32)
        return final, history

    def _stage1_params(self) -> dict[str, Any]:
        return {k: self.params[k] for k in STAGE1}

    def _block(
        self, stage1: _Stage1, fit: pl.DataFrame, target: pl.DataFrame, most: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One fold's training rows: (features, labels, query sizes) of the targets found among the candidates."""
        history = _history(*_ordered(fit, stage1.users, stage1.items), stage1.gram)
        stage1.history = stage1._history()  # scored in batches only: skip `prepare`'s one-user precomputation
        target = target.sort("user_id")
        if target.height > most:
            target = target[np.sort(rng.choice(target.height, most, replace=False))]
        rows = np.searchsorted(stage1.users, target["user_id"].to_numpy().astype(object))
        at = target["ts"].dt.epoch("us").to_numpy().astype(np.float64) * 1e-6
        ids = target["item_id"].to_numpy().astype(object)
        column = np.minimum(np.searchsorted(stage1.items, ids), len(stage1.items) - 1)
        wanted = np.where(stage1.items[column] == ids, column, -1)
        k = min(int(self.params["candidates"]), len(stage1.items))
        cand, x = _features(stage1, history, rows, at, _masked(stage1, rows, at), k)
        labels = cand == wanted[:, None]
        hit = labels.any(axis=1)
        x = x.reshape(len(rows), k, -1)[hit].reshape(-1, x.shape[1])
        return x, labels[hit].reshape(-1).astype(np.float32), np.full(int(hit.sum()), k)

    def _train(self, blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Trees | None:
        """The LightGBM lambdarank model over every fold's rows (None when no target was among the candidates)."""
        if sum(len(sizes) for _, _, sizes in blocks) < 2:
            return None
        import lightgbm as lgb

        p = self.params
        data = lgb.Dataset(
            np.concatenate([x for x, _, _ in blocks]),
            np.concatenate([y for _, y, _ in blocks]),
            group=np.concatenate([sizes for _, _, sizes in blocks]),
            params={"verbosity": -1},
        )
        settings = RANKER | {"num_leaves": int(p["leaves"]), "learning_rate": float(p["learning_rate"])}
        settings |= {"min_data_in_leaf": int(p["min_leaf"])}
        booster = lgb.train(settings | {"seed": int(p["seed"])}, data, num_boost_round=int(p["rounds"]))
        return Trees.parse(booster.model_to_string())

    def prepare(self) -> Model:
        self.stage1.prepare()
        return self

    def score_users(self, rows: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        """The ranker's scores for each user's candidates, and stage 1's below them for every other item."""
        when = np.full(len(rows), self.stage1.end) if at is None else np.asarray(at, dtype=np.float64)
        base = self.stage1.score_users(rows, when)
        if self.ranker is None or self.history is None or not len(rows):
            return base
        masked = base.copy()
        masked[self.seen[rows].nonzero()] = -np.inf
        k = min(int(self.params["candidates"]), len(self.items))
        cand, x = _features(self.stage1, self.history, rows, when, masked, k)
        predicted = self.ranker.predict(x).reshape(len(rows), k)
        predicted = predicted - 1e-9 * np.arange(k)  # equal predictions keep stage 1's order
        usable = np.isfinite(np.take_along_axis(masked, cand, axis=1))  # fewer unseen items than candidates
        lowest = np.where(usable, predicted, np.inf).min(axis=1)
        stage1 = np.take_along_axis(base, cand, axis=1)
        np.put_along_axis(base, cand, -np.inf, axis=1)
        ceiling = base.max(axis=1)  # the best item that is not a candidate (seen ones included)
        # the candidates move above every other item; the others keep stage 1's scores exactly (and so its order)
        lift = np.where(np.isfinite(ceiling) & np.isfinite(lowest), ceiling + 1.0 - lowest, 0.0)
        np.put_along_axis(base, cand, np.where(usable, predicted + lift[:, None], stage1), axis=1)
        return base

    def _arrays(self) -> dict[str, np.ndarray]:
        assert self.history is not None
        h = self.history
        user = np.repeat(np.arange(len(self.users)), np.where(h.last >= 0, h.last - h.first + 1, 0))
        arrays = {"h_user": user, "h_item": h.item, "h_time": h.time, "h_weight": h.weight}
        ranker = "" if self.ranker is None else self.ranker.text
        return self.stage1._arrays() | arrays | {"ranker": np.array(ranker)}

    def _restore(self, arrays: Any) -> None:
        stage1 = SequenceEase(params=self._stage1_params())
        stage1.users, stage1.items, stage1.seen = self.users, self.items, self.seen
        stage1.age, stage1.popularity = self.age, self.popularity
        stage1._restore(arrays)
        self.stage1 = stage1
        gram = gram_matrix(self.seen)
        self.history = _history(arrays["h_user"], arrays["h_item"], arrays["h_time"], arrays["h_weight"], gram)
        text = str(arrays["ranker"])
        self.ranker = Trees.parse(text) if text else None


def _masked(stage1: SequenceEase, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Stage 1's scores with the items each user has seen at -inf."""
    scores = stage1.score_users(rows, at)
    scores[stage1.seen[rows].nonzero()] = -np.inf
    return scores
