"""Accuracy figures for the two targets, with bootstrap intervals (definitions: docs/ml.md#metrics).

Returns (classification): AUROC, log-loss, Brier score, accuracy at 0.5 against the majority
class, and a calibration curve. Purchases (counts): MAE, RMSE and the aggregate error (predicted
total / actual total − 1). Intervals: 95 % percentile bootstrap over customers, seeded.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

__all__ = ["METRICS", "bootstrap_interval", "calibration_curve", "classification_figures", "count_figures"]

Array = np.ndarray
EPS = 1e-6


METRICS: dict[str, Callable[[Array, Array], float]] = {
    "auroc": lambda y, p: float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan"),
    "log_loss": lambda y, p: float(log_loss(y, np.clip(p, EPS, 1 - EPS), labels=[0, 1])),
    "mae": lambda y, e: float(np.abs(y - e).mean()),
}


def classification_figures(y: Array, p: Array) -> dict[str, float]:
    """AUROC, log-loss, Brier, accuracy at 0.5 and the majority class's accuracy of `p` for binary `y`."""
    p = np.clip(p, EPS, 1 - EPS)
    majority = max(y.mean(), 1 - y.mean())
    return {
        "auroc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan"),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "brier": float(brier_score_loss(y, p)),
        "accuracy": float(((p >= 0.5) == (y > 0)).mean()),
        "majority_accuracy": float(majority),
    }


def count_figures(y: Array, e: Array) -> dict[str, float]:
    """MAE, RMSE and the aggregate error of predicted counts `e` against actual counts `y`."""
    return {
        "mae": float(np.abs(y - e).mean()),
        "rmse": float(np.sqrt(((y - e) ** 2).mean())),
        "aggregate_error": float(e.sum() / y.sum() - 1.0) if y.sum() else float("nan"),
    }


def bootstrap_interval(
    metric: Callable[[Array, Array], float], y: Array, p: Array, *, rounds: int = 200, seed: int = 0
) -> tuple[float, float]:
    """The 95 % percentile bootstrap interval of `metric(y, p)` over resampled customers (NaN for 0 rounds)."""
    if rounds <= 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(rounds):
        pick = rng.integers(0, len(y), len(y))
        values.append(metric(y[pick], p[pick]))
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return float(low), float(high)


def calibration_curve(y: Array, p: Array, *, bins: int = 10) -> list[dict[str, float]]:
    """Customers in `bins` equal-count bins of predicted probability: mean predicted vs observed share."""
    order = np.argsort(p, kind="stable")
    rows = []
    for part in np.array_split(order, bins):
        if len(part):
            rows.append({"predicted": float(p[part].mean()), "observed": float(y[part].mean()), "customers": len(part)})
    return rows
