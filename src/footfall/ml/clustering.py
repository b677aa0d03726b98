"""k-means and Gaussian-mixture candidates on standardised features, their silhouette and bootstrap stability.

scikit-learn is imported at the top: threadpoolctl limits only the thread pools of libraries
already loaded, so the callers' one-thread limit must come after this import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture

if TYPE_CHECKING:
    from footfall.ml.segmentation import SegmentParams

__all__ = ["Clusterer", "choose", "matrix", "stability"]


@dataclass
class Clusterer:
    """A fitted clustering: the scaling, the estimator, the labels of the rows it was fitted on."""

    method: str
    k: int
    mean: np.ndarray
    scale: np.ndarray
    estimator: Any
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    silhouette: float = float("nan")

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The cluster of each row of raw (transformed, unscaled) features."""
        return np.asarray(self.estimator.predict((X - self.mean) / self.scale))


def matrix(frame: pl.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """log(1 + x) of each column (negative values are clipped to 0)."""
    return np.column_stack([np.log1p(np.maximum(frame[c].to_numpy().astype(float), 0.0)) for c in columns])


def fit_clusterer(X: np.ndarray, method: str, k: int, seed: int) -> Clusterer:
    """Fit `method` with `k` clusters on standardised `X`."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    Z = (X - mean) / scale
    if method == "kmeans":
        estimator: Any = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(Z)
    else:
        estimator = GaussianMixture(n_components=k, covariance_type="full", random_state=seed, reg_covar=1e-4).fit(Z)
    return Clusterer(method, k, mean, scale, estimator, np.asarray(estimator.predict(Z)))


def silhouette(X: np.ndarray, clusterer: Clusterer, *, sample: int, seed: int) -> float:
    """The silhouette of the clusterer's labels on a seeded sample of rows (standardised space)."""
    if len(set(clusterer.labels.tolist())) < 2:
        return -1.0
    rows = np.random.default_rng(seed).choice(len(X), min(sample, len(X)), replace=False)
    Z = (X[rows] - clusterer.mean) / clusterer.scale
    labels = clusterer.labels[rows]
    return float(silhouette_score(Z, labels)) if len(set(labels.tolist())) > 1 else -1.0


def stability(X: np.ndarray, clusterer: Clusterer, *, rounds: int, seed: int) -> float:
    """Mean adjusted Rand index between the full fit's labels and refits on `rounds` bootstrap samples."""
    rng = np.random.default_rng(seed + 1)
    scores = []
    for i in range(rounds):
        rows = rng.integers(0, len(X), len(X))
        refit = fit_clusterer(X[rows], clusterer.method, clusterer.k, seed + 1 + i)
        scores.append(adjusted_rand_score(clusterer.labels, refit.predict(X)))
    return float(np.mean(scores))


def choose(X: np.ndarray, ks: list[int], params: SegmentParams) -> tuple[Clusterer, list[dict[str, Any]]]:
    """Every (method, k) candidate's figures, and the chosen one (module docstring of `segmentation`)."""
    fitted, rows = [], []
    for method in params.methods:
        for k in ks:
            c = fit_clusterer(X, method, k, params.seed)
            c.silhouette = silhouette(X, c, sample=params.silhouette_sample, seed=params.seed)
            ari = stability(X, c, rounds=params.search_rounds, seed=params.seed) if len(ks) > 1 else float("nan")
            fitted.append((c, ari))
            rows.append({"method": method, "k": k, "silhouette": c.silhouette, "stability_ari": ari})
    if len(ks) == 1:
        return max(fitted, key=lambda f: f[0].silhouette)[0], rows
    good = [f for f in fitted if f[1] >= params.min_stability and f[0].silhouette >= params.min_silhouette]
    pool = good or fitted
    return max(pool, key=lambda f: (f[0].k if good else 0, f[0].silhouette))[0], rows
