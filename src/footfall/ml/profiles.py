"""Segment profiles and names, the share of holdout variance a grouping explains, and classic RFM cells.

Definitions (docs/ml.md#segmentation): a profile is a segment's size, share of customers, median
recency (weeks since the last purchase), frequency (repeat purchases), monetary value (spend per
purchase), total spend, and its share of all calibration spend. η² of a grouping is the
between-group sum of squares of the holdout spend over its total sum of squares. RFM cells:
recency, frequency and monetary value each scored 1–5 by quintile of rank (ties share the
average rank), the cell being the three scores together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

__all__ = ["eta_squared", "name_segment", "profile_segments", "rfm_cells"]


def profile_segments(inputs: pl.DataFrame, labels: np.ndarray) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """(each customer's segment number and name, the segments' profiles), biggest value share first."""
    frame = inputs.with_columns(cluster=pl.Series(labels.astype(np.int64)))
    total = float(frame["total_spend"].sum()) or 1.0
    overall = {f"spend_p{q}": float(frame["total_spend"].quantile(q / 100) or 0.0) for q in (50, 90)}
    stats = (
        frame.group_by("cluster")
        .agg(
            size=pl.len(),
            recency_weeks=pl.col("weeks_since_last").median(),
            frequency=pl.col("frequency").median(),
            monetary=pl.col("monetary").median(),
            total_spend=pl.col("total_spend").median(),
            value_share=pl.col("total_spend").sum() / total,
        )
        .sort("value_share", "cluster", descending=[True, False])
        .with_row_index("segment", offset=1)
    )
    segments: list[dict[str, Any]] = []
    names: dict[int, str] = {}
    for row in stats.iter_rows(named=True):
        name = name_segment(row, overall)
        name = name if name not in names.values() else f"{name} ({row['segment']})"
        names[row["cluster"]] = name
        profile = {k: row[k] for k in ("recency_weeks", "frequency", "monetary", "total_spend", "value_share")}
        profile["customer_share"] = row["size"] / frame.height
        segments.append({"segment": row["segment"], "name": name, "size": row["size"], "profile": profile})
    mapping = stats.select("cluster", pl.col("segment").cast(pl.Int64)).with_columns(
        name=pl.Series([names[c] for c in stats["cluster"]])
    )
    assignments = frame.join(mapping, on="cluster").drop("cluster").sort("customer_id")
    return assignments.select("customer_id", "segment", "name", *inputs.columns[1:]), segments


def name_segment(profile: dict[str, Any], overall: dict[str, float]) -> str:
    """A readable name from the median profile: activity, buying habit and spend (docs/ml.md#segmentation)."""
    weeks, repeats, spend = profile["recency_weeks"], profile["frequency"], profile["total_spend"]
    activity = "active" if weeks <= 13 else "cooling" if weeks <= 26 else "lapsed" if weeks <= 104 else "dormant"
    habit = "one-time" if repeats == 0 else "repeat" if repeats <= 2 else "frequent" if repeats <= 5 else "loyal"
    level = (
        "top-spend" if spend >= overall["spend_p90"] else "mid-spend" if spend >= overall["spend_p50"] else "low-spend"
    )
    return f"{activity} {habit} {level}"


def eta_squared(groups: np.ndarray, y: np.ndarray) -> float:
    """Share of the variance of `y` explained by the grouping (between-group / total sum of squares)."""
    total = float(((y - y.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    stats = pl.DataFrame({"g": groups, "y": y}).group_by("g").agg(n=pl.len(), m=pl.col("y").mean())
    return float((stats["n"] * (stats["m"] - y.mean()) ** 2).sum()) / total


def rfm_cells(inputs: pl.DataFrame) -> np.ndarray:
    """The classic RFM cell of each customer: R·100 + F·10 + M, each score 1–5 by quintile of rank."""

    def score(column: str, *, reverse: bool = False) -> np.ndarray:
        ranks = inputs[column].rank("average").to_numpy()
        s = np.clip(np.ceil(5 * ranks / len(ranks)), 1, 5).astype(int)
        return 6 - s if reverse else s

    return np.asarray(score("weeks_since_last", reverse=True) * 100 + score("frequency") * 10 + score("monetary"))
