"""A fitted candidate's holdout figures: the row `footfall ml predict` prints per model (docs/ml.md#metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from footfall.ml.evaluation import bootstrap_interval, classification_figures, count_figures
from footfall.ml.models import Predictor

__all__ = ["ModelScore", "score_predictor"]


@dataclass(frozen=True)
class ModelScore:
    """One candidate's holdout figures (null where they do not apply to its target) and its CV score."""

    model: str
    target: str
    auroc: float | None
    log_loss: float | None
    brier: float | None
    accuracy: float | None
    mae: float | None
    rmse: float | None
    aggregate_error: float | None
    cv_score: float
    params: dict[str, Any]
    train_seconds: float
    intervals: dict[str, tuple[float, float]]


def score_predictor(
    fitted: Predictor, test: pl.DataFrame, cv: float, *, rounds: int, seed: int
) -> tuple[ModelScore, Predictor, np.ndarray]:
    """Holdout figures of a fitted candidate, with bootstrap intervals of the main ones (none when rounds is 0)."""
    y = test["purchases"].to_numpy()
    p = fitted.predict(test)
    if fitted.target == "returns":
        r = (y > 0).astype(float)
        figures: dict[str, Any] = classification_figures(r, p) | dict.fromkeys(("mae", "rmse", "aggregate_error"))
        intervals = {m: bootstrap_interval(m, r, p, rounds=rounds, seed=seed) for m in ("auroc", "log_loss")}
    else:
        figures = count_figures(y, p) | dict.fromkeys(("auroc", "log_loss", "brier", "accuracy"))
        intervals = {"mae": bootstrap_interval("mae", y, p, rounds=rounds, seed=seed)}
    figures.pop("majority_accuracy", None)
    score = ModelScore(
        model=fitted.name,
        target=fitted.target,
        cv_score=cv,
        params=fitted.params,
        train_seconds=fitted.train_seconds,
        intervals=intervals,
        **figures,
    )
    return score, fitted, p
