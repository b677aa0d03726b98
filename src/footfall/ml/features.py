"""Customer features from a calibration window, and the holdout targets (definitions: docs/ml.md#features).

A *purchase* is a customer's purchase day (transactions on one UTC day count once; their amounts
and quantities add up). Features at a cut-off `until` use only transactions with `ts <= until`
(end of that day): nothing after it can move a feature, which `tests/ml/test_features.py` checks
by perturbing later data. Times are in weeks. Targets count purchases in `(until, holdout_end]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import polars as pl

from footfall.errors import InputError

__all__ = ["FEATURES", "FeatureParams", "customer_features", "end_of", "holdout_targets", "purchase_days"]

FEATURES = (
    "frequency",
    "recency",
    "T",
    "monetary",
    "total_spend",
    "quantity",
    "weeks_since_last",
    "ipt_mean",
    "ipt_std",
    "ipt_max",
    "purchases_4w",
    "purchases_13w",
    "purchases_26w",
    "trend",
)


@dataclass(frozen=True, kw_only=True)
class FeatureParams:
    """The trend window: purchases in the last `trend_weeks` weeks against the `trend_weeks` before."""

    trend_weeks: int = 13


def end_of(day: date) -> datetime:
    """The last instant of a UTC day: cut-offs are whole days."""
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=UTC)


def purchase_days(transactions: pl.DataFrame) -> pl.DataFrame:
    """One row per customer and UTC day with a purchase: `customer_id, day, amount, quantity`."""
    return (
        transactions.group_by("customer_id", day=pl.col("ts").dt.date())
        .agg(pl.col("amount").sum(), pl.col("quantity").fill_null(1).sum())
        .sort("customer_id", "day")
    )


def customer_features(transactions: pl.DataFrame, *, until: date, params: FeatureParams | None = None) -> pl.DataFrame:
    """The FEATURES of every customer with a purchase on or before `until`, from those purchases only."""
    params = params or FeatureParams()
    days = purchase_days(transactions.filter(pl.col("ts") <= end_of(until)))
    if not days.height:
        raise InputError(f"no transactions on or before until {until}: choose a later date")
    cut = pl.lit(until)
    gap = _weeks(pl.col("day").diff())
    w = params.trend_weeks

    def recent(lo: int, hi: int) -> pl.Expr:
        """Purchases in the weeks (until − hi, until − lo]."""
        return ((pl.col("day") > until - timedelta(weeks=hi)) & (pl.col("day") <= until - timedelta(weeks=lo))).sum()

    return (
        days.group_by("customer_id")
        .agg(
            n=pl.len(),
            first=pl.col("day").min(),
            last=pl.col("day").max(),
            total_spend=pl.col("amount").sum(),
            quantity=pl.col("quantity").sum().cast(pl.Float64),
            ipt_mean=gap.mean(),
            ipt_std=gap.std(),
            ipt_max=gap.max(),
            purchases_4w=recent(0, 4),
            purchases_13w=recent(0, 13),
            purchases_26w=recent(0, 26),
            trend=recent(0, w).cast(pl.Int64) - recent(w, 2 * w).cast(pl.Int64),
        )
        .with_columns(
            frequency=(pl.col("n") - 1).cast(pl.Float64),
            recency=_weeks(pl.col("last") - pl.col("first")),
            T=_weeks(cut - pl.col("first")),
            weeks_since_last=_weeks(cut - pl.col("last")),
            monetary=pl.col("total_spend") / pl.col("n"),
        )
        .select("customer_id", *(pl.col(c).cast(pl.Float64) for c in FEATURES))
        .with_columns(pl.col("ipt_mean", "ipt_std", "ipt_max").fill_null(0.0))
        .sort("customer_id")
    )


def _weeks(duration: pl.Expr) -> pl.Expr:
    return duration.dt.total_days() / 7.0


def holdout_targets(transactions: pl.DataFrame, *, after: date, until: date) -> pl.DataFrame:
    """Per customer: purchases (days) and spend in `(after, until]`; customers without any are absent."""
    if until <= after:
        raise InputError(f"holdout_end {until} is not after calibration_end {after}: give a later holdout_end")
    window = transactions.filter(pl.col("ts") > end_of(after), pl.col("ts") <= end_of(until))
    return (
        purchase_days(window)
        .group_by("customer_id")
        .agg(purchases=pl.len().cast(pl.Float64), spend=pl.col("amount").sum())
        .sort("customer_id")
    )
