"""Recommender models by name: the registry `make_model` and `load_model` read, and the simpler models.

The interface and the EASE family live in `_base`, the sequence-aware models in `sequence`;
this module re-exports them, so `footfall.recsys.models` is the one place to import from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from footfall.errors import InputError
from footfall.recsys._base import Ease, ItemItem, Model, RecencyEase, Recommendation, top_n
from footfall.recsys.rerank import SequenceRank
from footfall.recsys.sequence import SequenceEase

__all__ = [
    "DEFAULT_MODEL",
    "MODELS",
    "Als",
    "Ease",
    "ItemKnn",
    "Model",
    "Popularity",
    "RecencyEase",
    "Recommendation",
    "SequenceEase",
    "SequenceRank",
    "load_model",
    "make_model",
    "top_n",
]


class Popularity(Model):
    """The most interacted-with items first (the baseline)."""

    name: ClassVar[str] = "popularity"


@dataclass
class ItemKnn(ItemItem):
    """Item-based k-nearest neighbours: cosine similarity between item columns, the `k` closest kept per item."""

    name: ClassVar[str] = "item-knn"
    defaults: ClassVar[dict[str, float]] = {"k": 100, "shrink": 10.0}

    def _fit(self, matrix: sp.csr_matrix) -> None:
        co = (matrix.T @ matrix).toarray()
        norms = np.sqrt(np.diag(co))
        sim = co / (np.outer(norms, norms) + float(self.params["shrink"]))
        np.fill_diagonal(sim, 0.0)
        k = min(int(self.params["k"]), sim.shape[0])
        if 0 < k < sim.shape[0]:  # keep each item's k most similar items (columns)
            cut = np.partition(sim, -k, axis=0)[-k]
            sim[sim < cut] = 0.0
        self.weights = sim.astype(np.float32)


@dataclass
class Als(Model):
    """Implicit-feedback ALS (Hu, Koren, Volinsky 2008) by the `implicit` library's conjugate-gradient solver."""

    name: ClassVar[str] = "als"
    user_factors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    item_factors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    defaults: ClassVar[dict[str, float]] = {
        "factors": 64,
        "regularization": 0.05,
        "alpha": 2.0,
        "iterations": 15,
        "seed": 0,
    }

    def _fit(self, matrix: sp.csr_matrix) -> None:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        p = self.params
        with threadpool_limits(1, "blas"):  # implicit warns (and slows) with threaded BLAS
            als = AlternatingLeastSquares(
                factors=int(p["factors"]),
                regularization=float(p["regularization"]),
                alpha=float(p["alpha"]),
                iterations=int(p["iterations"]),
                random_state=int(p["seed"]),
            )
            als.fit(matrix.astype(np.float32), show_progress=False)
        self.user_factors, self.item_factors = np.asarray(als.user_factors), np.asarray(als.item_factors)

    def score_users(self, rows: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        return np.asarray(self.user_factors[rows] @ self.item_factors.T, dtype=np.float64)

    def _arrays(self) -> dict[str, np.ndarray]:
        return {"user_factors": self.user_factors, "item_factors": self.item_factors}

    def _restore(self, arrays: Any) -> None:
        self.user_factors, self.item_factors = arrays["user_factors"], arrays["item_factors"]


MODELS: dict[str, type[Model]] = {
    "popularity": Popularity,
    "item-knn": ItemKnn,
    "ease": Ease,
    "recency-ease": RecencyEase,
    "sequence-ease": SequenceEase,
    "sequence-rank": SequenceRank,
    "als": Als,
}
DEFAULT_MODEL = "sequence-rank"  # chosen by benchmarks/recsys.py on ML-100K: next-session first, then leave-last-out


def make_model(name: str, params: dict[str, Any] | None = None) -> Model:
    """A new model by name (`default` is the product's default model)."""
    key = DEFAULT_MODEL if name == "default" else name
    if key not in MODELS:
        raise InputError(f"unknown model {name!r}: use one of default, {', '.join(MODELS)}")
    return MODELS[key](params=dict(params or {}))


def load_model(path: Path) -> Model:
    """A model saved with `Model.save`; a one-line error when the file is not one."""
    try:
        with np.load(path, allow_pickle=False) as arrays:
            meta = json.loads(str(arrays["meta"]))
            model = make_model(meta["name"], meta["params"])
            model.users = arrays["users"].astype(object)
            model.items = arrays["items"].astype(object)
            model.popularity = arrays["popularity"]
            indices = arrays["seen_indices"]
            model.seen = sp.csr_matrix(
                (np.ones(len(indices)), indices, arrays["seen_indptr"]), shape=(len(model.users), len(model.items))
            )
            model.age = arrays["age"] if "age" in arrays.files else np.zeros(len(indices), dtype=np.float32)
            model.train_seconds = meta["train_seconds"]
            model._restore(arrays)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: not a footfall model ({exc})") from None
    return model
