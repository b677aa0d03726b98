"""What the `footfall ml` commands print: the JSON objects of docs/ml.md and the rows of their tables."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from footfall.ml.prediction import PredictionRun
    from footfall.ml.segmentation import Segmentation
    from footfall.ml.tabular import TabularResult
    from footfall.ml.transactions import Transactions

__all__ = [
    "as_text",
    "clean",
    "prediction_json",
    "prediction_table",
    "rejects_line",
    "segment_table",
    "tabular_json",
    "tabular_table",
]


def clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities as null, tuples as lists, recursively."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def prediction_json(run: PredictionRun) -> dict[str, Any]:
    """`{"models": [{model, target, auroc, log_loss, accuracy, mae, params, train_seconds, …}], "best": {…}}`."""
    result: dict[str, Any] = clean(
        {
            "models": [asdict(m) for m in run.models],
            "best": run.best,
            "customers": run.customers,
            "returners": run.returners,
            "majority_accuracy": run.majority_accuracy,
            "calibration": run.calibration,
        }
    )
    return result


def prediction_table(run: PredictionRun, target: str) -> pl.DataFrame:
    """One row per candidate of `target` with the figures that apply to it, the chosen one marked."""
    rows = []
    for m in (m for m in run.models if m.target == target):
        row: dict[str, Any] = {"model": m.model, "best": "✓" if run.best[target] == m.model else ""}
        if target == "returns":
            row |= {"auroc": m.auroc, "log_loss": m.log_loss, "brier": m.brier, "accuracy": m.accuracy}
        else:
            row |= {"mae": m.mae, "rmse": m.rmse, "aggregate_error": m.aggregate_error}
        rows.append(row | {"cv_score": m.cv_score, "train_s": m.train_seconds})
    return pl.DataFrame(rows)


def as_text(frame: pl.DataFrame, digits: int = 4) -> pl.DataFrame:
    """Floats as text with `digits` decimals (a table for people)."""
    return frame.with_columns(
        pl.col(pl.Float64).map_elements(lambda v: f"{v:.{digits}f}", return_dtype=pl.String).fill_null("")
    )


def segment_table(result: Segmentation) -> pl.DataFrame:
    """One row per segment: size and median profile."""
    return pl.DataFrame(
        [{"segment": s["segment"], "name": s["name"], "size": s["size"], **s["profile"]} for s in result.segments]
    ).with_columns(pl.col(pl.Float64).round(3))


def tabular_json(result: TabularResult) -> dict[str, Any]:
    """`{"models": [{model, cv_accuracy, cv_accuracy_std, macro_f1, baseline_accuracy, …}], "best": name, …}`."""
    out: dict[str, Any] = clean(
        {
            "models": result.models,
            "best": result.best,
            "ceiling": result.ceiling,
            "rows": result.rows,
            "labels": result.labels,
            "confusion_matrix": result.confusion,
            "permutation_importance": result.importance,
        }
    )
    return out


def tabular_table(result: TabularResult) -> pl.DataFrame:
    """One row per candidate with its cross-validated figures."""
    return pl.DataFrame(
        [
            {
                "model": m["model"],
                "best": "✓" if m["model"] == result.best else "",
                "cv_accuracy": m["cv_accuracy"],
                "cv_accuracy_std": m["cv_accuracy_std"],
                "macro_f1": m["macro_f1"],
                "baseline_accuracy": m["baseline_accuracy"],
                "train_s": m["train_seconds"],
            }
            for m in result.models
        ]
    ).with_columns(pl.col(pl.Float64).round(4))


def rejects_line(data: Transactions) -> str:
    """`source: read N, accepted A, rejected R (reason n, …)`."""
    counts = ", ".join(f"{reason} {n:,}" for reason, n in data.reject_counts().items())
    return f"{data.source}: read {data.read:,}, accepted {data.frame.height:,}, rejected {data.rejects.height:,}" + (
        f" ({counts})" if counts else ""
    )
