"""Accuracy figures for the two targets, with bootstrap intervals (definitions: docs/ml.md#metrics).

Returns (classification): AUROC, log-loss, Brier score, accuracy at 0.5 against the majority
class, and a calibration curve. Purchases (counts): MAE, RMSE and the aggregate error (predicted
total / actual total − 1). Intervals: 95 % percentile bootstrap over customers, seeded.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

__all__ = ["bootstrap_interval", "calibration_curve", "classification_figures", "count_figures"]

Array = np.ndarray
EPS = 1e-6


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


def bootstrap_interval(metric: str, y: Array, p: Array, *, rounds: int = 200, seed: int = 0) -> tuple[float, float]:
    """The 95 % percentile bootstrap interval of `metric` (auroc, log_loss or mae) over resampled customers.

    A resample is a vector of counts (how often each customer was drawn), so each round is a weighted
    figure in O(n) — AUROC by the weighted Mann–Whitney statistic over the distinct scores, ties half."""
    if rounds <= 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    values, order = [], np.unique(p, return_inverse=True)[1]
    for _ in range(rounds):
        w = np.bincount(rng.integers(0, len(y), len(y)), minlength=len(y)).astype(float)
        values.append(_weighted(metric, y, p, w, order))
    finite = np.asarray(values)[np.isfinite(values)]
    if not len(finite):  # e.g. a holdout where nobody (or everybody) returned: AUROC is undefined
        return float("nan"), float("nan")
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def _weighted(metric: str, y: Array, p: Array, w: Array, order: Array) -> float:
    if metric == "mae":
        return float(np.average(np.abs(y - p), weights=w))
    if metric == "log_loss":
        q = np.clip(p, EPS, 1 - EPS)
        return float(-np.average(y * np.log(q) + (1 - y) * np.log(1 - q), weights=w))
    pos = np.bincount(order, weights=w * (y > 0))
    neg = np.bincount(order, weights=w * (y <= 0))
    below = np.cumsum(neg) - neg  # negatives with a lower score than each distinct score
    total = pos.sum() * neg.sum()
    return float((pos * (below + 0.5 * neg)).sum() / total) if total else float("nan")


def calibration_curve(y: Array, p: Array, *, bins: int = 10) -> list[dict[str, float]]:
    """Customers in `bins` equal-count bins of predicted probability: mean predicted vs observed share."""
    order = np.argsort(p, kind="stable")
    rows = []
    for part in np.array_split(order, bins):
        if len(part):
            rows.append({"predicted": float(p[part].mean()), "observed": float(y[part].mean()), "customers": len(part)})
    return rows
