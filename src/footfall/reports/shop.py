"""Web-shop reports: order metrics, session length by referrer, the funnel (definitions in the SQL files).

Every report takes the one report contract, `Filters`: local dates in the report zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import polars as pl

from footfall.reports.filters import Filters, run_report
from footfall.warehouse import Warehouse

__all__ = ["SENSITIVITY_GAPS", "order_metrics", "order_metrics_by_gap", "referrer_metrics", "shop_funnel"]

# the gaps `footfall shop metrics --gap-sensitivity` compares (docs/shop-schema.md → The session gap)
SENSITIVITY_GAPS = (timedelta(minutes=10), timedelta(minutes=30), timedelta(minutes=60))


def order_metrics(warehouse: Warehouse, filters: Filters | None = None) -> dict[str, Any]:
    """`{"median_visits_before_order", "median_session_duration_minutes_before_order"}` (nulls when no data)."""
    row = run_report(warehouse, "order_metrics", filters or Filters()).row(0, named=True)
    return {k: (None if v is None else float(v)) for k, v in row.items()}


def order_metrics_by_gap(
    warehouse: Warehouse, filters: Filters | None = None, *, gaps: Sequence[timedelta] | None = None
) -> pl.DataFrame:
    """`gap, sessions, ordering_customers` and the order metrics per session gap (default 10, 30, 60 minutes).

    Each row re-sessionizes the events in the warehouse in SQL (`order_metrics_by_gap.sql`): the
    figures `footfall shop sessions --gap` with that gap, then the order metrics, would give.
    """
    rows = []
    for gap in gaps or SENSITIVITY_GAPS:
        row = run_report(warehouse, "order_metrics_by_gap", filters or Filters(), gap=gap).row(0, named=True)
        rows.append({"gap": _minutes(gap), **row})
    schema = {"gap": pl.String, "sessions": pl.Int64, "ordering_customers": pl.Int64}
    return pl.DataFrame(rows, schema_overrides=schema).with_columns(
        pl.col("median_visits_before_order", "median_session_duration_minutes_before_order").cast(pl.Float64)
    )


def referrer_metrics(warehouse: Warehouse, filters: Filters | None = None) -> pl.DataFrame:
    """`referrer, sessions, median_duration_minutes, p90_duration_minutes, order_rate`, busiest first."""
    return run_report(warehouse, "referrer_metrics", filters or Filters())


def shop_funnel(warehouse: Warehouse, filters: Filters | None = None) -> pl.DataFrame:
    """`step_order, step, sessions, share`: sessions → with a page view → with a cart add → with an order."""
    return run_report(warehouse, "shop_funnel", filters or Filters())


def _minutes(gap: timedelta) -> str:
    """`10m`, `60m`: a gap in whole minutes as minutes; any other as `format_duration` writes it."""
    from footfall.durations import format_duration

    whole, rest = divmod(gap, timedelta(minutes=1))
    return f"{whole}m" if not rest else format_duration(gap)
