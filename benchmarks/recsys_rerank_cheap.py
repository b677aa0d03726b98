"""The learned re-ranker at a lower cost: features for the candidates only, fewer folds (issue 23's next step).

The same idea as `benchmarks/recsys_rerank.py` (read it first), cut down towards the product's
cost: every component is (the user's last few items) x (a component matrix's rows for those
items, columns for the user's candidates), so the only dense users x items matrix is stage 1's
own scores (each feature equals the dense code's to 1e-7 on the validation fold); no u.item
features; 5 prefix folds; a small LightGBM. The plain EASE^R feature comes either from a second
inverse (`plain`) or from stage 1's own EASE^R weights on the binary history (`bin`, no second
inverse); without either, the gain is gone. Two variants were frozen on validation folds (the
mean over folds 2-5, each scored by a ranker trained on the folds after it) before the test
split was scored once each; `--timing` measures them at ML-1M size. Figures: docs/recsys.md#a-learned-re-ranker.

    PYTHONPATH=src .venv/bin/python -m benchmarks.recsys_rerank_cheap --ml100k ../shared/data/ml-100k [--test|--timing]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import polars as pl
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from benchmarks.recsys_rerank import RANKER, prefix_folds
from benchmarks.recsys_sequence import interval
from footfall.recsys._base import ease_weights
from footfall.recsys.data import read_movielens
from footfall.recsys.sequence import SequenceEase

# chosen by footfall.recsys.tuning.tune(DEFAULT_MODEL, events) on ML-100K's validation split
# (printed by benchmarks/recsys_rerank.py, docs/recsys.md "A learned re-ranker")
STAGE1 = {"l2": 1000.0, "tau": 60.0, "floor": 0.01, "beta": 0.5, "window": 5, "pop": 0.3}
MAX_CANDIDATES = 200
PAGE_CAP = 30  # at most this many items of the user's last "page" (same second)

BASE = [
    "def_score", "def_gap_top", "def_rank", "ease_rec", "trans", "pop_gate",
    "knn1", "knn3", "knn10", "fwd1", "bwd1", "fwd_ctx", "same_sec_last", "same_sec_page", "sess10m",
    "pop_all", "pop_1d", "pop_7d", "pop_30d", "pop_end30", "item_age", "item_mean_rating",
    "u_len", "u_gap_now", "u_gap_prev", "u_page", "u_mean_rating", "u_last_rating", "u_top_score",
]  # fmt: skip
PLAIN = ["ease_plain", "ease_plain_rank"]
BIN = ["ease_bin", "ease_bin_rank"]


@dataclass
class Stage1(SequenceEase):
    """The default, keeping the item-item co-occurrence (gram) its EASE^R inverse starts from."""

    name: ClassVar[str] = "sequence-ease"
    gram: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def _fit(self, matrix: sp.csr_matrix) -> None:
        gram = (matrix.T @ matrix).toarray()
        self.gram = gram.astype(np.float32)
        self.weights = ease_weights(gram, float(self.params["l2"])).astype(np.float32)


def _row_normalised(counts: np.ndarray, shrink: float = 5.0) -> np.ndarray:
    return (counts / (counts.sum(axis=1, keepdims=True) + shrink)).astype(np.float32)


@dataclass
class Components:
    """Everything fitted on one training frame: stage 1, item x item matrices, ordered histories."""

    model: Stage1
    mats: dict[str, np.ndarray]
    item: np.ndarray  # history items, ordered by user, instant, seq
    time: np.ndarray
    rating: np.ndarray
    first: np.ndarray  # per model user: first / last position in the ordered history
    last: np.ndarray
    page_start: np.ndarray  # per position: first position of its (user, second) run
    pop_keys: np.ndarray
    count: np.ndarray
    first_seen: np.ndarray
    mean_rating: np.ndarray
    u_mean_rating: np.ndarray
    seconds: dict[str, float]


def fit_components(fit: pl.DataFrame, plain: str) -> Components:
    """Stage 1 and the item x item matrices on `fit`; `plain` = "plain" adds a second EASE^R (l2 500)."""
    t: dict[str, float] = {}
    start = time.perf_counter()
    model = Stage1(params=dict(STAGE1)).fit(fit)
    model.prepare()
    t["stage1"] = time.perf_counter() - start
    start = time.perf_counter()
    users = pl.DataFrame({"user_id": model.users.tolist()}, schema={"user_id": pl.String}).with_row_index("_u")
    items = pl.DataFrame({"item_id": model.items.tolist()}, schema={"item_id": pl.String}).with_row_index("_i")
    coded = fit.join(users, on="user_id").join(items, on="item_id").sort("_u", "ts", "seq")
    u = coded["_u"].to_numpy().astype(np.int64)
    it = coded["_i"].to_numpy().astype(np.int64)
    tm = coded["ts"].dt.epoch("s").to_numpy().astype(np.float64)
    rt = coded["weight"].to_numpy().astype(np.float64)
    n, m = len(model.items), len(model.users)
    ends = np.r_[np.flatnonzero(np.diff(u)) + 1, len(u)]
    starts = np.r_[0, ends[:-1]]
    first, last = np.full(m, -1), np.full(m, -1)
    first[u[starts]], last[u[starts]] = starts, ends - 1
    new_page = np.r_[True, (u[1:] != u[:-1]) | (tm[1:] != tm[:-1])]
    page_start = np.maximum.accumulate(np.where(new_page, np.arange(len(u)), 0))
    t["codes"] = time.perf_counter() - start
    start = time.perf_counter()
    gram = model.gram
    norms = np.sqrt(np.diag(gram))
    cosine = gram / (np.outer(norms, norms) + 10.0)
    np.fill_diagonal(cosine, 0.0)
    same = u[1:] == u[:-1]
    follows = np.zeros((n, n), dtype=np.float32)
    np.add.at(follows, (it[:-1][same], it[1:][same]), 1.0)
    mats = {
        "cos": cosine.astype(np.float32),
        "fwd": _row_normalised(follows),
        "bwd": _row_normalised(follows.T),
        "sec": _together(u, it, tm, n, 0.0),
        "s10m": _together(u, it, tm, n, 600.0),
    }
    t["matrices"] = time.perf_counter() - start
    if plain == "plain":
        start = time.perf_counter()
        mats["plain"] = ease_weights(gram.astype(np.float64), 500.0).astype(np.float32)
        t["plain_inverse"] = time.perf_counter() - start
    start = time.perf_counter()
    order = np.lexsort((tm, it))
    keys = it[order] * 1e10 + tm[order]
    count = np.bincount(it, minlength=n).astype(np.float64)
    first_seen = np.full(n, np.inf)
    np.minimum.at(first_seen, it, tm)
    mean_rating = np.bincount(it, weights=rt, minlength=n) / np.maximum(count, 1)
    lengths = last - first + 1
    sums = np.add.reduceat(rt, starts)
    u_mean = np.zeros(m)
    u_mean[u[starts]] = sums / lengths[u[starts]]
    t["popularity"] = time.perf_counter() - start
    return Components(model, mats, it, tm, rt, first, last, page_start, keys, count, first_seen, mean_rating, u_mean, t)


def _together(u: np.ndarray, it: np.ndarray, tm: np.ndarray, n: int, gap: float) -> np.ndarray:
    starts = np.r_[True, (u[1:] != u[:-1]) | (tm[1:] - tm[:-1] > gap)]
    group = np.cumsum(starts) - 1
    member = sp.csr_matrix((np.ones(len(group), dtype=np.float32), (group, it)), shape=(group[-1] + 1, n))
    member.data[:] = 1.0
    counts = (member.T @ member).toarray()
    np.fill_diagonal(counts, 0.0)
    return _row_normalised(counts)


def _context(c: Components, rows: np.ndarray, length: int, decay: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(queries x length) item codes and weights of each user's last `length` items (mean, or decay^d)."""
    d = np.arange(length)
    pos = c.last[rows][:, None] - d[None, :]
    ok = pos >= c.first[rows][:, None]
    items = c.item[np.where(ok, pos, 0)]
    w = ok * (1.0 if decay is None else decay ** d[None, :])
    if decay is None:
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1)
    return items, w.astype(np.float32)


def _page(c: Components, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    last = c.last[rows]
    size = last - c.page_start[last] + 1
    d = np.arange(PAGE_CAP)
    pos = last[:, None] - d[None, :]
    ok = d[None, :] < size[:, None]
    items = c.item[np.where(ok, pos, 0)]
    w = ok / np.minimum(size, PAGE_CAP)[:, None]
    return items, w.astype(np.float32), size


def _apply(matrix: np.ndarray, ctx: tuple[np.ndarray, np.ndarray], cand: np.ndarray) -> np.ndarray:
    """sum_l w[q, l] * M[item[q, l], cand[q, c]] -> queries x candidates."""
    items, w = ctx
    block = matrix[items[:, :, None], cand[:, None, :]]  # q x l x c
    return np.einsum("ql,qlc->qc", w, block)


def stage1_scores(c: Components, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    model = c.model
    scores = model.score_users(rows, at)
    seen = model.seen[rows]
    scores[seen.nonzero()] = -np.inf
    return scores


def candidates_of(scores: np.ndarray, k: int) -> np.ndarray:
    """Each row's k best columns, best first (ties: lower index first)."""
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(scores, part, axis=1)
    idx = np.argsort(part, axis=1, kind="stable")
    part = np.take_along_axis(part, idx, axis=1)
    vals = np.take_along_axis(vals, idx, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    del idx
    return np.take_along_axis(part, order, axis=1)


def features(
    c: Components, rows: np.ndarray, at: np.ndarray, scores: np.ndarray, k: int, plain: str
) -> dict[str, np.ndarray]:
    """queries x k candidates, and a dict of (queries x k) feature arrays."""
    model = c.model
    cand = candidates_of(scores, k)
    q = len(rows)
    default = np.take_along_axis(scores, cand, axis=1)
    top = default[:, :1]
    f: dict[str, np.ndarray] = {"_cand": cand}
    f["def_score"] = default
    f["def_gap_top"] = default - top
    f["def_rank"] = np.broadcast_to(np.arange(k, dtype=np.float64), (q, k))
    # stage 1's parts: transitions over its own context (window 5, decay 0.5), the popularity gate; EASE = rest
    ctx_items, ctx_w = _context(c, rows, int(model.params["window"]), float(model.params["decay"]))
    trans = _apply(model.transitions, (ctx_items, ctx_w), cand)
    gate = (at - model.last[rows] >= float(model.params["away"]))[:, None] * model.recent[cand]
    f["trans"], f["pop_gate"] = trans, gate
    f["ease_rec"] = default - trans - gate
    last1 = _context(c, rows, 1, None)
    same_context = model.params["window"] == 5 and model.params["decay"] == 0.5
    recent = (ctx_items, ctx_w) if same_context else _context(c, rows, 5, 0.5)
    f["knn1"] = _apply(c.mats["cos"], last1, cand)
    f["knn3"] = _apply(c.mats["cos"], _context(c, rows, 3, None), cand)
    f["knn10"] = _apply(c.mats["cos"], _context(c, rows, 10, None), cand)
    f["fwd1"] = _apply(c.mats["fwd"], last1, cand)
    f["bwd1"] = _apply(c.mats["bwd"], last1, cand)
    f["fwd_ctx"] = _apply(c.mats["fwd"], recent, cand)
    f["same_sec_last"] = _apply(c.mats["sec"], last1, cand)
    p_items, p_w, size = _page(c, rows)
    f["same_sec_page"] = _apply(c.mats["sec"], (p_items, p_w), cand)
    f["sess10m"] = _apply(c.mats["s10m"], recent, cand)
    if plain == "plain":
        # the plain EASE^R over the user's whole binary history, candidates' columns only
        plain_scores = np.empty((q, k), dtype=np.float32)
        for j in range(q):
            h = c.item[c.first[rows[j]] : c.last[rows[j]] + 1]
            plain_scores[j] = c.mats["plain"][np.unique(h)][:, cand[j]].sum(axis=0)
        f["ease_plain"] = plain_scores
    if plain == "bin":
        # the same with stage 1's own weights (l2 1000): no second inverse
        bin_scores = np.empty((q, k), dtype=np.float32)
        for j in range(q):
            h = np.unique(c.item[c.first[rows[j]] : c.last[rows[j]] + 1])
            bin_scores[j] = model.weights[h][:, cand[j]].sum(axis=0)
        f["ease_bin"] = bin_scores
    # popularity before the request instant
    asked = cand * 1e10 + at[:, None]
    before = np.searchsorted(c.pop_keys, asked)
    for d in (1, 7, 30):
        f[f"pop_{d}d"] = np.log1p(before - np.searchsorted(c.pop_keys, asked - d * 86_400.0))
    f["pop_all"] = np.log1p(c.count[cand])
    f["pop_end30"] = model.recent[cand]
    f["item_age"] = np.log1p(np.maximum(at[:, None] - c.first_seen[cand], 0) / 86_400.0)
    f["item_mean_rating"] = c.mean_rating[cand]
    # the user
    first, last = c.first[rows], c.last[rows]
    previous = np.where(last > first, c.time[np.maximum(last - 1, 0)], c.time[last])
    user = {
        "u_len": np.log1p(last - first + 1),
        "u_gap_now": np.log1p(np.maximum(at - c.time[last], 0)),
        "u_gap_prev": np.log1p(np.maximum(c.time[last] - previous, 0)),
        "u_page": np.log1p(size),
        "u_mean_rating": c.u_mean_rating[rows],
        "u_last_rating": c.rating[last],
        "u_top_score": top[:, 0],
    }
    for name, v in user.items():
        f[name] = np.broadcast_to(v[:, None], (q, k))
    return f


def matrix(f: dict[str, np.ndarray], names: list[str], k: int | None = None) -> np.ndarray:
    """rows = queries x candidates (first k), columns = names (float32)."""
    cols = []
    for name in names:
        if name.endswith("_rank") and name != "def_rank" and k is not None:  # rank among the candidates re-ranked
            v = np.log1p(np.argsort(np.argsort(-f[name[:-5]][:, :k], axis=1, kind="stable"), axis=1))
        else:
            v = f[name] if k is None else f[name][:, :k]
        cols.append(np.asarray(v, dtype=np.float32).reshape(-1))
    return np.column_stack(cols)


@dataclass
class Fold:
    f: dict[str, np.ndarray]
    labels: np.ndarray  # queries x MAX candidates
    seconds: dict[str, float]


def build_fold(fit: pl.DataFrame, target: pl.DataFrame, plain: str, k: int = MAX_CANDIDATES) -> Fold:
    c = fit_components(fit, plain)
    start = time.perf_counter()
    target = target.sort("user_id")
    model = c.model
    rows = np.searchsorted(model.users, target["user_id"].to_numpy().astype(object))
    at = target["ts"].dt.epoch("s").to_numpy().astype(np.float64)
    ids = target["item_id"].to_numpy().astype(object)
    col = np.minimum(np.searchsorted(model.items, ids), len(model.items) - 1)
    wanted = np.where(model.items[col] == ids, col, -1)
    scores = stage1_scores(c, rows, at)
    t = dict(c.seconds)
    t["scores"] = time.perf_counter() - start
    start = time.perf_counter()
    f = features(c, rows, at, scores, k, plain)
    t["features"] = time.perf_counter() - start
    labels = (f["_cand"] == wanted[:, None]).astype(np.int8)
    return Fold(f, labels, t)


def train_ranker(
    folds: list[Fold], names: list[str], rounds: int, leaves: int, lr: float, train_k: int, min_leaf: int = 300
) -> Any:
    import lightgbm as lgb

    blocks, labels, groups = [], [], []
    for fold in folds:
        hit = fold.labels[:, :train_k].any(axis=1)
        sub = {n: fold.f[n][hit] for n in fold.f if n in names or n + "_rank" in names}
        blocks.append(matrix(sub, names, train_k))
        labels.append(fold.labels[hit, :train_k].ravel())
        groups.append(np.full(int(hit.sum()), train_k))
    params = RANKER | {"num_leaves": leaves, "learning_rate": lr, "min_data_in_leaf": min_leaf}
    data = lgb.Dataset(
        np.concatenate(blocks), np.concatenate(labels), group=np.concatenate(groups), params={"verbosity": -1}
    )
    return lgb.train(params, data, num_boost_round=rounds)


def per_user(labels: np.ndarray, scores: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """NDCG@10, HR@10 per user: re-ranked by scores (queries x k), or the default's order (candidate order)."""
    if scores is None:
        ranked = labels
    else:
        order = np.argsort(-scores.reshape(labels.shape), axis=1, kind="stable")
        ranked = np.take_along_axis(labels, order, axis=1)
    position = np.where(ranked.any(axis=1), np.argmax(ranked, axis=1), np.inf)
    hit = position < 10
    return np.where(hit, 1 / np.log2(np.where(hit, position, 0) + 2), 0.0), hit.astype(np.float64)


def score_fold(ranker: Any, fold: Fold, names: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    x = matrix(fold.f, names, k)
    return per_user(fold.labels[:, :k], ranker.predict(x, num_threads=2))


VARIANTS = {  # frozen on the validation folds before the test split was scored (docs/recsys.md)
    "V1 bin K5 50r/7l k50": dict(ease="bin", K=5, rounds=50, leaves=7, lr=0.1, train_k=50, k=50),
    "V2 plain K5 100r/15l k100": dict(ease="plain", K=5, rounds=100, leaves=15, lr=0.1, train_k=50, k=100),
}


def names(v: dict[str, Any]) -> list[str]:
    return BASE + {"bin": BIN, "plain": PLAIN}[v["ease"]]


def test(folder: Path) -> None:
    """Each frozen variant trained on folds 2..K+1 and scored once on the test split, against the default."""
    events = read_movielens(folder).events
    K = max(v["K"] for v in VARIANTS.values())
    splits = prefix_folds(events, K + 1)
    for label, v in VARIANTS.items():
        start = time.perf_counter()
        folds = [build_fold(*splits[j - 1], v["ease"], k=v["k"]) for j in range(2, v["K"] + 2)]
        built = time.perf_counter() - start
        start = time.perf_counter()
        ranker = train_ranker(folds, names(v), v["rounds"], v["leaves"], v["lr"], v["train_k"])
        trained = time.perf_counter() - start
        testf = build_fold(*splits[0], v["ease"], k=v["k"])
        nd0, hr0 = per_user(testf.labels, None)
        nd, hr = per_user(testf.labels, ranker.predict(matrix(testf.f, names(v), v["k"])))
        print(
            f"{label}: test NDCG@10 {nd.mean():.4f} [{interval(nd)}] HR@10 {hr.mean():.4f} [{interval(hr)}] | default "
            f"{nd0.mean():.4f} / {hr0.mean():.4f} | paired NDCG {(nd - nd0).mean():+.4f} [{interval(nd - nd0)}] HR "
            f"{(hr - hr0).mean():+.4f} [{interval(hr - hr0)}] | users {len(nd)}, target in top-{v['k']} "
            f"{testf.labels.any(1).mean():.4f} | ML-100K: folds built {built:.1f}s, ranker {trained:.1f}s",
            flush=True,
        )


def ml1m() -> pl.DataFrame:
    """The ML-1M-size matrix of benchmarks/recsys.py with its instants spread over a year."""
    from benchmarks.recsys import ml1m_size

    events = ml1m_size()
    spread = np.random.default_rng(1).integers(0, 365 * 86_400, events.height) * 1_000_000
    return events.with_columns(pl.col("ts") + pl.Series(spread).cast(pl.Duration("us")))


def timing(ks: list[int]) -> None:
    """Training (K folds, the ranker, the final stage 1), all-user top-10 and one user's latency at ML-1M size."""
    start = time.perf_counter()
    events = ml1m()
    print(f"ML-1M-size events {events.height:,} ({time.perf_counter() - start:.1f}s to generate)", flush=True)
    for label, v in VARIANTS.items():
        for K in ks:
            t = {}
            start = time.perf_counter()
            splits = prefix_folds(events, K)
            t["splits"] = time.perf_counter() - start
            folds = []
            for j in range(1, K + 1):  # production: folds k = 1..K, final stage 1 on everything
                s0 = time.perf_counter()
                fold = build_fold(*splits[j - 1], v["ease"], k=v["train_k"])
                folds.append(fold)
                t[f"fold{j}"] = time.perf_counter() - s0
            parts = {a: round(b, 2) for a, b in folds[0].seconds.items()}
            s0 = time.perf_counter()
            ranker = train_ranker(folds, names(v), v["rounds"], v["leaves"], v["lr"], v["train_k"])
            t["ranker"] = time.perf_counter() - s0
            s0 = time.perf_counter()
            comp = fit_components(events, v["ease"])
            t["final_fit"] = time.perf_counter() - s0
            total = time.perf_counter() - start
            print(
                f"{label} K={K} at ML-1M: training total {total:.1f}s "
                + str({a: round(b, 2) for a, b in t.items()})
                + f"; fold 1 parts {parts}; final parts "
                + str({a: round(b, 2) for a, b in comp.seconds.items()}),
                flush=True,
            )
        # all-user top-10 (request instant = the data's end), BLAS free (2 cores) and in blocks of 1024
        model, k, cols = comp.model, v["k"], names(v)
        users = np.arange(len(model.users))
        start = time.perf_counter()
        tops, tt = [], {"scores": 0.0, "features": 0.0, "predict": 0.0}
        for b in range(0, len(users), 1024):
            rows = users[b : b + 1024]
            at = np.full(len(rows), model.end)
            s0 = time.perf_counter()
            scores = stage1_scores(comp, rows, at)
            tt["scores"] += time.perf_counter() - s0
            s0 = time.perf_counter()
            f = features(comp, rows, at, scores, k, v["ease"])
            x = matrix(f, cols, k)
            tt["features"] += time.perf_counter() - s0
            s0 = time.perf_counter()
            p = ranker.predict(x, num_threads=2).reshape(len(rows), k)
            tt["predict"] += time.perf_counter() - s0
            tops.append(np.take_along_axis(f["_cand"], np.argsort(-p, axis=1, kind="stable")[:, :10], axis=1))
        allu = time.perf_counter() - start
        # one user at a time, BLAS and LightGBM on 1 thread
        pick = np.random.default_rng(0).choice(users, 520, replace=False)
        ms = []
        with threadpool_limits(1):
            for i, u in enumerate(pick):
                s0 = time.perf_counter()
                rows, at = np.array([u]), np.array([model.end])
                scores = stage1_scores(comp, rows, at)
                f = features(comp, rows, at, scores, k, v["ease"])
                p = ranker.predict(matrix(f, cols, k), num_threads=1)
                _ = f["_cand"][0][np.argsort(-p, kind="stable")[:10]]  # the top 10, as a server answers
                if i >= 20:
                    ms.append((time.perf_counter() - s0) * 1000)
        ms = np.array(ms)
        print(
            f"{label} at ML-1M: all-user top-10 {allu:.2f}s { ({a: round(b, 2) for a, b in tt.items()}) }; one user "
            f"p50 {np.percentile(ms, 50):.2f} ms p99 {np.percentile(ms, 99):.2f} ms max {ms.max():.1f} ms "
            f"(n={len(ms)})",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--ml100k", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k")
    ap.add_argument("--test", action="store_true")
    ap.add_argument("--timing", action="store_true")
    ap.add_argument("--folds", default="1,5", help="K values to time at ML-1M")
    a = ap.parse_args()
    if importlib.util.find_spec("lightgbm") is None:
        raise SystemExit("needs lightgbm, not a footfall dependency: .venv/bin/python -m pip install lightgbm")
    if a.test or not a.timing:
        test(a.ml100k)
    if a.timing or not a.test:
        timing([int(x) for x in a.folds.split(",")])


if __name__ == "__main__":
    main()
