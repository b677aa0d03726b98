"""The re-ranker's features of (user, candidate) pairs, from each user's ordered history and stage 1.

`FEATURES` lists them: stage 1's score, rank and parts, EASE^R on the user's whole binary history,
item-kNN over the last 1/3/10 items, transitions from the last items, items seen in the same second
as the user's last "page" or in the same 10-minute visit, popularity in the days before the
request, the item's age and mean weight, and the user's history length, gaps and last page. Every
feature is (the user's last few items, or whole history) × a slice of an item-item matrix's
candidate columns, so serving costs stage 1 plus a few gathers. docs/recsys.md#sequence-rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp

from footfall.recsys.sequence import SequenceEase, ordered_events

__all__ = ["FEATURES", "History", "features", "histories", "ordered"]

FEATURES = [
    "def_score", "def_gap_top", "def_rank", "ease_rec", "trans", "pop_gate",
    "knn1", "knn3", "knn10", "fwd1", "bwd1", "fwd_ctx", "same_sec_last", "same_sec_page", "sess10m",
    "pop_all", "pop_1d", "pop_7d", "pop_30d", "pop_end30", "item_age", "item_mean_rating",
    "u_len", "u_gap_now", "u_gap_prev", "u_page", "u_mean_rating", "u_last_rating", "u_top_score",
    "ease_bin", "ease_bin_rank",
]  # fmt: skip
PAGE_CAP = 30  # at most this many items of the user's last page (same second) count


@dataclass
class History:
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


def histories(user: np.ndarray, item: np.ndarray, time: np.ndarray, weight: np.ndarray, gram: np.ndarray) -> History:
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
    return History(
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


def ordered(
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


def _last_items(h: History, rows: np.ndarray, length: int, decay: float | None) -> tuple[np.ndarray, np.ndarray]:
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


def _page(h: History, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def features(
    stage1: SequenceEase, h: History, rows: np.ndarray, at: np.ndarray, scores: np.ndarray, k: int
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
