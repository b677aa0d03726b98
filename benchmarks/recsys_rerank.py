"""A learned re-ranker over the default recommender, on ML-100K leave-last-out (a probe for issue 23).

Stage 1 is `sequence-ease` (footfall's default when this ran; its parameters tuned on the validation split as
`benchmarks/recsys.py` tunes them): its 200 best unseen items are each user's candidates. Stage 2
is a LightGBM lambdarank model over features of each (user, candidate) pair: the default's score,
rank and parts, a plain EASE^R, item-kNN over the last 1/3/10 items, transitions from the last
items, items rated in the same second (the "rating page") or the same 10-minute visit, popularity
in the days before the request instant, the item's age, and the user's history length and gaps;
with `u.item`, also the film's age and its genres against the user's last ten.

Nothing about the test items is used to train or choose: the ranker learns from *prefix folds*
k = 2..21 — stage 1 fitted on the events without each user's last k interactions, the k-th from
last being the target (k = 2 is the validation split) — and its settings were chosen by 5-fold
cross-validation over users on those folds (docs/recsys.md#a-learned-re-ranker); a linear ranker
(pairwise logistic regression) is trained on the same folds for comparison. Then stage 1 is
fitted on the real training split (all but each user's last interaction) and the frozen ranker
orders its candidates once. The held-out item outside the candidates counts as a miss.

    .venv/bin/python -m pip install lightgbm      # not a footfall dependency
    PYTHONPATH=src .venv/bin/python -m benchmarks.recsys_rerank --ml100k ../shared/data/ml-100k
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from benchmarks._common import table
from benchmarks.recsys_sequence import interval
from footfall.recsys._base import ease_weights
from footfall.recsys.data import read_movielens
from footfall.recsys.evaluate import by_gap, leave_last_out
from footfall.recsys.models import make_model
from footfall.recsys.tuning import tune

STAGE1 = "sequence-ease"  # the default when this probe ran; footfall's default is now sequence-rank, its product form
CANDIDATES, TRAIN_CANDIDATES, FOLDS = 200, 100, range(2, 22)
RANKER = {  # chosen by cross-validation over users on the prefix folds (docs/recsys.md)
    "objective": "lambdarank",
    "lambdarank_truncation_level": 20,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 300,
    "feature_fraction": 0.6,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 10.0,
    "num_threads": 2,
    "seed": 0,
    "deterministic": True,
    "verbosity": -1,
}
ROUNDS = 400
FEATURES = [  # in the order the settings were chosen with (LightGBM samples columns by position)
    "def_score", "def_gap_top", "def_rank", "ease_rec", "trans", "pop_gate", "ease_plain", "ease_plain_rank",
    "knn1", "knn3", "knn10", "fwd1", "bwd1", "fwd_ctx", "same_sec_last", "same_sec_page", "sess10m",
    "pop_all", "pop_1d", "pop_7d", "pop_30d", "pop_end30", "item_age", "release_age", "item_mean_rating",
    "genre_cos", "u_len", "u_gap_now", "u_gap_prev", "u_page", "u_mean_rating", "u_last_rating", "u_top_score",
]  # fmt: skip
METADATA = {"release_age", "genre_cos"}  # the features that need u.item


@dataclass
class Catalogue:
    """Users and items in a fixed order, and each item's release instant and genres (from u.item, if read)."""

    users: np.ndarray
    items: np.ndarray
    release: np.ndarray
    genres: np.ndarray


@dataclass
class Fold:
    """One fold's features (users x candidates rows), labels, and the default's rank of each target."""

    features: dict[str, np.ndarray]
    labels: np.ndarray  # queries x candidates, 1 at the held-out item
    default_rank: np.ndarray  # 0-based rank of the held-out item among unseen items; inf if it cannot be ranked
    gap: np.ndarray  # seconds from the user's last training interaction to the held-out one


def catalogue(events: pl.DataFrame, folder: Path) -> Catalogue:
    """The events' users and items, with release dates and genres from `folder/u.item`."""
    items = np.array(sorted(events["item_id"].unique().to_list()), dtype=object)
    users = np.array(sorted(events["user_id"].unique().to_list()), dtype=object)
    release, genres = np.full(len(items), np.nan), np.zeros((len(items), 19), dtype=np.float32)
    position = {item: k for k, item in enumerate(items)}
    for line in (folder / "u.item").read_bytes().decode("latin-1").splitlines():
        fields = line.split("|")
        if fields[0] in position:
            k = position[fields[0]]
            if fields[2]:
                release[k] = datetime.strptime(fields[2], "%d-%b-%Y").timestamp()
            genres[k] = np.array(fields[5:24], dtype=np.float32)
    return Catalogue(users, items, release, genres)


def prefix_folds(events: pl.DataFrame, last: int) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """[(fit, target)] for k = 1..last: each user's k-th from last interaction held out, and all after it dropped."""
    folds, rest = [], events
    for _ in range(last):
        fit, target = leave_last_out(rest)
        folds.append((fit, target))
        rest = fit
    return folds


def build_fold(fit: pl.DataFrame, target: pl.DataFrame, cat: Catalogue, params: dict[str, Any]) -> Fold:
    """Stage 1 and the other components fitted on `fit`; one feature row per (target user, candidate)."""
    model = make_model(STAGE1, params).fit(fit)
    model.prepare()
    codes = _codes(fit, cat)
    target = target.sort("user_id")
    users = np.searchsorted(cat.users, target["user_id"].to_numpy().astype(object))
    wanted = np.searchsorted(cat.items, target["item_id"].to_numpy().astype(object))
    at = target["ts"].dt.epoch("s").to_numpy().astype(np.float64)
    rows = np.searchsorted(model.users, target["user_id"].to_numpy().astype(object))
    columns = np.searchsorted(cat.items, model.items)
    queries, n = len(users), len(cat.items)

    def spread(scores: np.ndarray, fill: float = 0.0) -> np.ndarray:
        full = np.full((queries, n), fill)
        full[:, columns] = scores
        return full

    scores = model.score_users(rows, at)
    scores[model.seen[rows].nonzero()] = -np.inf
    default = spread(scores, -np.inf)
    candidates = np.argsort(-default, axis=1, kind="stable")[:, :CANDIDATES]
    parts = {
        "ease_rec": spread(np.asarray(model.history[rows] @ model.weights)),
        "trans": spread(np.asarray(model.context[rows] @ model.transitions)),
        "pop_gate": spread(np.outer(at - model.last[rows] >= float(model.params["away"]), model.recent)),
    }
    history = _History(codes, users, n)
    dense = parts | _item_item(codes, history, n, default) | {"genre_cos": _genre_cosine(history, cat)}
    query = np.repeat(np.arange(queries), CANDIDATES)
    item = candidates.ravel()
    top = default[np.arange(queries), candidates[:, 0]]
    features = {name: values[query, item] for name, values in dense.items()}
    features |= {
        "def_score": default[query, item],
        "def_gap_top": default[query, item] - top[query],
        "def_rank": np.tile(np.arange(CANDIDATES), queries).astype(np.float64),
        "pop_end30": model.recent[np.searchsorted(model.items, cat.items[item])],
        "release_age": (at[query] - cat.release[item]) / (365 * 86_400.0),
        "u_top_score": top[query],
    }
    features |= _popularity(codes, item, at[query], n) | {k: v[query] for k, v in history.user_features(at).items()}
    labels = (candidates == wanted[:, None]).astype(np.int8)
    return Fold(features, labels, _rank(default, wanted), at - history.time[history.last])


@dataclass
class _Codes:
    """A fit frame as arrays ordered by user, instant and file order."""

    user: np.ndarray
    item: np.ndarray
    time: np.ndarray
    rating: np.ndarray


def _codes(fit: pl.DataFrame, cat: Catalogue) -> _Codes:
    ordered = fit.sort("user_id", "ts", "seq")
    return _Codes(
        np.searchsorted(cat.users, ordered["user_id"].to_numpy().astype(object)),
        np.searchsorted(cat.items, ordered["item_id"].to_numpy().astype(object)),
        ordered["ts"].dt.epoch("s").to_numpy().astype(np.float64),
        ordered["weight"].to_numpy().astype(np.float64),
    )


class _History:
    """Each query user's ordered history inside the codes: first and last positions, recent items."""

    def __init__(self, codes: _Codes, users: np.ndarray, items: int) -> None:
        ends = np.r_[np.flatnonzero(np.diff(codes.user)) + 1, len(codes.user)]
        starts = np.r_[0, ends[:-1]]
        first, last = (
            np.full(max(codes.user.max(), users.max()) + 1, -1),
            np.full(max(codes.user.max(), users.max()) + 1, -1),
        )
        first[codes.user[starts]], last[codes.user[starts]] = starts, ends - 1
        self.codes, self.first, self.last, self.time, self.items = codes, first[users], last[users], codes.time, items

    def context(self, length: int, decay: float | None = None) -> sp.csr_matrix:
        """The last `length` items of each query user: mean weights, or `decay`^d for the d-th from last."""
        rows, cols, weights = [], [], []
        for d in range(length):
            ok = self.last - d >= self.first
            rows.append(np.flatnonzero(ok))
            cols.append(self.codes.item[self.last[ok] - d])
            weights.append(np.full(int(ok.sum()), 1.0 if decay is None else decay**d))
        shape = (len(self.last), self.items)
        matrix = sp.csr_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))), shape=shape)
        if decay is None:
            matrix = sp.diags(1.0 / np.maximum(np.asarray(matrix.sum(axis=1)).ravel(), 1)) @ matrix
        return matrix

    @cached_property
    def page(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """The items each query user rated in the second of their last interaction (mean weights), and how many."""
        rows, cols, sizes = [], [], np.zeros(len(self.last))
        for q, (start, end) in enumerate(zip(self.first, self.last, strict=True)):
            j = end
            while j > start and self.time[j - 1] == self.time[end]:
                j -= 1
            rows.append(np.full(end - j + 1, q))
            cols.append(self.codes.item[j : end + 1])
            sizes[q] = end - j + 1
        shape = (len(self.last), self.items)
        matrix = sp.csr_matrix((np.ones(int(sizes.sum())), (np.concatenate(rows), np.concatenate(cols))), shape=shape)
        return sp.diags(1.0 / sizes) @ matrix, sizes

    def user_features(self, at: np.ndarray) -> dict[str, np.ndarray]:
        """History length, the gap to the request and between the last two, the last page, ratings."""
        previous = np.where(self.last > self.first, self.time[np.maximum(self.last - 1, 0)], self.time[self.last])
        ratings = self.codes.rating
        return {
            "u_len": np.log1p(self.last - self.first + 1),
            "u_gap_now": np.log1p(np.maximum(at - self.time[self.last], 0)),
            "u_gap_prev": np.log1p(np.maximum(self.time[self.last] - previous, 0)),
            "u_page": np.log1p(self.page[1]),
            "u_mean_rating": np.array([ratings[a : b + 1].mean() for a, b in zip(self.first, self.last, strict=True)]),
            "u_last_rating": ratings[self.last],
        }


def _item_item(codes: _Codes, history: _History, n: int, default: np.ndarray) -> dict[str, np.ndarray]:
    """Query users x items scores of the other item-item components."""
    seen = sp.csr_matrix((np.ones(len(codes.user)), (codes.user, codes.item)), shape=(codes.user.max() + 1, n))
    seen.data[:] = 1.0
    gram = (seen.T @ seen).toarray()
    ease = ease_weights(gram.copy(), 500.0)
    plain = np.asarray(seen[codes.user[history.last]] @ ease)  # the query users' rows
    plain_rank = np.argsort(np.argsort(-np.where(np.isfinite(default), plain, -np.inf), axis=1, kind="stable"), axis=1)
    norms = np.sqrt(np.diag(gram))
    cosine = gram / (np.outer(norms, norms) + 10.0)
    np.fill_diagonal(cosine, 0.0)
    same = codes.user[1:] == codes.user[:-1]
    follows = sp.coo_matrix((np.ones(int(same.sum())), (codes.item[:-1][same], codes.item[1:][same])), shape=(n, n))
    follows_dense = follows.toarray()
    forward, same_second = _row_normalised(follows_dense), _together(codes, n, 0.0)
    last, recent = history.context(1), history.context(5, 0.5)
    return {
        "ease_plain": plain,
        "ease_plain_rank": np.log1p(plain_rank),
        "knn1": np.asarray(last @ cosine),
        "knn3": np.asarray(history.context(3) @ cosine),
        "knn10": np.asarray(history.context(10) @ cosine),
        "fwd1": np.asarray(last @ forward),
        "bwd1": np.asarray(last @ _row_normalised(follows_dense.T)),
        "fwd_ctx": np.asarray(recent @ forward),
        "same_sec_last": np.asarray(last @ same_second),
        "same_sec_page": np.asarray(history.page[0] @ same_second),
        "sess10m": np.asarray(recent @ _together(codes, n, 600.0)),
    }


def _together(codes: _Codes, n: int, gap: float) -> np.ndarray:
    """Item x item: how often two items share a user's group of interactions at most `gap` seconds apart."""
    starts = np.r_[True, (codes.user[1:] != codes.user[:-1]) | (codes.time[1:] - codes.time[:-1] > gap)]
    group = np.cumsum(starts) - 1
    member = sp.csr_matrix((np.ones(len(group)), (group, codes.item)), shape=(group[-1] + 1, n))
    member.data[:] = 1.0
    counts = (member.T @ member).toarray()
    np.fill_diagonal(counts, 0.0)
    return _row_normalised(counts)


def _row_normalised(counts: np.ndarray, shrink: float = 5.0) -> np.ndarray:
    return counts / (counts.sum(axis=1, keepdims=True) + shrink)


def _popularity(codes: _Codes, item: np.ndarray, at: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Each candidate's interactions overall and in the 1, 7 and 30 days before the request; its age and mean rating."""
    order = np.lexsort((codes.time, codes.item))
    keys = codes.item[order] * 1e10 + codes.time[order]
    asked = item * 1e10 + at
    before = np.searchsorted(keys, asked)
    windows = {f"pop_{d}d": np.log1p(before - np.searchsorted(keys, asked - d * 86_400.0)) for d in (1, 7, 30)}
    count = np.bincount(codes.item, minlength=n).astype(np.float64)
    first = np.full(n, np.inf)
    np.minimum.at(first, codes.item, codes.time)
    mean = np.bincount(codes.item, weights=codes.rating, minlength=n) / np.maximum(count, 1)
    return windows | {
        "pop_all": np.log1p(count[item]),
        "item_age": np.log1p(np.maximum(at - first[item], 0) / 86_400.0),
        "item_mean_rating": mean[item],
    }


def _genre_cosine(history: _History, cat: Catalogue) -> np.ndarray:
    """Cosine between each candidate's genres and the genres of the user's last ten items."""
    profile = np.asarray(history.context(10) @ cat.genres)
    profile /= np.maximum(np.linalg.norm(profile, axis=1, keepdims=True), 1e-9)
    genres = cat.genres / np.maximum(np.linalg.norm(cat.genres, axis=1, keepdims=True), 1e-9)
    return np.asarray(profile @ genres.T)


def _rank(default: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """0-based rank of each wanted item by the default among unseen items (ties: lower index first)."""
    score = default[np.arange(len(wanted)), wanted][:, None]
    lower = np.arange(default.shape[1]) < wanted[:, None]
    higher = (default > score).sum(axis=1) + ((default == score) & lower).sum(axis=1)
    return np.where(np.isfinite(score[:, 0]), higher, np.inf)


def matrix(fold: Fold, names: list[str]) -> np.ndarray:
    """The fold's features as rows (queries x candidates) and columns `names`."""
    return np.column_stack([fold.features[name] for name in names]).astype(np.float32)


def train_ranker(folds: list[Fold], names: list[str]) -> Any:
    """LightGBM lambdarank on the folds' queries whose target is among the top training candidates."""
    import lightgbm as lgb

    blocks, labels, groups = [], [], []
    for fold in folds:
        queries = len(fold.labels)
        rows = matrix(fold, names).reshape(queries, CANDIDATES, -1)[:, :TRAIN_CANDIDATES]
        hit = fold.labels[:, :TRAIN_CANDIDATES].any(axis=1)
        blocks.append(rows[hit].reshape(-1, len(names)))
        labels.append(fold.labels[hit, :TRAIN_CANDIDATES].ravel())
        groups.append(np.full(int(hit.sum()), TRAIN_CANDIDATES))
    data = lgb.Dataset(np.concatenate(blocks), np.concatenate(labels), group=np.concatenate(groups))
    return lgb.train(RANKER, data, num_boost_round=ROUNDS)


GAPS = np.log1p([60.0, 3600.0, 86_400.0])  # the gap groups' bounds, on u_gap_now's scale


def linear_rows(fold: Fold, names: list[str], scale: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Standardised features, and a copy of them for the user's gap group (< 1 min, < 1 h, < 1 day, more)."""
    x = (matrix(fold, names).astype(np.float64) - scale[0]) / scale[1]
    group = np.searchsorted(GAPS, fold.features["u_gap_now"])
    return np.hstack([x, *(x * (group == g)[:, None] for g in range(len(GAPS) + 1))])


def train_linear(folds: list[Fold], names: list[str], negatives: int = 30, c: float = 1.0) -> tuple[Any, Any]:
    """Pairwise logistic regression (the target minus `negatives` other top training candidates per query);
    the features are scaled by the first fold's mean and spread."""
    from sklearn.linear_model import LogisticRegression

    first = matrix(folds[0], names).astype(np.float64)
    scale = (first.mean(axis=0), first.std(axis=0) + 1e-9)
    rng, differences = np.random.default_rng(0), []
    for fold in folds:
        queries = len(fold.labels)
        x = linear_rows(fold, names, scale).reshape(queries, CANDIDATES, -1)[:, :TRAIN_CANDIDATES]
        labels = fold.labels[:, :TRAIN_CANDIDATES]
        for user in np.flatnonzero(labels.any(axis=1)):
            target = int(np.argmax(labels[user]))
            others = rng.choice(np.delete(np.arange(TRAIN_CANDIDATES), target), negatives, replace=False)
            differences.append(x[user, target] - x[user, others])
    pairs = np.concatenate(differences)
    x, y = np.vstack([pairs, -pairs]), np.r_[np.ones(len(pairs)), np.zeros(len(pairs))]
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=300).fit(x, y)
    return model.coef_.ravel(), scale


def per_user(fold: Fold, scores: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """NDCG@10 and HR@10 of each user: re-ranked by `scores`, or the default's order when None."""
    if scores is None:
        position = fold.default_rank
    else:
        order = np.argsort(-scores.reshape(fold.labels.shape), axis=1, kind="stable")
        ranked = np.take_along_axis(fold.labels, order, axis=1)
        position = np.where(ranked.any(axis=1), np.argmax(ranked, axis=1), np.inf)
    hit = position < 10
    return np.where(hit, 1 / np.log2(np.where(hit, position, 0) + 2), 0.0), hit.astype(np.float64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--ml100k", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"
    )
    args = parser.parse_args()
    if importlib.util.find_spec("lightgbm") is None:
        raise SystemExit("needs lightgbm, not a footfall dependency: .venv/bin/python -m pip install lightgbm")
    if not (args.ml100k / "u.item").is_file():
        raise SystemExit(f"{args.ml100k}: no MovieLens-100K folder here (u.data, u.item); pass --ml100k DIR")
    events = read_movielens(args.ml100k).events
    cat = catalogue(events, args.ml100k)
    start = time.perf_counter()
    params = tune(STAGE1, events).params
    print(f"stage 1: {STAGE1} {params} (tuned on the validation split, {time.perf_counter() - start:.0f} s)")
    splits = prefix_folds(events, max(FOLDS))
    start = time.perf_counter()
    training = [build_fold(*splits[k - 1], cat, params) for k in FOLDS]
    built = time.perf_counter() - start
    test = build_fold(*splits[0], cat, params)
    assert sorted(FEATURES) == sorted(test.features)
    variants = {"re-ranked": FEATURES, "re-ranked, without u.item": [f for f in FEATURES if f not in METADATA]}
    ndcg, hr = per_user(test, None)
    scored = {"default (stage 1)": (ndcg, hr, None)}
    for label, names in variants.items():
        start = time.perf_counter()
        ranker = train_ranker(training, names)
        scored[label] = (*per_user(test, ranker.predict(matrix(test, names))), time.perf_counter() - start)
    names = variants["re-ranked, without u.item"]
    start = time.perf_counter()
    weights, scale = train_linear(training, names)
    scored["linear, without u.item"] = (
        *per_user(test, linear_rows(test, names, scale) @ weights),
        time.perf_counter() - start,
    )
    rows = [
        [label, f"{got.mean():.4f}", f"{gain.mean():.4f}", f"[{interval(gain)}]"]
        + (
            ["", ""]
            if seconds is None
            else [f"{(gain - ndcg).mean():+.4f} [{interval(gain - ndcg)}]", f"{seconds:.1f}"]
        )
        for label, (gain, got, seconds) in scored.items()
    ]
    header = ["model", "HR@10", "NDCG@10", "95% interval", "NDCG@10 - default", "ranker s"]
    print(table(f"ML-100K leave-last-out, {len(test.labels)} users", header, rows))
    print(f"features: {len(FEATURES)}; {len(FOLDS)} prefix folds built in {built:.1f} s; candidates {CANDIDATES}")
    print(f"held-out item among the candidates: {test.labels.any(axis=1).mean():.4f}")
    users = pl.DataFrame({"gap_seconds": test.gap} | {label: gain for label, (gain, _, _) in scored.items()})
    gaps = [[g, f["users"], *(f"{f[m]:.4f}" for m in scored)] for g, f in by_gap(users, list(scored)).items()]
    print(table("NDCG@10 by the gap before the held-out item", ["gap", "users", *scored], gaps))


if __name__ == "__main__":
    main()
