"""`sequence-rank`: the default's best candidates re-ordered by a learned ranker (LightGBM lambdarank).

Stage 1 is `sequence-ease`. Its `candidates` best unseen items per user are re-ordered by a small
LightGBM lambdarank model over `FEATURES` of each (user, candidate) pair (`rank_features`); items
after the candidates keep stage 1's order below them.

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
from typing import Any, ClassVar

import numpy as np
import polars as pl
import scipy.sparse as sp

from footfall.errors import InputError
from footfall.recsys._base import Model, ease_weights
from footfall.recsys._base import gram as gram_matrix
from footfall.recsys.rank_features import History, features, histories, ordered
from footfall.recsys.sequence import SequenceEase
from footfall.recsys.trees import Trees

__all__ = ["SequenceRank"]

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
    history: History | None = None
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
    ) -> tuple[SequenceEase, History]:
        """The served stage 1 on all `events` (with fold 1's weights when `given`) and the histories' features."""
        final = _Stage1(params=self._stage1_params(), given=given).fit(events)
        assert isinstance(final, _Stage1)
        history = histories(*ordered(events, final.users, final.items), final.gram)
        final.gram = np.zeros((0, 0), dtype=np.float32)
        return final, history

    def _stage1_params(self) -> dict[str, Any]:
        return {k: self.params[k] for k in STAGE1}

    def _block(
        self, stage1: _Stage1, fit: pl.DataFrame, target: pl.DataFrame, most: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One fold's training rows: (features, labels, query sizes) of the targets found among the candidates."""
        history = histories(*ordered(fit, stage1.users, stage1.items), stage1.gram)
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
        cand, x = features(stage1, history, rows, at, _masked(stage1, rows, at), k)
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
        cand, x = features(self.stage1, self.history, rows, when, masked, k)
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
        self.history = histories(arrays["h_user"], arrays["h_item"], arrays["h_time"], arrays["h_weight"], gram)
        text = str(arrays["ranker"])
        self.ranker = Trees.parse(text) if text else None


def _masked(stage1: SequenceEase, rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Stage 1's scores with the items each user has seen at -inf."""
    scores = stage1.score_users(rows, at)
    scores[stage1.seen[rows].nonzero()] = -np.inf
    return scores
