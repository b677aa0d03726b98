"""The prediction candidates behind one interface: fit on customer features, predict for either target.

Targets: `returns` (P(any purchase in the next `horizon_weeks`)) and `purchases` (the expected
number of purchase days then). Candidates: the baselines (`majority` / `zero`), the BTYD models
(`bg-nbd`, `pareto-nbd`, fitted on (frequency, recency, T) without labels), and supervised
models on the features plus the BTYD models' outputs (`logistic`, `poisson`, `gbm`,
`gbm-median`). Supervised models learn from an earlier cut-off's outcomes, so their level is
set from the BTYD forecast at the cut-off they predict from (docs/ml.md#prediction). Saved with
skops (no pickle): loading accepts scikit-learn types only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from scipy.optimize import brentq
from scipy.special import expit, logit

from footfall.errors import InputError
from footfall.ml.artifacts import load_skops, save_skops
from footfall.ml.btyd import BTYD_MODELS, BtydModel, fit_btyd

__all__ = ["CANDIDATES", "TARGETS", "Predictor", "fit_predictor", "load_predictor"]

TARGETS = ("returns", "purchases")
CANDIDATES = {
    "returns": ("majority", "bg-nbd", "pareto-nbd", "logistic", "gbm"),
    "purchases": ("zero", "bg-nbd", "pareto-nbd", "poisson", "gbm", "gbm-median"),
}
SUPERVISED = ("logistic", "poisson", "gbm", "gbm-median")
RFM = ("frequency", "recency", "T")


@dataclass
class Predictor:
    """A fitted candidate for one target, with everything it needs to predict from feature rows."""

    name: str
    target: str
    horizon_weeks: float
    inputs: list[str]
    params: dict[str, Any] = field(default_factory=dict)
    btyd: dict[str, dict[str, float]] = field(default_factory=dict)
    estimator: Any = None
    constant: float = 0.0
    level: float = 0.0
    train_seconds: float = 0.0
    bounds: list[list[float]] = field(default_factory=list)  # the training design's column minima and maxima

    def predict(self, frame: pl.DataFrame) -> np.ndarray:
        """P(return) or expected purchases for each row of `frame` (it holds `inputs`)."""
        if self.name in ("majority", "zero"):
            return np.full(frame.height, self.constant)
        if self.name in BTYD_MODELS:
            model = self._btyd(self.name)
            x, t_x, T = (frame[c].to_numpy().astype(float) for c in RFM)
            if self.target == "returns":
                return np.asarray(model.p_return(self.horizon_weeks, x, t_x, T))
            return np.asarray(model.expected_purchases(self.horizon_weeks, x, t_x, T))
        raw = self._raw(frame)
        if self.target == "returns":
            return np.asarray(expit(logit(np.clip(raw, 1e-6, 1 - 1e-6)) + self.level))
        return np.asarray(raw * np.exp(self.level) if self.name != "gbm-median" else np.maximum(raw, 0.0))

    def _raw(self, frame: pl.DataFrame) -> np.ndarray:
        matrix = design_matrix(frame, self.inputs, {n: self._btyd(n) for n in self.btyd}, self.horizon_weeks)
        if self.bounds:  # no extrapolation beyond what training saw (a log-link model would explode)
            matrix = np.clip(matrix, self.bounds[0], self.bounds[1])
        if self.target == "returns":
            return np.asarray(self.estimator.predict_proba(matrix)[:, 1])
        return np.asarray(self.estimator.predict(matrix))

    def _btyd(self, name: str) -> BtydModel:
        return BTYD_MODELS[name](**self.btyd[name])

    def rebase(self, frame: pl.DataFrame, btyd: dict[str, BtydModel] | None = None) -> Predictor:
        """Make the predictor predict from `frame`'s cut-off: its BTYD models refitted there (`btyd` when
        already fitted; they need no labels), and the mean (returns) or total (purchases) matched to their
        forecast there."""
        x, t_x, T = (frame[c].to_numpy().astype(float) for c in RFM)
        self.btyd = {n: (btyd[n] if btyd else fit_btyd(n, x, t_x, T)).params() for n in self.btyd}
        self.level = 0.0
        if self.name not in SUPERVISED or self.name == "gbm-median":
            return self
        models = [self._btyd(n) for n in self.btyd]
        raw = self._raw(frame)
        if self.target == "returns":
            goal = float(np.mean([m.p_return(self.horizon_weeks, x, t_x, T).mean() for m in models]))
            z = logit(np.clip(raw, 1e-6, 1 - 1e-6))

            def gap(d: float) -> float:
                return float(expit(z + d).mean()) - goal

            # a level exists unless every score is pinned at 0 or 1 (a separable training set): then keep 0
            self.level = float(brentq(gap, -40, 40)) if np.isfinite(goal) and gap(-40) < 0 < gap(40) else 0.0
        else:
            goal = float(np.mean([m.expected_purchases(self.horizon_weeks, x, t_x, T).sum() for m in models]))
            self.level = float(np.log(goal / max(raw.sum(), 1e-9)))
        return self

    def save(self, path: Path) -> None:
        """Write the predictor (skops; no pickle)."""
        save_skops(path, {k: v for k, v in self.__dict__.items() if k != "estimator"}, self.estimator)


def load_predictor(path: Path) -> Predictor:
    """A predictor saved by `Predictor.save`; types outside scikit-learn and NumPy are refused."""
    meta, estimator = load_skops(path)
    return Predictor(**meta, estimator=estimator)


def design_matrix(
    frame: pl.DataFrame, inputs: list[str], btyd: dict[str, BtydModel], horizon_weeks: float
) -> np.ndarray:
    """The features (log1p of the non-negative ones) beside each BTYD model's P(alive), P(return), E[purchases]."""
    columns = [
        np.log1p(np.maximum(frame[c].to_numpy().astype(float), 0.0))
        if c != "trend"
        else frame[c].to_numpy().astype(float)
        for c in inputs
    ]
    x, t_x, T = (frame[c].to_numpy().astype(float) for c in RFM)
    for model in btyd.values():
        columns += [
            model.p_alive(x, t_x, T),
            model.p_return(horizon_weeks, x, t_x, T),
            np.log1p(model.expected_purchases(horizon_weeks, x, t_x, T)),
        ]
    return np.column_stack(columns)


def make_estimator(name: str, target: str, params: dict[str, Any], seed: int) -> Any:
    """A fresh scikit-learn estimator for a supervised candidate."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, PoissonRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if name == "logistic":
        return make_pipeline(
            StandardScaler(), LogisticRegression(C=params.get("C", 1.0), solver="newton-cholesky", max_iter=200)
        )
    if name == "poisson":
        return make_pipeline(
            StandardScaler(), PoissonRegressor(alpha=params.get("alpha", 1e-4), solver="newton-cholesky", max_iter=300)
        )
    gbm = {
        k: params[k]
        for k in ("learning_rate", "max_iter", "max_leaf_nodes", "min_samples_leaf", "l2_regularization")
        if k in params
    }
    if target == "returns":
        return HistGradientBoostingClassifier(random_state=seed, early_stopping=False, **gbm)
    loss = "absolute_error" if name == "gbm-median" else "poisson"
    return HistGradientBoostingRegressor(loss=loss, random_state=seed, early_stopping=False, **gbm)


def fit_predictor(
    name: str,
    target: str,
    *,
    train: pl.DataFrame,
    labels: np.ndarray,
    inputs: list[str],
    horizon_weeks: float,
    params: dict[str, Any] | None = None,
    seed: int = 0,
    btyd: dict[str, BtydModel] | None = None,
) -> Predictor:
    """Fit candidate `name` for `target` on `train` (features at one cut-off) and its `labels` (purchases after it).

    `btyd`: the BTYD models already fitted at that cut-off (they need no labels), else fitted on `train`."""
    if name not in CANDIDATES[target]:
        raise InputError(f"unknown model {name!r} for target {target}: use {', '.join(CANDIDATES[target])}")
    start = time.perf_counter()
    params = dict(params or {})
    predictor = Predictor(name, target, horizon_weeks, list(inputs), params)
    y = (labels > 0).astype(float) if target == "returns" else labels.astype(float)
    x, t_x, T = (train[c].to_numpy().astype(float) for c in RFM)
    if name in ("majority", "zero"):
        predictor.constant = float(y.mean()) if name == "majority" else float(np.median(y))
    elif name in BTYD_MODELS:
        predictor.btyd = {name: (btyd[name] if btyd else fit_btyd(name, x, t_x, T)).params()}
    else:
        fitted = btyd or {n: fit_btyd(n, x, t_x, T) for n in BTYD_MODELS}
        predictor.btyd = {n: m.params() for n, m in fitted.items()}
        predictor.estimator = make_estimator(name, target, params, seed)
        matrix = design_matrix(train, list(inputs), fitted, horizon_weeks)
        predictor.bounds = [matrix.min(axis=0).tolist(), matrix.max(axis=0).tolist()]
        predictor.estimator.fit(matrix, y)
    predictor.train_seconds = time.perf_counter() - start
    return predictor
