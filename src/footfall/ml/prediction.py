"""Who comes back, and how often: the prediction protocol on a calibration / holdout split (docs/ml.md#prediction).

With horizon H = holdout_end − calibration_end, supervised candidates learn from the features at
the *origin* calibration_end − H and the purchases in (origin, calibration_end]: every label lies
inside the calibration window. Model selection and tuning use k-fold cross-validation over the
customers at that origin (features before labels, the holdout never seen). The chosen recipe
then predicts from the features at calibration_end, and the holdout (calibration_end,
holdout_end] scores every candidate once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from footfall.ml.btyd import BTYD_MODELS, BtydModel, fit_btyd
from footfall.ml.evaluation import calibration_curve, classification_figures, count_figures
from footfall.ml.features import FeatureParams, customer_features, holdout_targets
from footfall.ml.models import CANDIDATES, SUPERVISED, TARGETS, Predictor, fit_predictor
from footfall.ml.scoring import ModelScore, score_predictor
from footfall.ml.splits import check_classes, check_split
from footfall.ml.threads import one_thread
from footfall.ml.tuning import DEFAULTS, tune

__all__ = ["ModelScore", "PredictParams", "PredictionRun", "check_split", "run_prediction"]

Engagement = Callable[[date], pl.DataFrame]


@dataclass(frozen=True, kw_only=True)
class PredictParams:
    """The split, how hard to look (`tune`: the fixed, seeded Optuna budget per candidate) and whom to score
    (`active_days`: the customers with a purchase in that many days up to each cut-off; None: everyone)."""

    calibration_end: date
    holdout_end: date
    tune: bool = False
    folds: int = 3
    seed: int = 0
    bootstrap_rounds: int = 200
    features: FeatureParams = field(default_factory=FeatureParams)
    active_days: int | None = None  # only customers with a purchase in the last `active_days` days at each cut-off

    @property
    def horizon(self) -> timedelta:
        return self.holdout_end - self.calibration_end

    @property
    def origin(self) -> date:
        """The cut-off whose next H days (inside the calibration window) label the training rows."""
        return self.calibration_end - self.horizon


@dataclass(frozen=True)
class PredictionRun:
    """Every candidate's scores, the chosen one per target, its fitted predictor and the holdout facts."""

    models: list[ModelScore]
    best: dict[str, str]
    predictors: dict[str, Predictor]
    calibration: list[dict[str, float]]
    customers: int
    returners: int
    majority_accuracy: float
    holdout: pl.DataFrame  # customer_id, features, returned, purchases, and each target's chosen prediction


def run_prediction(
    transactions: pl.DataFrame, *, params: PredictParams, engagement: Engagement | None = None
) -> PredictionRun:
    """Score every candidate of both targets on the holdout; choose per target by cross-validation at the origin."""
    check_split(transactions, params.calibration_end, params.holdout_end)
    with one_thread():
        return _run(transactions, params, engagement)


def _run(transactions: pl.DataFrame, params: PredictParams, engagement: Engagement | None) -> PredictionRun:
    train = _dataset(transactions, params.origin, params.calibration_end, params, engagement)
    check_classes(train, origin=params.origin, calibration_end=params.calibration_end, folds=params.folds)
    test = _dataset(transactions, params.calibration_end, params.holdout_end, params, engagement)
    origin = _Origin.of(train, params)
    at_end = _btyd_at(test)
    scores, best, predictors, predictions = [], {}, {}, {}
    for target in TARGETS:
        found: list[tuple[ModelScore, Predictor, np.ndarray]] = []
        for name in CANDIDATES[target]:
            recipe = _recipe(name, target, origin, params)
            cv = _cv_score(name, target, origin, params, recipe)
            fitted = origin.fit(name, target, recipe, seed=params.seed)
            fitted.rebase(test, at_end)
            if name in BTYD_MODELS:
                fitted.train_seconds = _FIT_SECONDS[name]  # its fit at calibration_end
            found.append((*score_predictor(fitted, test, cv, rounds=params.bootstrap_rounds, seed=params.seed),))
        chosen = min(found, key=lambda f: f[0].cv_score)
        best[target], predictors[target] = chosen[0].model, chosen[1]
        predictions[target] = chosen[2]
        scores += [f[0] for f in found]
    y = test["purchases"].to_numpy()
    holdout = test.with_columns(
        returned=pl.Series(y > 0),
        p_return=pl.Series(predictions["returns"]),
        expected_purchases=pl.Series(predictions["purchases"]),
    )
    return PredictionRun(
        scores,
        best,
        predictors,
        calibration_curve((y > 0).astype(float), predictions["returns"]),
        test.height,
        int((y > 0).sum()),
        float(max((y > 0).mean(), 1 - (y > 0).mean())),
        holdout,
    )


def score_recipe(
    transactions: pl.DataFrame,
    *,
    params: PredictParams,
    target: str,
    model: str,
    recipe: dict[str, Any],
    engagement: Engagement | None = None,
) -> ModelScore:
    """One recipe (model and parameters) trained and scored on the split as `run_prediction` does (for promotion)."""
    check_split(transactions, params.calibration_end, params.holdout_end)
    with one_thread():
        train = _dataset(transactions, params.origin, params.calibration_end, params, engagement)
        test = _dataset(transactions, params.calibration_end, params.holdout_end, params, engagement)
        fitted = _Origin.of(train, params).fit(model, target, recipe, seed=params.seed)
        fitted.rebase(test, _btyd_at(test))
        score: ModelScore = score_predictor(fitted, test, float("nan"), rounds=0, seed=params.seed)[0]
        return score


@dataclass(frozen=True)
class _Origin:
    """The training rows at the origin, their feature columns, the horizon in weeks and the BTYD fits there."""

    train: pl.DataFrame
    inputs: list[str]
    weeks: float
    btyd: dict[str, BtydModel]

    @classmethod
    def of(cls, train: pl.DataFrame, params: PredictParams) -> _Origin:
        inputs = [c for c in train.columns if c not in ("customer_id", "purchases", "spend")]
        return cls(train, inputs, params.horizon.days / 7.0, _btyd_at(train))

    def fit(
        self, name: str, target: str, recipe: dict[str, Any], *, seed: int, rows: np.ndarray | None = None
    ) -> Predictor:
        """Candidate `name` for `target` fitted on the training rows (or the positions `rows` of them)."""
        train = self.train if rows is None else self.train[rows]
        return fit_predictor(
            name,
            target,
            train=train,
            labels=train["purchases"].to_numpy(),
            inputs=self.inputs,
            horizon_weeks=self.weeks,
            params=recipe,
            seed=seed,
            btyd=self.btyd,
        )


def _btyd_at(frame: pl.DataFrame) -> dict[str, BtydModel]:
    """Both BTYD models fitted on the customers of one cut-off (they use no labels), with their fit seconds."""
    x, t_x, T = (frame[c].to_numpy().astype(float) for c in ("frequency", "recency", "T"))
    fitted = {}
    for name in BTYD_MODELS:
        start = time.perf_counter()
        fitted[name] = fit_btyd(name, x, t_x, T)
        _FIT_SECONDS[name] = time.perf_counter() - start
    return fitted


_FIT_SECONDS: dict[str, float] = {}


def _dataset(
    tx: pl.DataFrame, cut: date, end: date, params: PredictParams, engagement: Engagement | None
) -> pl.DataFrame:
    """Features at `cut` (with engagement when given) and the purchases in (cut, end], 0 for none; only the
    customers active in the `active_days` up to `cut` when that is set."""
    features = customer_features(tx, until=cut, params=params.features)
    if params.active_days is not None:
        features = features.filter((pl.col("weeks_since_last") * 7).round() < params.active_days)  # whole days
    if engagement is not None:
        features = features.join(engagement(cut), on="customer_id", how="left").fill_null(0.0)
    targets = holdout_targets(tx, after=cut, until=end)
    return features.join(targets, on="customer_id", how="left").with_columns(
        pl.col("purchases", "spend").fill_null(0.0)
    )


def _folds(returned: np.ndarray, params: PredictParams) -> list[tuple[np.ndarray, np.ndarray]]:
    """Seeded k-fold split of the origin's customers, stratified by returning: (train rows, validation rows)."""
    rng = np.random.default_rng(params.seed)
    groups = [rng.permutation(np.flatnonzero(returned == v)) for v in (False, True)]
    parts = [np.sort(np.concatenate([np.array_split(g, params.folds)[i] for g in groups])) for i in range(params.folds)]
    return [(np.concatenate([p for j, p in enumerate(parts) if j != i]), part) for i, part in enumerate(parts)]


def _cv_score(name: str, target: str, origin: _Origin, params: PredictParams, recipe: dict[str, Any]) -> float:
    """Mean validation loss over the folds at the origin: log-loss (returns) or MAE (purchases)."""
    losses = []
    train = origin.train
    y = train["purchases"].to_numpy()
    for fit_rows, val_rows in _folds(y > 0, params):
        fitted = origin.fit(name, target, recipe, seed=params.seed, rows=fit_rows)
        p = fitted.rebase(train[val_rows], origin.btyd).predict(train[val_rows])
        if target == "returns":
            losses.append(classification_figures((y[val_rows] > 0).astype(float), p)["log_loss"])
        else:
            losses.append(count_figures(y[val_rows], p)["mae"])
    return float(np.mean(losses))


def _recipe(name: str, target: str, origin: _Origin, params: PredictParams) -> dict[str, Any]:
    """The candidate's parameters: the defaults, or with `tune` the best of the seeded Optuna budget by CV."""
    if name not in SUPERVISED:
        return {}
    if not params.tune:
        return dict(DEFAULTS[name])
    return tune(name, lambda p: _cv_score(name, target, origin, params, p), seed=params.seed)
