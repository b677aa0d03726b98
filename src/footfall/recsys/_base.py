"""The model interface and the EASE family: what every recommender shares (ids, the seen matrix, top-n).

Interactions are implicit: every (user, item) pair seen is a 1 in the user-item matrix,
whatever the rating. A user the model has not seen gets the popularity list, flagged
`cold_start`. Artifacts are a `.npz` of arrays plus the ids (no pickle). `models` names the
models and re-exports this module's public names.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import polars as pl
import scipy.sparse as sp

from footfall.errors import InputError

__all__ = ["Ease", "ItemItem", "Model", "RecencyEase", "Recommendation", "ease_weights", "gram", "top_n"]


@dataclass(frozen=True)
class Recommendation:
    """The top items for a user, best first; `cold_start` when the user was unknown to the model."""

    user_id: str
    items: list[str]
    scores: list[float]
    cold_start: bool


@dataclass
class Model:
    """Shared machinery: id maps, the training matrix, popularity, top-n with seen items excluded."""

    name: ClassVar[str] = "model"
    defaults: ClassVar[dict[str, float]] = {}  # every parameter the model takes, with its default
    params: dict[str, Any] = field(default_factory=dict)
    users: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    items: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    seen: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0)))
    age: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    popularity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    train_seconds: float = 0.0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.params) - set(self.defaults))
        if unknown:
            known = ", ".join(self.defaults) or "none"
            raise InputError(
                f"unknown parameter {unknown[0]!r} for model {self.name}: it takes {known}", param="params"
            )
        self.params = self.defaults | self.params

    def fit(self, events: pl.DataFrame) -> Model:
        """Learn from `user_id, item_id[, ts]` interactions."""
        start = time.perf_counter()
        pairs = _pairs(events)
        users, items = (pairs[c].unique().sort().to_frame().with_row_index("_i") for c in ("user_id", "item_id"))
        self.users = np.array(users["user_id"].to_list(), dtype=object)
        self.items = np.array(items["item_id"].to_list(), dtype=object)
        coded = pairs.join(users, on="user_id").join(items, on="item_id", suffix="_item")  # ids → row, column
        pairs, rows, cols = coded, coded["_i"].to_numpy().astype(np.int64), coded["_i_item"].to_numpy().astype(np.int64)
        order = np.lexsort((cols, rows))  # by user, then item: the matrix's entries in this order
        rows, cols = rows[order], cols[order]
        self.seen = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(self.users), len(self.items)))
        self.age = pairs["age"].to_numpy()[order].astype(np.float32)
        self.popularity = np.asarray(self.seen.sum(axis=0)).ravel()
        self._fit(self.seen)
        self._fit_order(events)
        self.train_seconds = time.perf_counter() - start
        return self

    def _fit(self, matrix: sp.csr_matrix) -> None:
        """Learn the model's own parameters from the binary user-item matrix."""

    def _fit_order(self, events: pl.DataFrame) -> None:
        """Learn from the order of each user's interactions (sequence-aware models; called after `_fit`)."""

    def score_users(self, rows: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        """Scores of every item for the users at `rows` (dense, users × items). `at`: each row's request
        instant in seconds since the epoch (None: the training data's last instant), for the models that
        use how long a user has been away."""
        return np.tile(self.popularity, (len(rows), 1)).astype(np.float64)

    def prepare(self) -> Model:
        """Build now what scoring would otherwise build in its first call (a server does this before it answers)."""
        return self

    def recommend(
        self, user_id: str, n: int = 10, *, exclude_seen: bool = True, at: datetime | None = None
    ) -> Recommendation:
        """The `n` best items for `user_id` asked at `at` (unknown users: the most popular, flagged cold start)."""
        if not 1 <= n <= 1000:
            raise InputError(f"bad n {n}: ask for 1 to 1000 items")
        row = np.searchsorted(self.users, user_id)
        known = row < len(self.users) and self.users[row] == user_id
        when = None if at is None else np.array([at.timestamp()])
        scores = self.score_users(np.array([row]), when)[0] if known else self.popularity.astype(np.float64)
        if known and exclude_seen:
            scores = scores.copy()
            scores[self.seen[row].indices] = -np.inf
        top = top_n(scores, n)
        top = top[np.isfinite(scores[top])]
        return Recommendation(user_id, self.items[top].tolist(), scores[top].tolist(), cold_start=not known)

    def save(self, path: Path) -> None:
        """Write the model to `path` (`.npz`)."""
        arrays = {"users": self.users.astype(str), "items": self.items.astype(str), "popularity": self.popularity}
        arrays |= {"seen_indptr": self.seen.indptr, "seen_indices": self.seen.indices, "age": self.age}
        meta = {"name": self.name, "params": self.params, "train_seconds": self.train_seconds}
        arrays |= {"meta": np.array(json.dumps(meta)), **self._arrays()}
        np.savez(path, allow_pickle=False, **arrays)

    def _arrays(self) -> dict[str, np.ndarray]:
        return {}

    def _restore(self, arrays: Any) -> None:
        """Set the model's own parameters from a loaded `.npz`."""


@dataclass
class ItemItem(Model):
    """Scores = the user's row × an item-item weight matrix (kept as float32: half the memory traffic)."""

    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    history: sp.csr_matrix | None = None  # the users' rows as scored (float32), built once after fit or load
    heavy: dict[int, np.ndarray] = field(default_factory=dict)  # the scores of users with many items, precomputed

    HEAVY_ITEMS: ClassVar[int] = 500  # a row this long costs milliseconds to score: answer it from `heavy`

    def prepare(self) -> Model:
        if self.history is None:
            self.history = self._history()
            many = np.flatnonzero(np.diff(self.history.indptr) >= self.HEAVY_ITEMS)
            self.heavy = dict(zip(many.tolist(), self._scores(many), strict=True))
        return self

    def score_users(self, rows: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        self.prepare()
        if len(rows) == 1 and int(rows[0]) in self.heavy:  # one user, as a server asks: keeps p99 low
            return self.heavy[int(rows[0])][np.newaxis, :].astype(np.float64)
        return self._scores(rows).astype(np.float64)

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        """The users' history rows times the weights (float32); a large batch in one thread per core."""
        assert self.history is not None
        history = self.history[rows]
        if len(rows) < 256:
            return np.asarray(history @ self.weights)
        parts = np.array_split(np.arange(len(rows)), min(os.cpu_count() or 1, 4))
        with ThreadPoolExecutor(len(parts)) as pool:  # scipy's sparse product releases the GIL
            return np.vstack(list(pool.map(lambda part: np.asarray(history[part] @ self.weights), parts)))

    def _history(self) -> sp.csr_matrix:
        """What a user's row counts in the scores: 1 per item seen."""
        return self.seen.astype(np.float32)

    def fit(self, events: pl.DataFrame) -> Model:
        self.history = None
        return super().fit(events)

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights}

    def _restore(self, arrays: Any) -> None:
        self.weights = arrays["weights"]


@dataclass
class Ease(ItemItem):
    """EASE^R (Steck 2019): item-item weights in closed form, B = I - P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹."""

    name: ClassVar[str] = "ease"
    defaults: ClassVar[dict[str, float]] = {"l2": 500.0}

    def _fit(self, matrix: sp.csr_matrix) -> None:
        self.weights = ease_weights(gram(matrix).astype(np.float64), float(self.params["l2"])).astype(np.float32)


@dataclass
class RecencyEase(Ease):
    """EASE^R weights applied to a recency-weighted history: an item seen `a` seconds before the user's
    last interaction counts `floor + exp(-a / tau)` instead of 1.

    Users rate and buy in batches; what they did last says most about what they do next.
    """

    name: ClassVar[str] = "recency-ease"
    defaults: ClassVar[dict[str, float]] = {"l2": 500.0, "tau": 60.0, "floor": 0.01}

    def _history(self) -> sp.csr_matrix:
        """What a user's row counts in the scores: `floor + exp(-age / tau)` per item seen."""
        history = self.seen.astype(np.float32)  # `age` is aligned with the matrix's entries
        history.data = np.float32(self.params["floor"]) + np.exp(
            -self.age.astype(np.float32) / np.float32(self.params["tau"])
        )
        return history


def gram(matrix: sp.csr_matrix) -> np.ndarray:
    """XᵀX of a binary user-item matrix as a dense float32 matrix (counts are exact below 2^24)."""
    binary = matrix.astype(np.float32)
    return np.asarray((binary.T @ binary).toarray())


def ease_weights(gram: np.ndarray, l2: float) -> np.ndarray:
    """EASE^R's item-item weights from the Gram matrix XᵀX, which this consumes (its diagonal is raised by `l2`)."""
    gram[np.diag_indices_from(gram)] += l2
    inverse = np.linalg.inv(gram)
    weights: np.ndarray = inverse
    weights /= -np.diag(inverse)  # in place: the same numbers as -inverse / diag, without a copy
    weights[np.diag_indices_from(weights)] = 0.0
    return weights


def _pairs(events: pl.DataFrame) -> pl.DataFrame:
    """Distinct `user_id, item_id` with `age`: seconds from the pair's latest instant to the user's last."""
    if "ts" not in events.columns:
        return events.select("user_id", "item_id").unique().with_columns(age=pl.lit(0.0))
    latest = events.group_by("user_id", "item_id").agg(pl.col("ts").max())
    age = (pl.col("ts").max().over("user_id") - pl.col("ts")).dt.total_microseconds() * 1e-6
    return latest.select("user_id", "item_id", age=age)


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the `n` highest scores, best first (ties: lower index first)."""
    n = min(n, len(scores))
    if n == 0:
        return np.array([], dtype=np.int64)
    kth = -np.partition(-scores, n - 1)[n - 1]  # the n-th best score
    candidates = np.flatnonzero(scores >= kth)  # all ties at the boundary, so the lower index wins
    return candidates[np.lexsort((candidates, -scores[candidates]))][:n]
